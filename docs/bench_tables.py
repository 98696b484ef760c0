"""The benchmark page's tables, made from a saved run of ``python -m bench --json``.

docs/bench/results.json is the JSON that ``python -m bench --quick --json docs/bench/results.json``
wrote; the page shows it through bench/report.py, the code that prints it in the terminal, so the
page and the command cannot disagree.  Run the command again to refresh the page.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.native_report import render as render_native
from bench.native_report import summarise as summarise_native
from bench.report import format_report, summarize

RESULTS = Path(__file__).resolve().parent / "bench" / "results.json"
# A saved run of `python -m bench.native_core --json docs/bench/native_core.json`.
NATIVE_RESULTS = Path(__file__).resolve().parent / "bench" / "native_core.json"
# The summary's ratios (bench/report.py), as a reader names them.
RATIO_TITLES = {
    "w1_build_gc_on": "W1 build, collector on", "w1_build_gc_off": "W1 build, collector off",
    "w1_backward_gc_on": "W1 backward, collector on",
    "w1_backward_gc_off": "W1 backward, collector off", "w1_free_gc_on": "W1 free",
    "w2_gc_on": "W2 step, collector on", "w2_gc_off": "W2 step, collector off",
    "w2_compiled_gc_on": "W2 step compiled (autograd.compile), collector on",
    "w4_bytes_per_node": "W4 bytes per node",
}


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"


def tables(path: Path = RESULTS) -> str:
    """Markdown: the run's command and machine, its targets as a table, the full report."""
    report = json.loads(path.read_text(encoding="utf-8"))
    summarize(report)
    m = report["machine"]
    ratios = report["summary"]["ratios_vs_micrograd"]
    rows = [
        "| | |", "|---|---|",
        f"| command | `python -m bench --{report['size']} --json docs/bench/results.json` |",
        f"| when, commit | {m['started_utc']} UTC, `{m['git_commit'] or '?'}` |",
        f"| Python | {m['implementation']} {m['python']} ({m['python_build']}) |",
        f"| machine | {m['cpu']}, {m['cpus']} cpus, {m['platform']} |",
        "| load average at start / end | "
        + " / ".join(" ".join(f"{v:.2f}" for v in m.get(k) or []) or "-"
                     for k in ("load_average_start", "load_average_end")) + " |",
        "", "Ratios against micrograd 0.1.0 taken in this run "
        "(> 1: valuegrad is faster or smaller):",
        "", "| figure | micrograd / valuegrad |", "|---|---|",
        *(f"| {RATIO_TITLES.get(name, name)} | {_cell(value)}x |" for name, value in ratios.items()
          if name != "w2_compiled_vs_torch_vector"),
        "", "Compiled W2 step against PyTorch vectorized (valuegrad's time / PyTorch's; < 1: "
        f"valuegrad is faster): {_cell(ratios.get('w2_compiled_vs_torch_vector'))}x.",
        "", "The performance targets, measured in this run:", "",
        "| target | measured | goal | met |", "|---|---|---|---|",
        *(f"| {c['target']} | {_cell(c['measured'])} | {c['goal']} | "
          f"{ {True: 'yes', False: 'no', None: 'not measured'}[c['met']]} |"
          for c in report["summary"]["targets"]),
        "", "The whole report, as `python -m bench --report docs/bench/results.json` prints it:",
        "", "```text", format_report(report), "```", "",
    ]
    return "\n".join(rows)


def native_core_table(path: Path = NATIVE_RESULTS) -> str:
    """Markdown: the saved run of bench.native_core, its rows as a table, then as it printed."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    summary = summarise_native(raw)
    size = raw.get("size", "full")
    rows = ["| workload | collector | unit | peer | pure | native | peer / native | target | met |",
            "|---|---|---|---|---|---|---|---|---|"]
    for entry in summary["table"]:
        cells = entry["cells"]
        native = cells.get("native", {}).get("best")
        ratio = entry["peer_ratio"].get("native")
        rows.append(
            f"| {entry['label']} | {entry['mode'].removeprefix('gc_')} | {entry['unit']} | "
            f"{entry['peer']} {_cell(cells['peer']['best'])} | "
            f"{_cell(cells.get('pure', {}).get('best'))} | {_cell(native)} | "
            f"{_cell(ratio)}x | {entry['target']} | "
            f"{ {True: 'yes', False: 'no', None: 'not measured'}[entry['met']]} |")
    loop = summary["checks"].get("loop_ns", {})
    return "\n".join([
        f"Run with `python -m bench.native_core --size {size} --json docs/bench/native_core.json` "
        f"on {raw.get('started_utc', '?')} UTC, at commit `{raw.get('git_commit') or '?'}`. Each "
        "figure is the best of the rounds; \"peer\" is micrograd 0.1.0 for W2 and the minimal "
        "slotted engine (`bench/slotted.py`) for the others.", "", *rows, "",
        f"The loops alone, on plain floats, cost {_cell(loop.get('sum16'))} ns per node (sum16) "
        f"and {_cell(loop.get('w1'))} ns per node (W1): the floor under any engine driven from "
        "Python.", "",
        "The whole report, as the command printed it:", "",
        "```text", render_native(raw, summary), "```", ""])
