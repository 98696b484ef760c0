"""The worked-example notebook runs top to bottom and prints the tutorial's numbers."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "worked_example_2_2_2.ipynb"


def test_worked_example_notebook_executes_and_prints_the_acceptance_numbers():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # Run from the repository root so `import nn` finds this checkout's package.
    NotebookClient(notebook, kernel_name="python3", timeout=120,
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    printed, images = [], 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error"
            if output["output_type"] == "stream":
                assert output["name"] == "stdout", output["text"]  # no warnings
                printed.append(output["text"])
            images += "image/png" in output.get("data", {})
    text = "".join(printed)
    print(text)
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
        "∂E/∂layers.0.neurons.0.w.0: 2 paths from E to layers.0.neurons.0.w.0",
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
