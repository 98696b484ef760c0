"""Pictures in a real browser: each SVG fits a 900 px column, numbers >= 9 px, no text covered.

Loaded with playwright into Debian's headless Chromium (`executable_path`, `--no-sandbox`), once
inline in a 900 px notebook-like column and once in a 1280 x 800 window.  Skipped only when no
browser is installed and CI is unset; with CI=true a missing browser or playwright fails.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import nn
from autograd import Value, draw
from nn.demo import TUTORIAL_NAMES, readme_expression, run_demo
from nn.tutorial import INPUTS, TARGETS, tutorial_network

MIN_TEXT_PX = 9.0
BROWSERS = ("chromium-headless-shell", "chromium", "chromium-browser")

# Measures the inline SVG: its width, each number text's height, and every pair of boxes where an
# element of one node (or an edge label) covers the text of another node.
MEASURE = """() => {
  const svg = document.querySelector('svg');
  const box = r => ({l: r.left, t: r.top, r: r.right, b: r.bottom, h: r.height});
  const texts = [...svg.querySelectorAll('text')].map(t => ({s: t.textContent,
      owner: t.closest('g.node, g.edge, g.cluster'), ...box(t.getBoundingClientRect())}));
  const numbers = texts.filter(t => /[0-9]/.test(t.s) && t.s.trim());
  const shapes = [...svg.querySelectorAll('g.node > ellipse, g.node > polygon, g.node > path')]
      .map(s => ({owner: s.closest('g'), ...box(s.getBoundingClientRect())}));
  const hit = (a, b) => Math.min(a.r, b.r) - Math.max(a.l, b.l) > 1 &&
                        Math.min(a.b, b.b) - Math.max(a.t, b.t) > 1;
  const overlaps = [];
  for (const t of texts.filter(t => t.owner && t.owner.classList.contains('node'))) {
    for (const o of [...shapes, ...texts]) {
      if (o.owner !== t.owner && o.owner && hit(t, o))
        overlaps.push(t.s + ' / ' + (o.s || o.owner.querySelector('title').textContent));
    }
  }
  const words = texts.filter(t => t.s.trim());
  const tiny = ts => ts.filter(t => t.h < MIN_PX).map(t => t.s + ' ' + t.h.toFixed(1)).slice(0, 5);
  return {width: svg.getBoundingClientRect().width,
          smallest: Math.min(...numbers.map(t => t.h)),
          small: tiny(numbers),
          smallestText: Math.min(...words.map(t => t.h)), smallText: tiny(words),
          overlaps: overlaps.slice(0, 5), count: numbers.length};
}""".replace("MIN_PX", str(MIN_TEXT_PX))


def _browser() -> str | None:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def page():
    """A headless Chromium page; skipped only outside CI when no browser is installed."""
    executable = _browser()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if executable is None or sync_playwright is None:
        missing = "playwright" if sync_playwright is None else "a Chromium browser"
        if os.environ.get("CI"):
            pytest.fail(f"CI needs {missing} for the picture tests "
                        "(apt-get install -y chromium-headless-shell; pip install '.[test]')")
        pytest.skip(f"no {missing} installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield browser.new_page()
        browser.close()


def mazur_diagram():
    net = tutorial_network()
    return nn.diagram(net, INPUTS, TARGETS, names=TUTORIAL_NAMES, lr=0.5)


def diagram_3_2_2():
    net = nn.MLP(3, [2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    net.set_weights([[[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]], [[0.7, 0.9], [0.8, 0.1]]],
                    [[0.5, 0.5], [0.5, 0.5]])
    return nn.diagram(net, [1.0, 4.0, 5.0], [0.1, 0.05], lr=0.5)


def mlp_4_4_1_diagram():
    return nn.diagram(nn.MLP(2, [4, 4, 1], seed=1), [0.5, -1.0], [1.0])


def mlp_16_16_1_diagram():
    return nn.diagram(nn.MLP(2, [16, 16, 1], seed=1), [0.5, -1.0], [1.0])


def expression_graph():
    _, _, g = readme_expression()
    g.backward()
    return draw(g)


def tutorial_graph():
    net = tutorial_network()
    xs = [Value(x, label=f"i{k + 1}", requires_grad=False) for k, x in enumerate(INPUTS)]
    error = nn.half_sse(net(xs), TARGETS)
    error.label = "E"
    error.backward()
    picture = draw(error)
    picture.keep = net  # the drawing names the nodes from the live network
    return picture


PICTURES = {"2-2-2 diagram": mazur_diagram, "3-2-2 diagram": diagram_3_2_2,
            "4-4-1 diagram": mlp_4_4_1_diagram, "16-16-1 diagram": mlp_16_16_1_diagram,
            "README expression": expression_graph,
            "2-2-2 op graph": tutorial_graph}


def measure(page, svg: str, width: int | None) -> dict:
    """Show the SVG inline in a column `width` px wide (None: a 1280 x 800 window)."""
    if width is None:
        page.set_viewport_size({"width": 1280, "height": 800})
        html = f'<html><body style="margin:0">{svg}</body></html>'
    else:
        page.set_viewport_size({"width": width + 20, "height": 800})
        html = (f'<html><body style="margin:0"><div style="width:{width}px">{svg}</div>'
                "</body></html>")
    page.set_content(html)
    return page.evaluate(MEASURE)


def check(found: dict, width: int, every_text: bool = False) -> None:
    """The SVG fits, its numbers (every_text: all its words) are tall enough, nothing overlaps."""
    assert found["width"] <= width + 0.5, f"{found['width']:.0f} px wide"
    assert found["count"] > 0
    assert found["smallest"] >= MIN_TEXT_PX, found["small"]
    if every_text:
        assert found["smallestText"] >= MIN_TEXT_PX, found["smallText"]
    assert not found["overlaps"], found["overlaps"]


@pytest.mark.parametrize("name", PICTURES)
def test_pictures_fit_a_notebook_column_and_stay_legible(page, name):
    svg = PICTURES[name]().svg()
    diagram = name.endswith("diagram")  # a network diagram: titles and captions are read too
    check(measure(page, svg, 900), 900, every_text=diagram)
    check(measure(page, svg, None), 1280, every_text=diagram)


@pytest.mark.parametrize("name", [name for name in PICTURES if name.endswith("diagram")])
def test_network_diagrams_stay_legible_with_every_renderer(page, renderer, name):
    svg = PICTURES[name]().svg()
    check(measure(page, svg, 900), 900, every_text=True)


def test_every_picture_the_demo_writes_is_legible(page, tmp_path: Path):
    assert run_demo(tmp_path, steps=2, samples=30) == 0
    svgs = sorted(tmp_path.glob("*.svg"))
    assert len(svgs) >= 5
    for path in svgs:
        svg = path.read_text(encoding="utf-8")
        svg = svg[svg.index("<svg"):]
        for width in (900, None):
            try:
                check(measure(page, svg, width), width or 1280,
                      every_text=path.name.startswith("network-"))
            except AssertionError as exc:
                raise AssertionError(f"{path.name} at {width or '1280x800'}: {exc}") from None
