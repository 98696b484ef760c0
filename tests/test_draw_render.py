"""Rendering drawings: finding dot / graphviz-pure, SVG/PNG/DOT output, graphviz's own API."""

from __future__ import annotations

import os
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograd import Value, draw
from autograd.viz import render
from autograd.viz.display import mimebundle
from autograd.viz.render import RendererNotFoundError, find_renderer
from nn.demo import readme_expression as micrograd_expression

SVG = "{http://www.w3.org/2000/svg}"

@pytest.fixture
def no_dot_on_path(monkeypatch, tmp_path):
    """A fresh machine: no Graphviz on PATH, only the graphviz-pure package."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv(render.RENDERER_ENV, raising=False)


def neuron() -> Value:
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    y = (x * w).tanh()
    y.label = "y"
    y.backward()
    return y


def texts(svg: str | bytes) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_dot_text_needs_no_renderer_and_missing_renderer_explains_the_fix(monkeypatch, tmp_path):
    monkeypatch.delenv(render.RENDERER_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no dot anywhere
    monkeypatch.setattr(render, "_graphviz_pure_executable", lambda: None)
    _, _, g = micrograd_expression()
    graph = draw(g)
    assert graph.source.startswith("digraph valuegrad {")
    with pytest.raises(RendererNotFoundError, match="pip install graphviz-pure") as info:
        graph.svg()
    assert render.RENDERER_ENV in str(info.value)
    # Jupyter gets a text note instead of an exception.
    assert "graph not" in mimebundle(g)["text/plain"]


def test_graphviz_pure_is_found_from_the_installed_package(monkeypatch, tmp_path):
    path = render._graphviz_pure_executable()
    assert path is not None and os.access(path, os.X_OK)
    monkeypatch.delenv(render.RENDERER_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # not on PATH, still found
    assert find_renderer() == path


def fake_renderer(folder: Path, name: str) -> Path:
    """A stand-in renderer that answers every request with a tiny SVG naming itself."""
    script = folder / name
    script.write_text(f"#!/bin/sh\ncat > /dev/null\necho '<svg xmlns=\"http://www.w3.org/2000/"
                      f"svg\"><text>{name}</text></svg>'\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_system_dot_wins_over_graphviz_pure_and_the_env_var_wins_over_both(monkeypatch, tmp_path):
    monkeypatch.delenv(render.RENDERER_ENV, raising=False)
    dot = fake_renderer(tmp_path, "dot")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_renderer() == str(dot)
    assert "<text>dot</text>" in draw(Value(1.0)).svg()
    other = fake_renderer(tmp_path, "my-renderer")
    monkeypatch.setenv(render.RENDERER_ENV, str(other))
    assert find_renderer() == str(other)
    assert "<text>my-renderer</text>" in draw(Value(1.0)).svg()
    monkeypatch.setenv(render.RENDERER_ENV, str(tmp_path / "missing"))
    with pytest.raises(RendererNotFoundError, match="missing"):
        find_renderer()


def test_save_writes_svg_png_and_dot(tmp_path):
    _, _, g = micrograd_expression()
    graph = draw(g, rankdir="TB")
    assert ET.parse(graph.save(tmp_path / "g.svg")).getroot().tag == f"{SVG}svg"
    assert (graph.save(tmp_path / "g.png")).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert graph.save(tmp_path / "g.dot").read_text() == graph.source
    with pytest.raises(ValueError, match="format"):
        graph.save(tmp_path / "g.pdf")


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


def test_svg_scales_down_to_its_container_but_keeps_its_shape():
    _, _, g = micrograd_expression()
    svg = draw(g).svg()
    root = ET.fromstring(svg)
    assert root.get("width") == "100%" and root.get("height") is None
    natural = float(root.get("data-natural-width").removesuffix("pt"))
    assert f"max-width:{root.get('data-natural-width')}" in root.get("style")
    view = [float(x) for x in root.get("viewBox").split()]
    assert abs(view[2] - natural) < 1.01  # the viewBox keeps the aspect ratio for the browser
