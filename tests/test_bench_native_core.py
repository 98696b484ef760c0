"""bench.native_core at tiny sizes: the engines it compares compute the same numbers (never timing).

The GPT-shaped step must give the same losses on the bench's slotted engine and on valuegrad,
or its ratio would compare different work; the slotted engine's gradients are checked against
valuegrad's on the W1 graph; and the whole benchmark runs end to end (workers, alternation,
table, JSON) at its "tiny" size.
"""

import json
import math
import subprocess
import sys
from pathlib import Path

from autograd import Value
from bench import gpt, native_core, slotted
from bench import workloads as wl

ROOT = Path(__file__).resolve().parent.parent


def test_gpt_step_gives_the_same_losses_on_the_slotted_engine_and_valuegrad():
    corpus = ["ana", "bo", "kim"]  # short names keep the graphs small
    # three steps: after the first Adam update the losses depend on every gradient
    mine = gpt.train(slotted.Value, 3, corpus=corpus)
    ours = gpt.train(Value, 3, corpus=corpus)
    assert len(set(mine)) == 3  # training moves: the later losses check the gradients too
    for a, b in zip(mine, ours, strict=True):
        assert math.isclose(a, b, rel_tol=1e-12), (mine, ours)
    assert math.isclose(mine[0], math.log(gpt.VOCAB), rel_tol=0.15)  # small init: near uniform


def test_gpt_names_are_deterministic_and_fit_the_block():
    names = gpt.names()
    assert names == gpt.names() and len(set(names)) > 40
    assert all(3 <= len(n) <= gpt.BLOCK // 2 and n.isalpha() for n in names)
    assert gpt.tokens("ab") == [gpt.BOUNDARY, 0, 1, gpt.BOUNDARY]


def test_slotted_engine_gradients_match_valuegrad_on_w1():
    leaf_values, spec = wl.random_graph(300, seed=1)
    grads = []
    for cls in (slotted.Value, Value):
        leaves = [cls(x) for x in leaf_values]
        native_core.w1_graph(leaves, spec).backward()
        grads.append([float(v.grad) for v in leaves])
    assert any(grads[0]) and grads[0] == grads[1]


def test_slotted_engine_ops_and_their_gradients():
    x, y = slotted.Value(1.5), slotted.Value(-0.5)
    out = ((x / y - 2.0 / x) ** 2 + (1.0 - x * y).exp().log() - y.relu() + (-x) * 3.0)
    out.backward()
    # d/dx: 2(x/y - 2/x)(1/y + 2/x²) - y - 3;  d/dy: 2(x/y - 2/x)(-x/y²) - x
    r = x.data / y.data - 2.0 / x.data
    assert math.isclose(x.grad, 2 * r * (1 / y.data + 2 / x.data ** 2) - y.data - 3.0)
    assert math.isclose(y.grad, 2 * r * (-x.data / y.data ** 2) - x.data)


def test_native_core_bench_runs_end_to_end_at_tiny_size(tmp_path):
    out = tmp_path / "native.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.native_core", "--size", "tiny", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    assert report["columns"][:2] == ["peer", "pure"]
    checks = report["checks"]
    assert checks["gpt_loss_max_rel_diff"] <= 1e-12
    assert checks["w2_loss_max_rel_diff"] <= 1e-12  # micrograd and valuegrad: same model
    for row in ("sum16", "w1"):
        assert all(counted == walked for counted, walked in checks[f"{row}_nodes"].values())
        assert checks[f"{row}_root_max_rel_diff"] == 0.0
    assert checks["sum16_nodes"]["pure"][0] == 33 * report["config"]["sum16_rows"]
    assert len(report["table"]) == 12
    assert all(cell["best"] > 0 for entry in report["table"] for cell in entry["cells"].values())
    for label in ("sum16 build", "W1 backward", "W2 step", "GPT step", "GPT losses pure"):
        assert label in proc.stdout
