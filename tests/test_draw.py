"""Drawing: DOT structure, SVG parsed with ElementTree, renderer discovery, hostile labels."""

from __future__ import annotations

import importlib
import os
import re
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograd import Value, topological_order
from autograd.demo import readme_expression as micrograd_expression
from autograd.draw import (
    GraphTooLargeError,
    RendererNotFoundError,
    draw,
    escape_html,
    escape_record,
    find_renderer,
    mimebundle,
)

drawmod = importlib.import_module("autograd.draw")  # the module (autograd.draw is the function)
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


def tiny_network() -> tuple[list[Value], Value]:
    """A 2-2-2 network written out by hand with nn-style dotted parameter labels."""
    xs = [Value(0.5, label="x0", requires_grad=False), Value(-1.5, label="x1", requires_grad=False)]
    params = []
    h = xs
    for layer in range(2):
        outs = []
        for n in range(2):
            ws = [Value(0.1 * (layer + n + k + 1), label=f"layers.{layer}.neurons.{n}.w.{k}")
                  for k in range(2)]
            bias = Value(-0.2, label=f"layers.{layer}.neurons.{n}.b")
            params += [*ws, bias]
            outs.append((ws[0] * h[0] + ws[1] * h[1] + bias).tanh())
        h = outs
    loss = (h[0] - 1.0) ** 2 + (h[1] + 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    return params, loss


def svg_root(graph) -> ET.Element:
    return ET.fromstring(graph.svg())


def groups(root: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == cls]


def node_text(group: ET.Element) -> str:
    return "\n".join(t.text or "" for t in group.iter(f"{SVG}text"))


def test_svg_has_one_box_per_value_one_node_per_op_and_every_edge():
    a, b, g = micrograd_expression()
    g.backward()
    order = topological_order(g)
    ops = [v for v in order if v.op is not None]
    edges = sum(len(v.inputs) for v in ops) + len(ops)  # inputs -> op, op -> result
    root = svg_root(draw(g))
    assert len(groups(root, "node")) == len(order) + len(ops)
    assert len(groups(root, "edge")) == edges
    texts = [node_text(n) for n in groups(root, "node")]
    assert any(t.split("\n")[0] == "a" and "data -4" in t and "grad 138.8" in t for t in texts)
    assert any(t.split("\n")[0] == "b" and "grad 645.6" in t for t in texts)
    assert any(t.startswith("g\n") and "data 24.7" in t and "grad 1" in t for t in texts)


def test_number_format_is_configurable_and_checked():
    x = Value(2.0, label="x")
    y = x * 3.0
    y.backward()
    texts = [node_text(n) for n in groups(svg_root(draw(y, number_format=".2f")), "node")]
    assert "x\ndata 2.00\ngrad 3.00" in texts
    with pytest.raises(ValueError, match="number_format"):
        draw(y, number_format="%d")


def test_dot_text_needs_no_renderer_and_missing_renderer_explains_the_fix(monkeypatch, tmp_path):
    monkeypatch.delenv(drawmod.RENDERER_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no dot anywhere
    monkeypatch.setattr(drawmod, "_graphviz_pure_executable", lambda: None)
    _, _, g = micrograd_expression()
    graph = draw(g)
    assert graph.source.startswith("digraph valuegrad {")
    with pytest.raises(RendererNotFoundError, match="pip install graphviz-pure") as info:
        graph.svg()
    assert drawmod.RENDERER_ENV in str(info.value)
    # Jupyter gets a text note instead of an exception.
    assert "graph not" in mimebundle(g)["text/plain"]


def test_graphviz_pure_is_found_from_the_installed_package(monkeypatch, tmp_path):
    path = drawmod._graphviz_pure_executable()
    assert path is not None and os.access(path, os.X_OK)
    monkeypatch.delenv(drawmod.RENDERER_ENV, raising=False)
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
    monkeypatch.delenv(drawmod.RENDERER_ENV, raising=False)
    dot = fake_renderer(tmp_path, "dot")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_renderer() == str(dot)
    assert "<text>dot</text>" in draw(Value(1.0)).svg()
    other = fake_renderer(tmp_path, "my-renderer")
    monkeypatch.setenv(drawmod.RENDERER_ENV, str(other))
    assert find_renderer() == str(other)
    assert "<text>my-renderer</text>" in draw(Value(1.0)).svg()
    monkeypatch.setenv(drawmod.RENDERER_ENV, str(tmp_path / "missing"))
    with pytest.raises(RendererNotFoundError, match="missing"):
        find_renderer()


HOSTILE = [
    '<script>alert("x")</script>',
    "a & b; &amp; &#60;",
    'quote " and \' apostrophe',
    "back\\slash \\N \\G \\l end\\",
    "{record|fields} <port> | x",
    "two\nlines",
    '"><a href="javascript:alert(1)">click</a>',
    "<<B>html</B>>",
    "bell\x07 nul\x00 esc\x1b",
]
ALLOWED_TAGS = {"svg", "g", "title", "polygon", "polyline", "path", "text", "ellipse"}


def assert_svg_is_clean(root: ET.Element) -> None:
    for el in root.iter():
        tag = el.tag.replace(SVG, "")
        assert tag in ALLOWED_TAGS, f"unexpected element {el.tag}"
        for name, value in el.attrib.items():
            assert "href" not in name, f"link attribute {name}={value!r}"
            assert not name.startswith("on"), f"event attribute {name}"
            assert "javascript" not in value.lower()


@pytest.mark.parametrize("html_labels", [False, True])
def test_hostile_labels_show_literally_and_inject_nothing(html_labels):
    leaves = [Value(float(i), label=text) for i, text in enumerate(HOSTILE)]
    total = leaves[0]
    for v in leaves[1:]:
        total = total + v
    total.label = "sum <b>&</b>"
    total.backward()
    root = svg_root(draw(total, html_labels=html_labels))
    assert_svg_is_clean(root)
    texts = [node_text(n) for n in groups(root, "node")]
    for text in HOSTILE:
        shown = drawmod._visible(text)  # control characters are spelled out, e.g. \x07
        assert any(t.startswith(shown + "\n") for t in texts), (text, texts)
    assert "\\x07" in drawmod._visible(HOSTILE[-1])
    assert any(t.startswith("sum <b>&</b>\n") for t in texts)


def test_hostile_module_names_in_cluster_titles_are_literal():
    evil = '<script>x</script>"&\\'
    w = Value(2.0, label=f"{evil}.0.w.0")
    y = (w * 3.0).tanh()
    y.backward()
    root = svg_root(draw(y))
    assert_svg_is_clean(root)
    titles = [node_text(c) for c in groups(root, "cluster")]
    assert titles == [f"{evil}.0"]


def test_escapers_handle_every_special_character():
    assert escape_record('a{b}|<c> "d"&\\') == 'a\\{b\\}\\|\\<c\\>\\ \\"d\\"&amp;\\\\'
    assert escape_html('<a href="x">&\'\\') == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;\\\\"
    long = "x" * 500
    assert len(escape_record(long)) == drawmod.MAX_LABEL_CHARS


def dot_clusters(source: str) -> dict[str, list[str]]:
    """Which node ids sit directly inside which cluster, from the DOT text."""
    stack: list[str] = []
    pending = False
    members: dict[str, list[str]] = {}
    for line in source.splitlines():
        line = line.strip()
        if line.startswith("subgraph cluster_"):
            stack.append("?")
            pending = True
        elif line == "}":
            if stack:
                stack.pop()
        elif pending:
            stack[-1] = re.search(r' label="([^"]*)"', line).group(1)
            members[stack[-1]] = []
            pending = False
        elif stack and line.split(" ")[0].startswith("n") and "->" not in line:
            members[stack[-1]].append(line.split(" ")[0])
    return members


def test_network_parameters_are_highlighted_and_grouped_per_layer_and_neuron():
    params, loss = tiny_network()
    graph = draw(loss)
    clusters = dot_clusters(graph.source)
    assert set(clusters) == {"layers.0", "layers.1", "layers.0.neurons.0", "layers.0.neurons.1",
                             "layers.1.neurons.0", "layers.1.neurons.1"}
    # Each neuron holds its 3 parameters, 2 products, 2 sums and the tanh (8 Values + 7 ops).
    for name in ("layers.0.neurons.0", "layers.1.neurons.1"):
        boxes = [i for i in clusters[name] if not i.endswith("op")]
        assert len(boxes) == 8, clusters[name]
    assert clusters["layers.0"] == [] and clusters["layers.1"] == []  # only nested neurons
    root = svg_root(graph)
    texts = [node_text(n) for n in groups(root, "node")]
    # Inside its neuron's box a parameter is shown by its short name.
    assert sum(t.startswith("w.0\n") for t in texts) == 4
    assert sum(t.startswith("b\n") for t in texts) == 4
    highlighted = draw(loss).source.count(drawmod._PARAM_FILL)
    assert highlighted == len(params)
    # The loss (mixing the outputs with the targets) stays outside every neuron.
    assert not any(set(ids) & {"n" + str(len(topological_order(loss)) - 1)}
                   for ids in clusters.values())


def test_focus_draws_only_what_feeds_the_chosen_node():
    a, b, g = micrograd_expression()
    g.backward()
    part = next(v for v in topological_order(g) if v.op == "relu")
    root = svg_root(draw(g, focus=part))
    size = len(topological_order(part))
    ops = sum(1 for v in topological_order(part) if v.op)
    assert len(groups(root, "node")) == size + ops
    with pytest.raises(ValueError, match="not part"):
        draw(g, focus=Value(1.0))


def test_large_graphs_are_refused_with_a_clear_limit_the_user_can_raise():
    x = Value(1.0, label="x")
    y = x
    for _ in range(30):
        y = y * 1.0
    with pytest.raises(GraphTooLargeError, match="max_nodes=10"):
        draw(y, max_nodes=10)
    assert "subgraph" not in draw(y, max_nodes=None).source
    bundle = mimebundle(y, max_nodes=10)
    assert "image/svg+xml" not in bundle and "61 Values" in bundle["text/plain"]


def test_bad_arguments_raise_typed_errors():
    with pytest.raises(TypeError):
        draw(3.0)
    with pytest.raises(TypeError):
        draw([Value(1.0), "x"])
    with pytest.raises(ValueError, match="rankdir"):
        draw(Value(1.0), rankdir="sideways")
    with pytest.raises(ValueError, match="max_nodes"):
        draw(Value(1.0), max_nodes=0)


def test_save_writes_svg_png_and_dot(tmp_path):
    _, _, g = micrograd_expression()
    graph = draw(g, rankdir="TB")
    assert ET.parse(graph.save(tmp_path / "g.svg")).getroot().tag == f"{SVG}svg"
    assert (graph.save(tmp_path / "g.png")).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert graph.save(tmp_path / "g.dot").read_text() == graph.source
    with pytest.raises(ValueError, match="format"):
        graph.save(tmp_path / "g.pdf")


class TinyModule:
    """Just enough of an nn Module for the display helper: nin, parameters(), a call."""

    nin = 2

    def __init__(self) -> None:
        self.w = [Value(0.5, label="neurons.0.w.0"), Value(-1.0, label="neurons.0.w.1")]

    def parameters(self) -> list[Value]:
        return list(self.w)

    def __call__(self, xs: list[Value]) -> Value:
        return (self.w[0] * xs[0] + self.w[1] * xs[1]).tanh()


def test_jupyter_bundles_for_values_modules_and_drawings():
    x = Value(2.0, label="x")
    y = (x * x).exp()
    bundle = mimebundle(y)
    assert ET.fromstring(bundle["image/svg+xml"]).tag == f"{SVG}svg"
    assert bundle["text/plain"] == repr(y)
    module_svg = ET.fromstring(mimebundle(TinyModule())["image/svg+xml"])
    texts = "\n".join(node_text(n) for n in groups(module_svg, "node"))
    assert "w.0" in texts and "x1" in texts
    assert "graph not shown" in mimebundle(object())["text/plain"]
    drawn = draw(y)._repr_mimebundle_()
    assert ET.fromstring(drawn["image/svg+xml"]).tag == f"{SVG}svg"


def test_a_module_can_be_drawn_directly():
    module = TinyModule()
    source = draw(module).source
    assert source.count(drawmod._PARAM_FILL) == 2  # its parameters are highlighted
    assert "x0" in source and "x1" in source
