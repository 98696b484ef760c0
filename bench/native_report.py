"""bench.native_core's report: best and median per figure, ratios, targets, checks, the table.

Works on the raw figures ``bench.native_core.measure`` returns (also what ``--json`` writes).
"""

from __future__ import annotations

import statistics
from typing import Any

MODES = ("gc_off", "gc_on")

FIGURES = (  # (row, figure key, label, unit, target on native, how the target reads)
    ("sum16", "build_ns", "sum16 build", "ns/node", ("abs", 120.0), "native <= 120 ns"),
    ("sum16", "backward_ns", "sum16 backward", "ns/node", ("abs", 40.0), "native <= 40 ns"),
    ("w1", "build_ns", "W1 build", "ns/node", ("abs", 120.0), "native <= 120 ns"),
    ("w1", "backward_ns", "W1 backward", "ns/node", ("abs", 40.0), "native <= 40 ns"),
    ("w2", "ms", "W2 step", "ms", ("ratio", 30.0), "micrograd/native >= 30x"),
    ("gpt", "ms", "GPT step", "ms", ("ratio", 8.0), "slotted/native >= 8x"),
)


def summarise(raw: dict[str, Any]) -> dict[str, Any]:
    """Best and median of each figure per column, ratios to the peer, targets met or not."""
    table = []
    for (row, key, label, unit, (kind, goal), reads), mode in (
            (f, m) for f in FIGURES for m in MODES):
        cells: dict[str, Any] = {}
        for col in raw["columns"]:
            xs = [s[key] for s in raw["samples"][row][mode][col]]
            cells[col] = {"best": min(xs), "median": statistics.median(xs), "samples": xs}
        peer = cells["peer"]["best"]
        ratios = {col: peer / cells[col]["best"] for col in raw["columns"] if col != "peer"}
        native = cells.get("native", {}).get("best")
        if native is None:
            met = None
        elif kind == "abs":
            met = native <= goal
        else:
            met = ratios["native"] >= goal
        table.append({"row": row, "figure": key, "mode": mode, "label": label, "unit": unit,
                      "peer": raw["engines"][row]["peer"], "cells": cells, "peer_ratio": ratios,
                      "target": reads, "met": met})
    return {"table": table, "checks": checks(raw)}


def _rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


def checks(raw: dict[str, Any]) -> dict[str, Any]:
    """Same numbers everywhere: losses, roots and node counts from the warm-up round."""
    w = raw["warmup"]
    cols = raw["columns"]
    out: dict[str, Any] = {}
    for row in ("sum16", "w1"):
        out[f"{row}_nodes"] = {c: (w[row][c]["nodes"], w[row][c]["walked_nodes"]) for c in cols}
        out[f"{row}_root_max_rel_diff"] = max(_rel(w[row][c]["root"], w[row]["peer"]["root"])
                                              for c in cols)
    # Python's own loop on plain floats (the peers' worker times it beside its engine), best of
    # the rounds with the collector off.
    out["loop_ns"] = {row: min((s["loop_ns"] for s in raw["samples"][row]["gc_off"]["peer"]
                                if "loop_ns" in s), default=None) for row in ("sum16", "w1")}
    out["w2_first_loss"] = {c: w["w2"][c]["loss"] for c in cols}
    out["w2_loss_max_rel_diff"] = max(_rel(w["w2"][c]["loss"], w["w2"]["peer"]["loss"])
                                      for c in cols)
    out["gpt_losses"] = {c: w["gpt"][c]["losses"] for c in cols}
    out["gpt_loss_max_rel_diff"] = max(
        _rel(a, b) for c in cols
        for a, b in zip(w["gpt"][c]["losses"], w["gpt"]["peer"]["losses"], strict=True))
    return out


def _fmt(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x:,.1f}" if x < 1000 else f"{x:,.0f}"


def render(raw: dict[str, Any], summary: dict[str, Any]) -> str:
    """The table and the checks, as text."""
    size = raw["config"]
    has_native = "native" in raw["columns"]
    lines = [
        f"valuegrad core benchmark (issue 22), Python {raw['python']}: best of {size['rounds']} "
        f"alternating rounds after a warm-up",
        "gc off: collector off while timing, a full collection after each piece (untimed); "
        "gc on: the collector runs as in a user's loop",
        f"sum16: {size['sum16_rows']} rows x 16 terms (33 nodes a row); "
        f"W1: {summary['checks']['w1_nodes']['peer'][0]:,} ops; "
        f"W2: {size['w2_samples']} moons, one step a round; "
        f"GPT: {size['gpt_steps']} step(s) a round",
        "" if has_native else "no native core here (autograd.CORE missing or 'pure'): "
                              "native column n/a",
        f"{'workload':15} {'gc':3} {'unit':7} {'peer':>18} {'pure':>9} {'native':>9} "
        f"{'peer/pure':>10} {'peer/nat':>9}  {'target':24} met?",
    ]
    for entry in summary["table"]:
        cells, ratios = entry["cells"], entry["peer_ratio"]
        pure = cells.get("pure", {}).get("best")
        native = cells.get("native", {}).get("best")
        met = {None: "n/a", True: "yes", False: "NO"}[entry["met"]]
        peer = f"{entry['peer']} {_fmt(cells['peer']['best'])}"
        pure_ratio = f"{ratios['pure']:.2f}x" if "pure" in ratios else "n/a"
        nat_ratio = f"{ratios['native']:.2f}x" if "native" in ratios else "n/a"
        gc_mode = entry["mode"].removeprefix("gc_")
        lines.append(f"{entry['label']:15} {gc_mode:3} {entry['unit']:7} {peer:>18} "
                     f"{_fmt(pure):>9} {_fmt(native):>9} "
                     f"{pure_ratio:>10} {nat_ratio:>9}  {entry['target']:24} {met}")
    c = summary["checks"]
    loop = c.get("loop_ns", {})
    if loop.get("sum16") is not None and loop.get("w1") is not None:
        lines.append(f"the same loops on plain floats (Python's own cost, under any engine): "
                     f"sum16 {_fmt(loop['sum16'])} ns/node, W1 {_fmt(loop['w1'])} ns/node")
    lines.append("checks (warm-up round):")
    lines.append("  nodes (counted, walked): sum16 " + ", ".join(
        f"{k} {v[0]}/{v[1]}" for k, v in c["sum16_nodes"].items()) + "; W1 " + ", ".join(
        f"{k} {v[0]}/{v[1]}" for k, v in c["w1_nodes"].items()))
    lines.append("  W2 first loss: " + ", ".join(
        f"{k} {v!r}" for k, v in c["w2_first_loss"].items())
        + f" (max rel diff {c['w2_loss_max_rel_diff']:.1e})")
    for k, v in c["gpt_losses"].items():
        lines.append(f"  GPT losses {k:8}: " + ", ".join(repr(x) for x in v))
    lines.append(f"  GPT loss max rel diff {c['gpt_loss_max_rel_diff']:.1e}; root max rel diff "
                 f"sum16 {c['sum16_root_max_rel_diff']:.1e}, W1 {c['w1_root_max_rel_diff']:.1e}")
    return "\n".join(line for line in lines if line)
