"""Review of the step-through: every frame shares one layout, so nothing jumps between frames."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from autograd import Value
from autograd.demo import readme_expression
from autograd.draw import _ACTIVE_EDGE, _ACTIVE_FILL
from autograd.stepthrough import step_through

SVG = "{http://www.w3.org/2000/svg}"


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
    import pytest

    from autograd.draw import GraphTooLargeError

    x = Value(1.0, label="x")
    y = x
    for _ in range(20):
        y = y * 2.0
    with pytest.raises(GraphTooLargeError, match="max_steps=5"):
        step_through(y, max_steps=5)
    assert x.grad == 0.0
    assert len(step_through(y, max_steps=41)) == 42  # 41 nodes: 41 steps plus the seed frame
