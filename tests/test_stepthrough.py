"""Step-through: one frame per step, highlighted node, one shared layout, self-contained page."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET

import pytest

from autograd import Value
from autograd.demo import readme_expression
from autograd.draw import _ACTIVE_EDGE, _ACTIVE_FILL, GraphTooLargeError
from autograd.stepthrough import step_through

SVG = "{http://www.w3.org/2000/svg}"


def neuron() -> tuple[Value, Value, Value, Value]:
    x = Value(2.0, label="x")
    w = Value(-3.0, label="w")
    b = Value(6.8813735870195432, label="b")
    y = (x * w + b).tanh()
    y.label = "y"
    return x, w, b, y


def boxes(svg: str) -> dict[str, tuple[str, str]]:
    """name -> (grad text, fill colour) for every value box of a rendered frame."""
    out = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        if g.get("class") != "node":
            continue
        texts = [t.text or "" for t in g.iter(f"{SVG}text")]
        if len(texts) == 3:
            fill = next(p.get("fill") for p in g.iter(f"{SVG}polygon"))
            out[texts[0]] = (texts[2], fill)
    return out


def test_one_frame_per_step_with_the_processed_node_highlighted_and_grads_filling_in():
    x, w, b, y = neuron()
    st = step_through(y)
    assert len(st) == len(st.explanation.steps) + 1
    first = boxes(st.frames[0].svg)
    assert first["y"] == ("grad 1", _ACTIVE_FILL)
    assert first["x"][0] == "grad ?" and first["v4"][0] == "grad ?"
    for frame in st.frames[1:]:
        seen = boxes(frame.svg)
        assert seen[frame.step.name][1] == _ACTIVE_FILL
        assert sum(fill == _ACTIVE_FILL for _, fill in seen.values()) == 1
    after_mul = boxes(st.frames[4].svg)  # step 4 is the product x * w
    assert st.frames[4].step.op == "*"
    assert after_mul["x"][0] == "grad -1.5" and after_mul["w"][0] == "grad 1"
    assert "x += -3 × 0.5 = -1.5" in st.frames[4].caption
    final = boxes(st.frames[-1].svg)
    assert final["b"][0] == "grad 0.5" and x.grad == pytest.approx(-1.5)


def test_highlighted_edges_are_those_the_gradient_flows_along():
    x, w, b, y = neuron()
    st = step_through(y)
    root = ET.fromstring(st.frames[4].svg)
    coloured = [g for g in root.iter(f"{SVG}g") if g.get("class") == "edge"
                and any(p.get("stroke") == "#d84315" for p in g.iter(f"{SVG}path"))]
    assert len(coloured) == 3  # x -> *, w -> *, * -> v2


def test_html_page_is_self_contained_and_has_controls(tmp_path):
    x, w, b, y = neuron()
    y.label = "<script>alert(1)</script>"
    page = step_through(y).save(tmp_path / "steps.html")
    doc = ET.fromstring(page.read_text(encoding="utf-8"))
    frames = [d for d in doc.iter("div") if d.get("class") == "frame"]
    assert len(frames) == 7
    assert [d.get("hidden") for d in frames] == [None] + ["hidden"] * 6
    scripts = list(doc.iter("script"))
    assert len(scripts) == 1 and scripts[0].get("src") is None  # inline, nothing fetched
    assert {e.get("id") for e in doc.iter() if e.get("id")} >= {"prev", "next", "slider"}
    for el in doc.iter():
        for name, value in el.attrib.items():
            assert "http" not in value or name == "xmlns", (el.tag, name, value)
    for img in doc.iter("img"):
        prefix = "data:image/svg+xml;base64,"
        assert img.get("src").startswith(prefix)
        svg = base64.b64decode(img.get("src")[len(prefix):]).decode("utf-8")
        assert ET.fromstring(svg).tag == f"{SVG}svg"
    assert "<script>alert(1)</script>" in doc.find("head/title").text  # shown, not run


def test_too_many_steps_is_refused():
    x = Value(1.0)
    y = x
    for _ in range(20):
        y = y + 1.0
    with pytest.raises(GraphTooLargeError, match="max_steps=5"):
        step_through(y, max_steps=5)
    with pytest.raises(ValueError, match="max_steps"):
        step_through(y, max_steps=0)


def layout(svg: str) -> dict[str, tuple[str | None, ...]]:
    """Where each node and edge sits: its title -> the coordinates of its shapes."""
    out = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        if g.get("class") in ("node", "edge"):
            shapes = [el for el in g if el.tag != f"{SVG}title"]
            coords = tuple(el.get("points") or el.get("d") or el.get("cx") or el.get("x")
                           for el in shapes)
            out[g.find(f"{SVG}title").text + f"#{len(out)}"] = coords
    return out


def grad_texts(svg: str) -> dict[str, str]:
    out = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        texts = [t.text or "" for t in g.iter(f"{SVG}text")]
        if g.get("class") == "node" and len(texts) == 3:
            out[texts[0]] = texts[2]
    return out


def test_no_box_moves_between_frames_and_the_numbers_still_fill_in():
    a, b, g = readme_expression()
    st = step_through(g)
    first = layout(st.frames[0].svg)
    assert all(layout(f.svg) == first for f in st.frames)
    assert grad_texts(st.frames[0].svg)["a"] == "grad ?"
    assert grad_texts(st.frames[-1].svg)["a"] == "grad 138.8"
    assert grad_texts(st.frames[-1].svg)["b"] == "grad 645.6"


def test_a_square_highlights_both_of_its_edges():
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    st = step_through(y)
    root = ET.fromstring(st.frames[1].svg)
    lit = [g for g in root.iter(f"{SVG}g") if g.get("class") == "edge"
           and any(p.get("stroke") == _ACTIVE_EDGE for p in g.iter(f"{SVG}path"))]
    assert len(lit) == 3  # x -> * twice, * -> y
    fills = [p.get("fill") for p in root.iter(f"{SVG}polygon")]
    assert fills.count(_ACTIVE_FILL) == 1
    assert grad_texts(st.frames[1].svg)["x"] == "grad 6"


def test_a_refused_step_through_leaves_the_gradients_alone():
    x = Value(1.0, label="x")
    y = x
    for _ in range(20):
        y = y * 2.0
    with pytest.raises(GraphTooLargeError, match="max_steps=5"):
        step_through(y, max_steps=5)
    assert x.grad == 0.0
    # 41 nodes, 20 of them the constant 2: 21 steps plus the seed frame
    assert len(step_through(y, max_steps=41)) == 22
