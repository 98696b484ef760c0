"""notebooks/moons.ipynb runs top to bottom: a validation split, early stopping, curves, k-fold."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "moons.ipynb"


def test_moons_notebook_stops_early_restores_the_best_and_draws_the_history():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # Run from the repository root so `import nn` finds this checkout's package.
    NotebookClient(notebook, kernel_name="python3", timeout=120,
                   resources={"metadata": {"path": str(ROOT)}}).execute()
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
    assert "30 training points, 30 validation points" in text
    stop = re.search(r"early stopping after step (\d+): val_loss has not improved for 20 "
                     r"validation\(s\); best val_loss [0-9.]+ after step (\d+); restored", text)
    assert stop and int(stop[1]) == int(stop[2]) + 20 and int(stop[1]) < 300
    now, best = re.search(r"validation loss now ([0-9.]+), recorded best ([0-9.]+)", text).groups()
    assert now == best
    assert len(re.findall(r"fold \d: 48 train / 12 validation", text)) == 5
    assert "mean validation accuracy over the folds: " in text
    assert images == 1  # the history plot
