"""Every notebook in a real JupyterLab, read as a person reads it in a 900 px column.

Each notebook runs top to bottom in JupyterLab (headless Chromium); every output must fit the
column (or scroll inside its own box), print lines the column does not wrap, show every number
at least 9 px tall (HTML text, SVG text, SVG shown as images, and the step-through's frame), and
be no error.  At least one notebook shows `fit`'s progress bar as a widget.
"""

from __future__ import annotations

from typing import Any

import pytest
from labharness import COLUMN, ROOT, browser, column_page, lab, measure_outputs, run_all

__all__ = ["browser", "lab"]  # the fixtures, used by name

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
SMALLEST = 9.0  # px: the least height of a rendered number

# The frames (iframes) an output holds, such as the step-through's page: numbers in view.
FRAME_JS = """() => {
  const found = [];
  for (const t of document.querySelectorAll('svg text')) {
    const r = t.getBoundingClientRect();
    const inView = r.width > 0 && r.right > 0 && r.bottom > 0
      && window.innerWidth > r.left && window.innerHeight > r.top;
    if (inView && /[0-9]/.test(t.textContent)) found.push(r.height);
  }
  const bar = document.getElementById('bar');
  return {heights: found, pageWide: document.documentElement.scrollWidth,
          width: window.innerWidth,
          barSpread: bar ? Math.max(...[...bar.children].map(c => c.getBoundingClientRect().top))
            - Math.min(...[...bar.children].map(c => c.getBoundingClientRect().top)) : 0};
}"""

shown: dict[str, list[dict[str, Any]]] = {}


def frames_of(page: Any) -> list[dict[str, Any]]:
    return [frame.evaluate(FRAME_JS) for frame in page.frames if frame != page.main_frame]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_output_is_readable_in_a_900_px_column(lab, browser, name):
    page = column_page(browser, lab, name)
    try:
        run_all(page)
        outputs = measure_outputs(page)
        frames = frames_of(page)
        page.screenshot(path=str(lab.root.parent / f"{name}.png"), full_page=True)
    finally:
        lab.close(page)
    shown[name] = outputs
    assert outputs, "the notebook shows nothing"
    for out in outputs:
        where = f"{name} cell {out['cell']} ({out['mime']}): {out['text'][:80]!r}"
        assert not out["error"], where
        assert abs(out["column"] - COLUMN) <= 4, where  # the column is what it should be
        assert out["width"] <= out["column"] + 1, f"{where} is {out['width']:.0f} px wide"
        assert out["wrapped"] == 0, f"{where} has {out['wrapped']} lines wrapped"
        if out["smallest"] is not None:
            assert out["smallest"]["height"] >= SMALLEST, f"{where}: {out['smallest']}"
    for frame in frames:
        assert frame["heights"] and min(frame["heights"]) >= SMALLEST, frame
        assert frame["pageWide"] <= frame["width"] and frame["barSpread"] < 12, frame


def test_fit_shows_its_progress_bar_as_a_widget(lab, browser):
    if "moons.ipynb" not in shown:
        page = column_page(browser, lab, "moons.ipynb")
        try:
            run_all(page)
            shown["moons.ipynb"] = measure_outputs(page)
        finally:
            lab.close(page)
    assert any(out["progress"] for out in shown["moons.ipynb"])
