"""Turn the workers' figures into the printed table, the ratios and the target checklist."""

from __future__ import annotations

import math
from typing import Any

from .engines import ENGINES

DASH = "-"


def _get(d: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return d


def _num(x: Any, digits: int = 0) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return DASH
    if isinstance(x, bool):
        return "yes" if x else "no"
    if digits == 0:
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}"


def _ms(x: Any) -> str:
    if x is None:
        return DASH
    return _num(x, 2 if x < 10 else 1)


def _ratio(slow: Any, fast: Any) -> float | None:
    if not slow or not fast or any(isinstance(v, float) and math.isnan(v) for v in (slow, fast)):
        return None
    return slow / fast


def _x(r: float | None) -> str:
    return DASH if r is None else f"{r:,.1f}x"


def _status(entry: Any) -> str | None:
    """A short note for an engine that did not produce figures (skipped, or failed)."""
    if not isinstance(entry, dict):
        return "not run"
    if "skipped" in entry:
        return f"skipped: {entry['skipped']}"
    if "error" in entry and "depths" not in entry:
        return f"failed: {entry['error']}"
    return None


def _row(title: str, cells: list[str], widths: list[int]) -> str:
    return f"  {title:<32}" + "".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True))


def summarize(report: dict[str, Any]) -> None:
    """Add the ratios against micrograd and the target checklist to the report (and its JSON)."""
    res = report["results"]
    vg, mg, tv = res.get("valuegrad", {}), res.get("micrograd", {}), res.get("torch-vector", {})
    comp = res.get("valuegrad-compiled", {})
    ratios = {
        "w1_build_gc_on": _ratio(_get(mg, "w1", "gc_on", "build_ns"),
                                 _get(vg, "w1", "gc_on", "build_ns")),
        "w1_build_gc_off": _ratio(_get(mg, "w1", "gc_off", "build_ns"),
                                  _get(vg, "w1", "gc_off", "build_ns")),
        "w1_backward_gc_on": _ratio(_get(mg, "w1", "gc_on", "backward_ns"),
                                    _get(vg, "w1", "gc_on", "backward_ns")),
        "w1_backward_gc_off": _ratio(_get(mg, "w1", "gc_off", "backward_ns"),
                                     _get(vg, "w1", "gc_off", "backward_ns")),
        "w1_free_gc_on": _ratio(_get(mg, "w1", "gc_on", "free_ns"),
                                _get(vg, "w1", "gc_on", "free_ns")),
        "w2_gc_on": _ratio(_get(mg, "w2", "gc_on", "ms_per_step"),
                           _get(vg, "w2", "gc_on", "ms_per_step")),
        "w2_gc_off": _ratio(_get(mg, "w2", "gc_off", "ms_per_step"),
                            _get(vg, "w2", "gc_off", "ms_per_step")),
        "w2_compiled_gc_on": _ratio(_get(mg, "w2", "gc_on", "ms_per_step"),
                                    _get(comp, "w2", "gc_on", "ms_per_step")),
        "w2_compiled_vs_torch_vector": _ratio(_get(comp, "w2", "gc_on", "ms_per_step"),
                                              _get(tv, "w2", "gc_on", "ms_per_step")),
        "w4_bytes_per_node": _ratio(_get(mg, "w4", "traced_bytes_per_node"),
                                    _get(vg, "w4", "traced_bytes_per_node")),
    }
    deep = _get(vg, "w3", "depths", str(10**6), "forward_backward_s")
    targets = [
        ("W1 build, GC off (ns/node)", _get(vg, "w1", "gc_off", "build_ns"), "<= 400", "le", 400),
        ("W1 backward, GC off (ns/node)", _get(vg, "w1", "gc_off", "backward_ns"), "<= 250", "le",
         250),
        ("W1 build vs micrograd, GC on (issue 2)", ratios["w1_build_gc_on"], ">= 10x", "ge", 10),
        ("W2 vs micrograd, GC on", ratios["w2_gc_on"], ">= 12x", "ge", 12),
        ("W2 vs micrograd, GC off", ratios["w2_gc_off"], ">= 2x", "ge", 2),
        ("W3 depth 10^6 forward+backward (s)", deep, "< 2", "lt", 2),
        ("W4 bytes/node (traced)", _get(vg, "w4", "traced_bytes_per_node"), "<= 250", "le", 250),
        ("W4 RSS flat over 6 cycles", _get(vg, "w4", "rss_flat"), "flat", "true", None),
        ("W2 compiled vs micrograd, GC on", ratios["w2_compiled_gc_on"], ">= 130x", "ge", 130),
        ("W2 compiled vs PyTorch vectorized", ratios["w2_compiled_vs_torch_vector"], "<= 10x",
         "le", 10),
    ]
    checks = []
    for name, value, goal, how, bound in targets:
        if value is None:
            met = None
        elif how == "true":
            met = bool(value)
        else:
            met = {"le": value <= bound, "ge": value >= bound, "lt": value < bound}[how]
        checks.append({"target": name, "measured": value, "goal": goal, "met": met})
    # Every engine trains the same model on the same data: its losses, step after step, must be
    # the same numbers (up to float summation order).
    runs = {e: _get(r, "w2", "gc_on", "losses") for e, r in res.items()}
    runs = {e: v for e, v in runs.items() if v}
    agree = None
    if len(runs) > 1:
        ref = next(iter(runs.values()))
        agree = all(abs(a - b) <= 1e-9 * max(1.0, abs(b)) for v in runs.values()
                    for a, b in zip(v, ref, strict=False))
    report["summary"] = {"ratios_vs_micrograd": ratios, "targets": checks,
                         "w2_losses_agree": agree}


def format_report(report: dict[str, Any]) -> str:
    """The whole printed report."""
    if "summary" not in report:
        summarize(report)
    res = report["results"]
    m = report["machine"]
    out = [
        f"valuegrad benchmark ({report['size']} run, "
        f"{m['started_utc']} UTC, commit {m['git_commit'] or '?'})",
        f"{m['implementation']} {m['python']} ({m['python_build']}) on {m['platform']}",
        f"{m['cpu']}, {m['cpus']} cpus, load average {_load(m.get('load_average_start'))} at "
        f"start, {_load(m.get('load_average_end'))} at end",
        f"versions: {_versions(res)}",
        f"each engine in its own process; figures are medians of repeats after warm-up; W1 and "
        f"W2 pooled over {report.get('rounds', 1)} round(s) taking the engines in turn",
    ]
    out += _w1(res) + _w2(res, report) + _w3(res) + _w4(res) + _summary(report)
    return "\n".join(out)


def _load(x: Any) -> str:
    return DASH if not x else " ".join(f"{v:.2f}" for v in x)


def _versions(res: dict[str, Any]) -> str:
    seen: dict[str, str] = {}
    for entry in res.values():
        for w in entry.values():
            for k, v in (_get(w, "versions") or {}).items():
                if not k.endswith("_path"):
                    seen[k] = v
    return ", ".join(f"{k} {v}" for k, v in seen.items()) or DASH


def _engines(res: dict[str, Any], workload: str) -> list[tuple[str, dict[str, Any]]]:
    return [(ENGINES[e]["title"], res[e][workload]) for e in ENGINES
            if e in res and workload in res[e]]


def _w1(res: dict[str, Any]) -> list[str]:
    rows = _engines(res, "w1")
    if not rows:
        return []
    first = next((r for _, r in rows if "nodes" in r), {})
    mix = first.get("mix", {})
    n = first.get("nodes") or 1
    mix_text = ", ".join(f"{k} {100 * v / n:.0f}%" for k, v in mix.items())
    widths = [11, 11, 11, 11, 11, 11]
    out = ["", f"W1  seeded random graph: {_num(first.get('nodes'))} ops ({mix_text}), "
           f"depth {first.get('depth', DASH)}; ns per node",
           _row("", ["build", "backward", "free", "build", "backward", "free"], widths),
           _row("", ["GC on", "GC on", "GC on", "GC off", "GC off", "GC off"], widths)]
    for title, r in rows:
        note = _status(r)
        if note:
            out.append(f"  {title:<32}{note}")
            continue
        out.append(_row(title, [_num(_get(r, mode, f"{k}_ns")) for mode in ("gc_on", "gc_off")
                                for k in ("build", "backward", "free")], widths))
    checks = {t: (r.get("root"), r.get("leaf_grad_sum")) for t, r in rows if "root" in r}
    vg = checks.get(ENGINES["valuegrad"]["title"])
    if vg:
        same = [t for t, c in checks.items() if c[1] and _close(c, vg)]
        out.append(f"  root value and leaf-gradient sum agree with valuegrad's: {', '.join(same)}")
    return out


def _close(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return all(abs(x - y) <= 1e-9 * max(1.0, abs(y)) for x, y in zip(a, b, strict=True))


def _w2(res: dict[str, Any], report: dict[str, Any]) -> list[str]:
    rows = _engines(res, "w2")
    if not rows:
        return []
    nodes = _get(res, "valuegrad", "w2", "nodes")
    widths = [11, 11, 22]
    out = ["", "W2  micrograd's demo step: MLP(2, [16, 16, 1]), 100 seeded moons, hinge loss + "
           f"1e-4 L2, forward + backward + SGD ({_num(nodes)} ops); ms per step",
           _row("", ["GC on", "GC off", "first loss"], widths)]
    for title, r in rows:
        note = _status(r)
        if note:
            out.append(f"  {title:<32}{note}")
            continue
        loss = r.get("first_loss")
        out.append(_row(title, [_ms(_get(r, "gc_on", "ms_per_step")),
                                _ms(_get(r, "gc_off", "ms_per_step")),
                                DASH if loss is None else f"{loss:.15f}"], widths))
    for e in ("valuegrad-compiled", "valuegrad-compiled-python"):
        c = _get(res, e, "w2")
        if c and "compile_ms" in c:
            out.append(f"  {ENGINES[e]['title']}: tracing and building the replay took "
                       f"{_ms(c['compile_ms'])} ms once (backend {c.get('backend', '?')})")
    agree = report["summary"]["w2_losses_agree"]
    out.append(f"  losses at every step agree across engines (1e-9 relative): {_num(agree)}")
    return out


def _w3(res: dict[str, Any]) -> list[str]:
    rows = _engines(res, "w3")
    if not rows:
        return []
    depths = sorted({int(d) for _, r in rows for d in (_get(r, "depths") or {})})
    widths = [15] * len(depths) + [20]
    out = ["", "W3  chain v = v * w + b: forward + backward seconds at each depth (ops)",
           _row("", [f"10^{round(math.log10(d))}" for d in depths] + ["largest that works"],
                widths)]
    for title, r in rows:
        note = _status(r)
        if note:
            out.append(f"  {title:<32}{note}")
            continue
        cells = []
        for d in depths:
            e = _get(r, "depths", str(d))
            if e is None:
                cells.append(DASH)
            elif e.get("ok"):
                cells.append(f"{e['forward_backward_s']:.3f}")
            else:
                cells.append(e.get("error", "skipped" if "skipped" in e else "failed")[:14])
        cells.append(_num(r.get("largest_ok")))
        out.append(_row(title, cells, widths))
        off = [_get(r, "depths", str(d), "forward_backward_s_gc_off") for d in depths]
        if any(off):  # measured for valuegrad only: the collector's share of its time
            out.append(_row("    with the collector off", [DASH if t is None else f"{t:.3f}"
                                                          for t in off] + [""], widths))
    return out


def _w4(res: dict[str, Any]) -> list[str]:
    rows = _engines(res, "w4")
    if not rows:
        return []
    widths = [11, 10, 10, 10, 40, 6]
    out = ["", "W4  memory of a random graph (after backward): bytes per node; RSS in MB after "
           "each build/backward/free cycle (flat: after the first, the allocators' warm-up, "
           "neither peak nor floor grows by 5 % of one graph)",
           _row("", ["ops", "traced", "peak bwd", "RSS", "RSS after free, by cycle", "flat"],
                widths)]
    for title, r in rows:
        note = _status(r)
        if note:
            out.append(f"  {title:<32}{note}")
            continue
        cycles = r.get("rss_cycles") or []
        trail = " ".join(f"{c['rss_after_free'] / 2**20:.0f}" for c in cycles)
        out.append(_row(title, [_num(r.get("nodes")), _num(r.get("traced_bytes_per_node")),
                                _num(r.get("traced_peak_bytes_per_node_backward")),
                                _num(r.get("rss_bytes_per_node")), trail,
                                _num(r.get("rss_flat"))], widths))
    out.append("  traced: tracemalloc (Python allocations only, so not torch's C++ graph); RSS: "
               "resident-memory growth while one graph is alive")
    return out


def _summary(report: dict[str, Any]) -> list[str]:
    s = report["summary"]
    r = s["ratios_vs_micrograd"]
    out = ["", "Ratios measured in this run (micrograd's figure / valuegrad's: > 1 means valuegrad "
           "is faster or smaller)",
           f"  W1 build: {_x(r['w1_build_gc_on'])} GC on, {_x(r['w1_build_gc_off'])} GC off;  "
           f"backward: {_x(r['w1_backward_gc_on'])} GC on, {_x(r['w1_backward_gc_off'])} GC off;  "
           f"free: {_x(r['w1_free_gc_on'])}",
           f"  W2 step: {_x(r['w2_gc_on'])} GC on, {_x(r['w2_gc_off'])} GC off;  compiled: "
           f"{_x(r['w2_compiled_gc_on'])} GC on (and "
           f"{_x(r['w2_compiled_vs_torch_vector'])} PyTorch vectorized's time);  "
           f"W4 bytes/node: {_x(r['w4_bytes_per_node'])}",
           "", "Targets (issue 5; the W1 ratio is issue 2's)"]
    for c in s["targets"]:
        v = c["measured"]
        shown = _num(v) if isinstance(v, bool) else (DASH if v is None else
                                                     f"{v:,.2f}" if v < 100 else f"{v:,.0f}")
        met = {True: "met", False: "NOT met", None: "not measured"}[c["met"]]
        out.append(f"  {c['target']:<40}{shown:>12}   target {c['goal']:<8} {met}")
    return out
