"""notebooks/quickstart.ipynb runs top to bottom in a python3 kernel and shows what it promises."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "quickstart.ipynb"


def test_quickstart_notebook_executes_and_displays_graphs_and_tables():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # Run from the repository root so the kernel imports this checkout's packages.
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(REPO)}}).execute()
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
