"""The example notebooks run top to bottom in a python3 kernel and show what they promise."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def _execute(name: str, timeout: int = 120):
    """Run notebooks/<name> from the repository root (so it imports this checkout's packages)."""
    notebook = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    NotebookClient(notebook, kernel_name="python3", timeout=timeout,
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    return notebook


def _printed(notebook) -> tuple[str, int]:
    """Everything the notebook printed (no errors, nothing on stderr) and its PNG count."""
    printed, images = [], 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error"
            if output["output_type"] == "stream":
                assert output["name"] == "stdout", output["text"]  # no warnings, no bars
                printed.append(output["text"])
            images += "image/png" in output.get("data", {})
    text = "".join(printed)
    print(text)
    return text, images


def test_worked_example_notebook_executes_and_prints_the_acceptance_numbers():
    notebook = _execute("worked_example_2_2_2.ipynb")
    text, images = _printed(notebook)
    for line in [
        "net_h1 = 0.377500000    out_h1 = 0.593269992",
        "net_o1 = 1.105905967    out_o1 = 0.751365070",
        "E_total = 0.298371109",
        "dE/dw5 (engine) = 0.082167041",
        "dE/dw1 (engine)  = 0.000438568",
        "w5+ = 0.358916480",
        "w1+ = 0.149780716",
        "E after one step = 0.2910277737",
        "E after 10,000 steps = 3.51019e-05",
        "outputs: 0.015913620 0.984064274",
        "(to 9 decimals: 0.291027924)",
        "outputs after 10,000 steps = 0.015912196 0.984065734",
        # the matrix form: the same numbers, checked against .grad
        "δ = (∂E/∂out) ⊙ sigmoid'(net) = [ 0.138498562  -0.038098237 ]ᵀ",
        "  ∂E/∂W = δ xᵀ = [  0.082167041   0.082667628 ]\n"
        "                 [ -0.022602540  -0.022740242 ]",
        "  ∂E/∂W = δ xᵀ = [ 0.000438568  0.000877135 ]",
        "check: all 12 entries of ∂E/∂W and ∂E/∂b equal the scalar engine's .grad",
        "dE/dw5: scalar .grad = 0.082167041   matrix (delta x^T) = 0.082167041",
        "dE/dw8: scalar .grad = -0.022740242   matrix (delta x^T) = -0.022740242",
        "dE/dw1: scalar .grad = 0.000438568   matrix (delta x^T) = 0.000438568",
        "same as the view: True",
        # explain() on E: the chain rule for w5 and the two paths of w1, with their numbers
        "sum of the paths = 0.0821670406; the backward pass gave 0.0821670406",
        "∂E/∂w1: 2 paths from E to w1",
        "sum of the paths = 0.000438567734; the backward pass gave 0.000438567734",
    ]:
        assert line in text, line
    assert images == 1  # the loss curve
    outputs = [o for cell in notebook.cells for o in cell.get("outputs", [])]
    assert any("image/svg+xml" in o.get("data", {}) and "i1" in o["data"]["image/svg+xml"]
               for o in outputs)  # the network diagram, with the tutorial's names
    assert any("text/latex" in o.get("data", {}) and "0.0821670406" in o["data"]["text/latex"]
               for o in outputs)  # the chain rule for w5 as mathematics
    html = [output["data"]["text/html"] for cell in notebook.cells
            for output in cell.get("outputs", []) if "text/html" in output.get("data", {})]
    assert any('class="vg-mv"' in page and "0.082167041" in page and 'class="ok"' in page
               for page in html)  # the matrix view displayed as tables

def test_moons_notebook_stops_early_restores_the_best_and_draws_the_history():
    text, images = _printed(_execute("moons.ipynb"))
    assert "30 training points, 30 validation points" in text
    stop = re.search(r"early stopping after step (\d+): val_loss has not improved for 20 "
                     r"validation\(s\); best val_loss [0-9.]+ after step (\d+); restored", text)
    assert stop and int(stop[1]) == int(stop[2]) + 20 and int(stop[1]) < 300
    now, best = re.search(r"validation loss now ([0-9.]+), recorded best ([0-9.]+)", text).groups()
    assert now == best
    assert len(re.findall(r"fold \d: 48 train / 12 validation", text)) == 5
    assert "mean validation accuracy over the folds: " in text
    assert images == 1  # the history plot

def test_quickstart_notebook_executes_and_displays_graphs_and_tables():
    nb = _execute("quickstart.ipynb", timeout=300)
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    svgs = [o.data["image/svg+xml"] for o in outputs
            if o.output_type == "execute_result" and "image/svg+xml" in o.data]
    assert len(svgs) == 3  # the neuron before and after backward, then a small network
    texts = [[t.text for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
             for svg in svgs]
    assert "grad 0" in texts[0] and "grad -1.5" not in texts[0]
    assert "grad -1.5" in texts[1]  # dy/dx after backward
    clusters = [g for g in ET.fromstring(svgs[2]).iter("{http://www.w3.org/2000/svg}g")
                if g.get("class") == "cluster"]
    assert len(clusters) == 4  # a box for each neuron of two layers of two
    html = [o.data["text/html"] for o in outputs
            if o.output_type == "execute_result" and "text/html" in o.data]
    assert len(html) == 2 and "<table" in html[0] and "data:image/svg+xml;base64," in html[1]
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "dy/dx = -1.5000" in printed and "∂y/∂w: 1 path" in printed
    assert "12 frames written to" in printed  # 1 + 3 forward + 1 + 6 backward + update
    assert "✗ differs" in printed and "passed on before all" in printed  # the naive() section
