"""The tutorial network's step-through in a 900 x 620 px window (a notebook column's frame)."""

from __future__ import annotations

import pytest
from labharness import browser_path

import nn
from autograd import Value
from autograd.stepthrough.steps import step_through
from nn.tutorial import INPUTS, LEARNING_RATE, TARGETS, tutorial_network

TUTORIAL = ["w1", "w2", "b1", "w3", "w4", "b1", "w5", "w6", "b2", "w7", "w8", "b2"]


@pytest.fixture(scope="module")
def tab(tmp_path_factory):
    executable = browser_path()
    from playwright.sync_api import sync_playwright

    net = tutorial_network()
    for short, (_, p) in zip(TUTORIAL, net.named_parameters(), strict=True):
        p.label = short
    xs = [Value(x, label=f"i{k + 1}") for k, x in enumerate(INPUTS)]  # inputs take grads too
    error = nn.half_sse(net(xs), TARGETS)
    error.label = "E"
    target = step_through(error, lr=LEARNING_RATE).save(tmp_path_factory.mktemp("st") / "s.html")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 900, "height": 620})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(target.as_uri())
        yield page, errors
        browser.close()


VIEW = """() => {
  const view = document.getElementById('view').getBoundingClientRect();
  const drawing = document.querySelector('#stage svg').getBoundingClientRect();
  const lit = [...document.querySelectorAll('#stage g.node.lit text')].map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, height: r.height, left: r.left, right: r.right, top: r.top,
            bottom: r.bottom};
  });
  const bar = [...document.getElementById('bar').children].map(c => c.getBoundingClientRect());
  const cells = [...document.querySelectorAll('#stage g.node')].map(g => {
    const texts = [...g.querySelectorAll('text')].map(t => t.getBoundingClientRect())
      .sort((a, b) => a.left - b.left);
    return texts.map(r => [r.left, r.right]);
  });
  return {view: [view.left, view.top, view.right, view.bottom],
          drawing: [drawing.left, drawing.top, drawing.right, drawing.bottom],
          lit: lit, barTops: bar.map(r => Math.round(r.top)), barRight: Math.max(...bar.map(
            r => r.right)), pageWide: document.documentElement.scrollWidth, cells: cells,
          zoom: document.getElementById('zoom').textContent,
          caption: document.getElementById('caption').textContent};
}"""


def test_it_opens_on_the_first_frame_legible_with_no_blank_band(tab):
    page, errors = tab
    state = page.evaluate(VIEW)
    assert state["caption"].startswith("the leaves: w1 = 0.15, i1 = 0.05, w2 = 0.2")
    assert state["zoom"] == "100%"  # not a 20 % whole
    numbers = [t for t in state["lit"] if t["text"].startswith(("data", "grad"))]
    in_view = [t for t in numbers if t["left"] >= state["view"][0] and t["right"]
               <= state["view"][2] and t["top"] >= state["view"][1] and t["bottom"]
               <= state["view"][3]]
    assert len(in_view) >= 4 and all(t["height"] >= 9 for t in numbers)
    # The drawing is wider than the view: it fills it from edge to edge, no blank band.
    assert state["drawing"][0] <= state["view"][0] + 1
    assert state["drawing"][2] >= state["view"][2] - 1
    assert errors == []


def test_the_toolbar_fits_in_one_row_of_900_px(tab):
    page, _ = tab
    state = page.evaluate(VIEW)
    assert max(state["barTops"]) - min(state["barTops"]) < 12  # one row, not wrapped
    assert state["barRight"] <= 900
    assert state["pageWide"] <= 900


def test_after_the_update_every_number_stays_inside_its_cell(tab):
    page, errors = tab
    page.keyboard.press("End")
    state = page.evaluate(VIEW)
    assert state["caption"].startswith("gradient descent with lr=0.5: w1 = 0.15 - 0.5 ×")
    assert "i1 =" not in state["caption"]  # the inputs are not parameters
    for texts in state["cells"]:
        for (_, right), (left, _) in zip(texts, texts[1:]):
            assert right <= left + 0.5, texts
    assert errors == []
