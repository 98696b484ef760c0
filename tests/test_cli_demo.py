"""`valuegrad demo` (python -m nn demo) end to end in a subprocess: training, pictures, files."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SVG = "{http://www.w3.org/2000/svg}"


def run_demo(out: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nn", "demo", "--out", str(out),
                           "--steps", "3", "--samples", "40"], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=300, check=False)


def svg_texts(path: Path) -> list[str]:
    """The text of each drawn box, its fields joined by newlines."""
    root = ET.parse(path).getroot()
    return ["\n".join(t.text or "" for t in g.iter(f"{SVG}text"))
            for g in root.iter(f"{SVG}g") if g.get("class") == "node"]


def test_demo_trains_reports_accuracy_and_writes_every_picture(tmp_path):
    out = tmp_path / "demo"
    done = run_demo(out)
    assert done.returncode == 0, done.stderr
    assert re.search(r"accuracy after training: \d+\.\d% \(\d+/40\); loss [0-9.]+ -> [0-9.]+; "
                     r"\d+\.\d% on 10 held-out points", done.stdout)
    assert "3/3" in done.stderr  # tqdm's progress bar reached the last step
    for name in ("history.png", "decision_boundary.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    expression = svg_texts(out / "expression.svg")
    assert "a\ndata -4\ngrad 138.8" in expression and "b\ndata 2\ngrad 645.6" in expression
    graph = svg_texts(out / "graph-2-2-2.svg")
    assert "w5\ndata 0.4\ngrad 0.08217" in graph  # the tutorial's dE/dw5
    assert any(t.startswith("E\ndata 0.2984") for t in graph)
    network = [t.text for t in ET.parse(out / "network-2-2-2.svg").iter(f"{SVG}text")]
    assert {"w5 = 0.4", "∂E/∂w5 = 0.08217", "→ 0.3589", "out 0.5933", "0.2984"} <= set(network)
    neuron = svg_texts(out / "neuron.svg")
    assert any(t.startswith("output\n") and "data 0\n" not in t for t in neuron)  # active
    assert sum(t.startswith("w.") for t in neuron) == 2
    for name in ("neuron", "expression", "graph-2-2-2"):
        # Every picture comes from one fresh backward pass: no chain-rule banner anywhere.
        text = (out / f"{name}.svg").read_text(encoding="utf-8")
        assert "do not add up" not in text and "no backward" not in text, name
    assert "loss" in [t.text for t in ET.parse(out / "network-moons.svg").iter(f"{SVG}text")]
    # micrograd's README expression: 27 nodes that take a gradient, plus the seed frame
    assert (out / "steps.html").read_text(encoding="utf-8").count('class="frame"') >= 28


def test_demo_without_matplotlib_explains_how_to_get_the_plots(tmp_path):
    blocker = tmp_path / "block" / "matplotlib"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('matplotlib hidden by the test')\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "block")}
    out = tmp_path / "demo"
    done = run_demo(out, env)
    assert done.returncode == 0, done.stderr
    assert "pip install 'valuegrad[plot]'" in done.stdout
    assert not (out / "history.png").exists()
    assert (out / "neuron.svg").exists() and (out / "expression.svg").exists()
