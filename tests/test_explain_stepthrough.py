"""Step-through: one frame per backward step, highlighted node, self-contained HTML page."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET

import pytest

from autograd import Value
from autograd.draw import _ACTIVE_FILL, GraphTooLargeError
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
