"""bench.modes runs end to end at a tiny size and its counts are explain_modes' (never timing)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_modes_prints_both_modes_for_both_shapes():
    proc = subprocess.run([sys.executable, "-m", "bench.modes", "--n", "5", "--repeats", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    rows = {tuple(line.split()[:2]): int(line.split()[3].replace(",", ""))
            for line in proc.stdout.splitlines()[2:]}
    assert set(rows) == {(c, m) for c in ("wide", "tall") for m in ("forward", "reverse")}
    # one loss of 5 inputs: reverse is cheaper; 5 outputs of one input: forward is
    assert rows["wide", "reverse"] < rows["wide", "forward"]
    assert rows["tall", "forward"] < rows["tall", "reverse"]
