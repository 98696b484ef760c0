"""The benchmark runner works end to end at tiny sizes (it measures nothing here: never timing)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_runner_produces_well_formed_results(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--json", str(out),
         "--engines", "floats,valuegrad,valuegrad-nn,valuegrad-compiled"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    assert report["size"] == "smoke" and report["machine"]["python"]
    vg = report["results"]["valuegrad"]
    assert set(vg) >= {"w1", "w2", "w3", "w4"}
    for mode in ("gc_on", "gc_off"):
        assert all(vg["w1"][mode][f"{k}_ns"] >= 0 for k in ("build", "backward", "free"))
        assert vg["w2"][mode]["ms_per_step"] > 0
    assert vg["w1"]["root"] == report["results"]["floats"]["w1"]["root"]  # same graph, same value
    assert vg["w3"]["largest_ok"] == 1000 and vg["w4"]["traced_bytes_per_node"] > 0
    compiled = report["results"]["valuegrad-compiled"]["w2"]
    assert "skipped" not in compiled and compiled["gc_on"]["ms_per_step"] > 0
    # eager, nn and compiled train the same model: the same losses, or the ratios compare
    # different work
    assert report["summary"]["w2_losses_agree"] is True
    targets = {t["target"] for t in report["summary"]["targets"]}
    assert "W2 vs micrograd, GC on" in targets
    for heading in ("W1", "W2", "W3", "W4", "Targets"):
        assert heading in proc.stdout


def test_compile_scale_prints_a_verdict_per_row():
    proc = subprocess.run(
        [sys.executable, "-m", "bench.compile_scale", "--no-guards", "--chains", "200",
         "--random-ops", "300", "--backends", "auto,python,numpy,loop", "--repeats", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| chain")
            or line.startswith("| W1")]
    assert len(rows) == 8  # two graphs, four backends each
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[4] == "<= 3x, <= 2x"
        assert cells[5] == "within target" or cells[5].startswith("over (")
