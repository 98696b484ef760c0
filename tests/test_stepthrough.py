"""Step-through: the tutorials' phases, one shared layout, captions with the numbers, one file."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from autograd import Value
from autograd.stepthrough.steps import step_through
from autograd.viz.draw import _ACTIVE_EDGE, _ACTIVE_FILL, GraphTooLargeError
from nn.demo import readme_expression

SVG = "{http://www.w3.org/2000/svg}"


def neuron() -> tuple[Value, Value, Value, Value]:
    x = Value(2.0, label="x")
    w = Value(-3.0, label="w")
    b = Value(6.8813735870195432, label="b")
    y = (x * w + b).tanh()
    y.label = "y"
    return x, w, b, y


def boxes(svg: str) -> dict[str, tuple[str, str, str]]:
    """name -> (data text, grad text, fill colour) for every value box of a frame."""
    out = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        if g.get("class") not in ("node", "node active"):
            continue
        texts = [t.text or "" for t in g.iter(f"{SVG}text")]
        if len(texts) == 3:
            fill = next(p.get("fill") for p in g.iter(f"{SVG}polygon"))
            out[texts[0]] = (texts[1], texts[2], fill)
    return out


def lit_edges(svg: str) -> int:
    return sum(1 for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("class") == "edge"
               and any(p.get("stroke") == _ACTIVE_EDGE for p in g.iter(f"{SVG}path")))


def test_frames_follow_the_tutorials_phases():
    x, w, b, y = neuron()
    st = step_through(y, lr=0.1)
    phases = [f.phase for f in st.frames]
    assert phases == (["initialise"] + ["forward"] * 3 + ["result"] + ["backward"] * 6
                      + ["update"])
    assert st.frames[0].caption == ("the leaves: x = 2, w = -3, b = 6.881; every other value "
                                    "is still unknown")
    assert st.frames[1].caption == "x*w = 2*(-3) = -6"
    assert st.frames[3].caption == "y = tanh(x*w + b) = tanh(0.8814) = 0.7071"
    assert "backward starts here: grad(y) = 1" in st.frames[4].caption
    assert st.frames[-1].caption.startswith("gradient descent with lr=0.1: x = 2 - 0.1 × (-1.5)"
                                            " = 2.15; w = -3 - 0.1 × 1 = -3.1")
    assert x.data == 2.0 and w.data == -3.0  # the update is shown, not made


def test_forward_frames_fill_in_values_and_backward_frames_gradients():
    x, w, b, y = neuron()
    st = step_through(y)
    first = boxes(st.frames[0].svg)
    assert first["x"][:2] == ("data 2", "grad ?") and first["x*w"][:2] == ("data ?", "grad ?")
    assert first["x"][2] == _ACTIVE_FILL and first["x*w"][2] != _ACTIVE_FILL
    after_product = boxes(st.frames[1].svg)
    assert after_product["x*w"] == ("data -6", "grad ?", _ACTIVE_FILL)
    assert lit_edges(st.frames[1].svg) == 3  # x -> *, w -> *, * -> x*w
    product = next(f for f in st.frames if f.step is not None and f.step.name == "x*w")
    shown = boxes(product.svg)
    assert shown["x"][1] == "grad -1.5" and shown["w"][1] == "grad 1"
    assert "∂(x*w)/∂x = w = -3: grad(x) += -3 × 0.5 = -1.5 (so far -1.5)" in product.caption
    assert lit_edges(product.svg) == 3
    for frame in st.frames:
        assert sum(fill == _ACTIVE_FILL for *_, fill in boxes(frame.svg).values()) >= 1
    assert boxes(st.frames[-1].svg)["b"][1] == "grad 0.5" and x.grad == pytest.approx(-1.5)


def layout(svg: str) -> dict[str, tuple[str | None, ...]]:
    """Where each node and edge sits: its title -> the coordinates of its shapes."""
    out = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        if g.get("class") in ("node", "node active", "edge"):
            shapes = [el for el in g if el.tag != f"{SVG}title"]
            coords = tuple(el.get("points") or el.get("d") or el.get("cx") or el.get("x")
                           for el in shapes)
            out[g.find(f"{SVG}title").text + f"#{len(out)}"] = coords
    return out


def test_no_box_moves_between_frames_and_the_numbers_still_fill_in():
    a, b, g = readme_expression()
    st = step_through(g)
    first = layout(st.frames[0].svg)
    assert all(layout(f.svg) == first for f in st.frames)
    assert boxes(st.frames[0].svg)["a"][1] == "grad ?"
    assert boxes(st.frames[-1].svg)["a"][1] == "grad 138.8"
    assert boxes(st.frames[-1].svg)["b"][1] == "grad 645.6"
    # Constants are numbers in the drawing, never frames of their own.
    assert not any("constant" in f.caption for f in st.frames)


def test_a_square_highlights_both_of_its_edges():
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    st = step_through(y)
    square = next(f for f in st.frames if f.phase == "backward" and f.step.node is y)
    assert lit_edges(square.svg) == 3  # x -> * twice, * -> y
    assert boxes(square.svg)["x"][1] == "grad 6"
    assert "(left factor)" in square.caption and "(so far 6)" in square.caption


def test_html_page_is_self_contained_and_has_controls(tmp_path):
    x, w, b, y = neuron()
    y.label = "<script>alert(1)</script>"
    page = step_through(y).save(tmp_path / "steps.html")
    doc = ET.fromstring(page.read_text(encoding="utf-8"))
    frames = [d for d in doc.iter("div") if d.get("class") == "frame"]
    assert len(frames) == 11
    assert [d.get("hidden") for d in frames] == [None] + ["hidden"] * 10
    scripts = list(doc.iter("script"))
    assert len(scripts) == 1 and scripts[0].get("src") is None  # inline, nothing fetched
    assert {e.get("id") for e in doc.iter() if e.get("id")} >= {
        "prev", "next", "slider", "zoomin", "zoomout", "fit", "view", "stage"}
    for el in doc.iter():
        for name, value in el.attrib.items():
            assert "http" not in value or name == "xmlns", (el.tag, name, value)
    drawings = list(doc.iter(f"{SVG}svg"))
    assert len(drawings) == 1 and float(drawings[0].get("width")) > 100  # one drawing, shared
    ids = {e.get("id") for e in drawings[0].iter() if e.get("id")}
    for frame in frames:
        assert float(frame.get("data-x")) > 0 and float(frame.get("data-y")) > 0
        texts = json.loads(frame.get("data-texts"))
        assert set(texts[::2]) <= ids and set(json.loads(frame.get("data-lit"))) <= ids
    assert json.loads(frames[1].get("data-texts")) == ["dn2", "data -6"]  # x*w computed
    assert "<script>alert(1)</script>" in doc.find("head/title").text  # shown, not run


def test_too_many_steps_is_refused_and_leaves_the_gradients_alone():
    x = Value(1.0, label="x")
    y = x
    for _ in range(20):
        y = y * 2.0
    with pytest.raises(GraphTooLargeError, match="max_steps=5"):
        step_through(y, max_steps=5)
    assert x.grad == 0.0
    # 41 nodes, 20 of them the constant 2: initialise, 20 forward, result, 21 backward
    assert len(step_through(y, max_steps=41)) == 43
    with pytest.raises(ValueError, match="max_steps"):
        step_through(y, max_steps=0)
