"""Run every (engine, workload) pair in its own subprocess, then print the table and the ratios."""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .engines import ENGINES, WORKLOADS_BY_KIND

ROOT = Path(__file__).resolve().parent.parent
WORKLOADS = ("w1", "w2", "w3", "w4")
TIMEOUT_S = 1800


def run_worker(engine: str, workload: str, size: str) -> dict[str, Any]:
    """One worker process; its result, or what it managed to report before failing."""
    cmd = [sys.executable, "-m", "bench.worker", engine, workload, "--size", size]
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        return {"error": f"timed out after {TIMEOUT_S} s", "partial": _events(exc.stdout or "")}
    events = _events(proc.stdout)
    for event in events:
        if event.get("event") == "result":
            return event["result"]
    tail = proc.stderr.strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
    result: dict[str, Any] = {"error": tail[0][:200], "returncode": proc.returncode,
                              "partial": events}
    if workload == "w3":
        result.update(_w3_from_partial(events, proc.returncode))
    return result


def _events(stdout: str | bytes) -> list[dict[str, Any]]:
    if isinstance(stdout, bytes):
        stdout = stdout.decode(errors="replace")
    events = []
    for line in stdout.splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return events


def _w3_from_partial(events: list[dict[str, Any]], returncode: int) -> dict[str, Any]:
    """A W3 worker that crashed (a segfault, say) still reported every depth before the crash."""
    depths: dict[str, Any] = {}
    largest, failed_at = 0, None
    for event in events:
        if event.get("event") == "start":
            failed_at = event["depth"]
            depths[str(failed_at)] = {"ok": False, "error": f"process died ({returncode})"}
        elif event.get("event") == "progress" and event.get("figures", {}).get("ok"):
            depths[str(event["depth"])] = event["figures"]
            largest, failed_at = event["depth"], None
    return {"depths": depths, "largest_ok": largest, "failed_at": failed_at}


def machine_info() -> dict[str, Any]:
    """Where and with what the figures were measured."""
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                                capture_output=True, check=False).stdout.strip()
    except OSError:
        commit = ""
    return {
        "python": platform.python_version(), "implementation": platform.python_implementation(),
        "python_build": " ".join(platform.python_build()), "platform": platform.platform(),
        "cpu": cpu, "cpus": os.cpu_count(),
        "load_average_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "git_commit": commit, "started_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
    }


# Timing workloads that are rerun in every round; their samples are pooled across rounds.
POOLED = {"w1": ("build", "backward", "free"), "w2": ("ms_per_step",)}


def run(engines: list[str], workloads: list[str], size: str = "full",
        rounds: int = 1) -> dict[str, Any]:
    """Every requested pair, one subprocess each, with progress on stderr.

    With several rounds, W1 and W2 run once per round for every engine in turn and their samples
    are pooled, so a burst of load from other processes hits all engines alike and the ratios
    stay fair; W3 and W4 run in the first round only.
    """
    report: dict[str, Any] = {"size": size, "rounds": rounds, "machine": machine_info(),
                              "results": {}}
    for r in range(rounds):
        for engine in engines:
            for workload in WORKLOADS_BY_KIND[ENGINES[engine]["kind"]]:
                if workload not in workloads or (r > 0 and workload not in POOLED):
                    continue
                print(f"  round {r + 1}/{rounds}: {engine} {workload} ...", file=sys.stderr,
                      flush=True)
                t0 = time.perf_counter()
                result = run_worker(engine, workload, size)
                result["wall_s"] = round(time.perf_counter() - t0, 1)
                previous = report["results"].setdefault(engine, {}).get(workload)
                report["results"][engine][workload] = (result if previous is None
                                                       else _pool(workload, previous, result))
    report["machine"]["load_average_end"] = (os.getloadavg() if hasattr(os, "getloadavg")
                                             else None)
    return report


def _pool(workload: str, earlier: dict[str, Any], later: dict[str, Any]) -> dict[str, Any]:
    """Merge one more round's samples into a W1 or W2 result and recompute the medians."""
    if "error" in later or "skipped" in later:
        return earlier
    if "error" in earlier or "skipped" in earlier:
        return later
    for mode in ("gc_on", "gc_off"):
        old, new = earlier.get(mode), later.get(mode)
        if not old or not new:
            continue
        if workload == "w1":
            for k in POOLED["w1"]:
                old["samples"][k] += new["samples"][k]
                old[f"{k}_ns"] = statistics.median(old["samples"][k])
        else:
            old["samples"] += new["samples"]
            old["ms_per_step"] = statistics.median(old["samples"])
    earlier["wall_s"] = earlier.get("wall_s", 0) + later.get("wall_s", 0)
    return earlier


def main(argv: list[str] | None = None) -> None:
    """``python -m bench [--quick] [--json PATH] [--engines ...] [--workloads ...]``."""
    from .report import format_report, summarize

    parser = argparse.ArgumentParser(prog="python -m bench", description=(
        "valuegrad's benchmark suite: every engine in its own process, figures and ratios "
        "measured in the same run."))
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller W4 graph")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks the machinery, "
                        "measures nothing (the test suite uses it)")
    parser.add_argument("--json", metavar="PATH", help="also write every figure to this file")
    parser.add_argument("--report", metavar="PATH", help="print the table of a run saved with "
                        "--json, without measuring anything")
    parser.add_argument("--rounds", type=int, default=None, metavar="N",
                        help="run W1 and W2 N times over all engines in turn and pool the "
                        "samples (default: 3 for the full run, 1 otherwise)")
    parser.add_argument("--engines", default=",".join(ENGINES),
                        help=f"comma-separated subset of: {', '.join(ENGINES)}")
    parser.add_argument("--workloads", default=",".join(WORKLOADS),
                        help="comma-separated subset of: w1, w2, w3, w4")
    args = parser.parse_args(argv)
    if args.report:
        saved = json.loads(Path(args.report).read_text())
        summarize(saved)  # with this checkout's target list
        print(format_report(saved))
        return
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    workloads = [w.strip().lower() for w in args.workloads.split(",") if w.strip()]
    unknown = [e for e in engines if e not in ENGINES] + [w for w in workloads
                                                          if w not in WORKLOADS]
    if unknown:
        parser.error(f"unknown engine or workload: {', '.join(unknown)}")
    size = "smoke" if args.smoke else "quick" if args.quick else "full"
    rounds = args.rounds if args.rounds is not None else (3 if size == "full" else 1)
    if rounds < 1:
        parser.error("--rounds must be at least 1")
    report = run(engines, workloads, size, rounds)
    summarize(report)
    text = format_report(report)
    print(text)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n")
        print(f"\nall figures written to {args.json}")
