"""Review of drawing: the graphviz.Digraph API of a drawing works with valuegrad's renderer."""

from __future__ import annotations

import importlib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograd import Value, draw

drawmod = importlib.import_module("autograd.draw")
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def no_dot_on_path(monkeypatch, tmp_path):
    """A fresh machine: no Graphviz on PATH, only the graphviz-pure package."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv(drawmod.RENDERER_ENV, raising=False)


def neuron() -> Value:
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    y = (x * w).tanh()
    y.label = "y"
    y.backward()
    return y


def texts(svg: str | bytes) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_graphviz_pipe_uses_valuegrads_renderer(no_dot_on_path):
    graph = draw(neuron())
    assert "data -3" in texts(graph.pipe(format="svg"))
    assert "data -3" in texts(graph.pipe(encoding="utf-8"))  # svg is the default format
    assert graph.pipe(format="png")[:4] == b"\x89PNG"


def test_graphviz_render_writes_the_source_and_the_picture(no_dot_on_path, tmp_path):
    graph = draw(neuron())
    out = graph.render(tmp_path / "neuron")
    assert Path(out) == tmp_path / "neuron.svg"
    assert "grad 1" in texts(Path(out).read_bytes())
    assert (tmp_path / "neuron").read_text().startswith("digraph valuegrad {")
    png = graph.render("n2", directory=tmp_path, format="png", cleanup=True)
    assert Path(png).read_bytes()[:4] == b"\x89PNG" and not (tmp_path / "n2").exists()


def test_graphviz_style_save_still_saves_dot_source(tmp_path):
    graph = draw(neuron())
    saved = graph.save("g.gv", directory=tmp_path)
    assert Path(saved).read_text().startswith("digraph valuegrad {")
    assert Path(graph.save(tmp_path / "g.svg")).read_text().startswith("<?xml")


@pytest.mark.parametrize("html_labels", [False, True])
def test_bidi_overrides_and_zero_width_characters_are_spelled_out(html_labels):
    # "\u202e" would show "xwq" as "qwx" and "\u200b" would hide a difference between labels.
    a = Value(1.0, label="\u202exwq")
    b = Value(2.0, label="w\u200b")
    y = a * b
    y.label = "y"
    shown = texts(draw(y, html_labels=html_labels).svg())
    assert "\\u202exwq" in shown and "w\\u200b" in shown
    assert not any(ch in t for t in shown for ch in "\u202e\u200b")


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_every_edge_runs_in_data_flow_order(rankdir):
    # input box -> op node -> result box, read from the SVG titles ("n0->n3op").
    from autograd.demo import readme_expression
    from autograd.draw import graph_order

    _, _, g = readme_expression()
    g.backward()
    order = graph_order(g)
    ids = {v: f"n{i}" for i, v in enumerate(order)}
    expected = sorted([f"{ids[x]}->{ids[v]}op" for v in order for x in v.inputs]
                      + [f"{ids[v]}op->{ids[v]}" for v in order if v.op is not None])
    root = ET.fromstring(draw(g, rankdir=rankdir).svg())
    titles = sorted(e.find(f"{SVG}title").text for e in root.iter(f"{SVG}g")
                    if e.get("class") == "edge")
    assert titles == expected
    assert f"rankdir={rankdir}" in draw(g, rankdir=rankdir).source
