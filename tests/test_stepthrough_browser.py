"""The demo's step-through page in a real browser at 1280 x 800: legible, and the controls work."""

from __future__ import annotations

import pytest
from labharness import browser_path

from autograd.stepthrough.steps import step_through
from nn.demo import readme_expression


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    executable = browser_path()
    from playwright.sync_api import sync_playwright

    a, b, g = readme_expression()
    target = step_through(g).save(tmp_path_factory.mktemp("steps") / "steps.html")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        tab = browser.new_page(viewport={"width": 1280, "height": 800})
        errors: list[str] = []
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.goto(target.as_uri())
        yield tab, errors
        browser.close()


def current(tab) -> dict:
    """Which frame shows, and the on-screen size and place of the current node's texts."""
    return tab.evaluate("""() => {
        const frames = [...document.querySelectorAll('.frame')];
        const i = frames.findIndex(f => !f.hidden);
        const texts = [...document.querySelectorAll('#stage g.node.lit text')].map(t => {
            const r = t.getBoundingClientRect();
            return {text: t.textContent, height: r.height, top: r.top, left: r.left,
                    right: r.right, bottom: r.bottom};
        });
        return {index: i, texts: texts, caption: document.getElementById('caption').textContent,
                slider: document.getElementById('slider').value};
    }""")


def legible_and_in_view(state: dict) -> None:
    numbers = [t for t in state["texts"] if t["text"].startswith(("data", "grad"))]
    assert numbers, state
    for t in numbers:
        # A 12 pt Graphviz text is about 1.2 times its font size tall on screen.
        assert t["height"] >= 9 * 1.1, t
        assert 0 <= t["left"] and t["right"] <= 1280 and 0 <= t["top"] and t["bottom"] <= 800, t


def test_the_default_view_shows_the_current_nodes_numbers_legibly(page):
    tab, errors = page
    state = current(tab)
    assert state["index"] == 0 and "the leaves" in state["caption"]
    legible_and_in_view(state)
    assert errors == []


def test_button_slider_and_keys_step_and_the_node_stays_in_view(page):
    tab, errors = page
    tab.click("#next")
    assert current(tab)["index"] == 1
    for _ in range(5):
        tab.keyboard.press("ArrowRight")
    state = current(tab)
    assert state["index"] == 6 and state["slider"] == "6"
    legible_and_in_view(state)
    tab.keyboard.press("ArrowLeft")
    assert current(tab)["index"] == 5
    tab.fill("#slider", "40")
    tab.dispatch_event("#slider", "input")
    state = current(tab)
    assert state["index"] == 40 and state["caption"].startswith(("v", "a", "b", "g"))
    legible_and_in_view(state)  # far across the drawing: the view followed the node
    tab.keyboard.press("End")
    last = current(tab)
    assert "grad(a) = 138.8" in last["caption"]
    tab.click("#prev")
    assert current(tab)["index"] == last["index"] - 1
    assert errors == []


def test_zoom_buttons_and_fit_toggle_change_the_scale(page):
    tab, errors = page

    def zoom() -> str:
        return tab.inner_text("#zoom")

    start = zoom()
    tab.click("#zoomin")
    assert int(zoom().rstrip("%")) > int(start.rstrip("%"))
    tab.click("#zoomout")
    tab.click("#zoomout")
    assert int(zoom().rstrip("%")) < int(start.rstrip("%"))
    tab.click("#fit")
    fitted = int(zoom().rstrip("%"))
    assert fitted < 100 and tab.inner_text("#fit") == "1:1"
    tab.keyboard.press("f")
    assert zoom() == "100%"
    tab.mouse.move(640, 500)
    tab.mouse.wheel(0, -300)
    assert int(zoom().rstrip("%")) > 100
    assert errors == []
