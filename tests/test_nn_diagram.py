"""nn.viz.diagram: the network picture with the tutorials' numbers, columns in order, bad input."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest
from svgread import box_distance, path_points, text_box, titled

import nn
from nn.tutorial import INPUTS, TARGETS, tutorial_network

SVG = "{http://www.w3.org/2000/svg}"

MAZUR_NAMES = {
    **{f"layers.{li}.neurons.{j}.w.{k}": f"w{4 * li + 2 * j + k + 1}"
       for li in range(2) for j in range(2) for k in range(2)},
    "layers.0.neurons.0": "h1", "layers.0.neurons.1": "h2",
    "layers.1.neurons.0": "o1", "layers.1.neurons.1": "o2",
    "x.0": "i1", "x.1": "i2", "loss": "E",
}


def svg_of(d) -> ET.Element:
    return ET.fromstring(d.svg())


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_the_2_2_2_tutorial_shows_its_published_numbers():
    net = tutorial_network()
    before = {name: (p.data, p.grad) for name, p in net.named_parameters()}
    shown = texts(svg_of(nn.diagram(net, INPUTS, TARGETS, names=MAZUR_NAMES, lr=0.5)))
    for expected in ("w5 = 0.4", "∂E/∂w5 = 0.08217", "w1 = 0.15", "∂E/∂w1 = 0.0004386",
                     "out 0.5933", "out 0.7514", "0.2984", "→ 0.3589", "h1", "o2", "i1"):
        assert expected in shown, expected
    # The model is exactly as it was: the diagram's backward ran on saved gradients.
    assert {name: (p.data, p.grad) for name, p in net.named_parameters()} == before


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def test_a_3_2_2_network_matches_hand_written_formulas():
    x = [1.0, 4.0, 5.0]
    t = [0.1, 0.05]
    w_hidden = [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]
    w_out = [[0.7, 0.9], [0.8, 0.1]]
    b = [0.5, 0.5]
    net = nn.MLP(3, [2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    net.set_weights([w_hidden, w_out], [[b[0]] * 2, [b[1]] * 2])
    # The same network by hand, in plain floats.
    h = [sigmoid(sum(w * xi for w, xi in zip(row, x)) + b[0]) for row in w_hidden]
    o = [sigmoid(sum(w * hi for w, hi in zip(row, h)) + b[1]) for row in w_out]
    error = sum(0.5 * (ti - oi) ** 2 for ti, oi in zip(t, o))
    delta_o = [(oi - ti) * oi * (1 - oi) for oi, ti in zip(o, t)]
    delta_h = [sum(delta_o[j] * w_out[j][k] for j in range(2)) * h[k] * (1 - h[k])
               for k in range(2)]
    d = nn.diagram(net, x, t, lr=0.5)
    found = d.numbers
    assert found.loss == pytest.approx(error, rel=1e-12)
    assert [n.out for n in found.layers[0]] == pytest.approx(h, rel=1e-12)
    assert [n.delta for n in found.layers[1]] == pytest.approx(delta_o, rel=1e-12)
    assert [n.delta for n in found.layers[0]] == pytest.approx(delta_h, rel=1e-12)
    grads = {e.name: e.grad for e in found.edges}
    assert grads["layers.1.neurons.0.w.1"] == pytest.approx(delta_o[0] * h[1], rel=1e-12)
    assert grads["layers.0.neurons.1.w.2"] == pytest.approx(delta_h[1] * x[2], rel=1e-12)
    shown = texts(svg_of(d))
    assert f"out {o[0]:.4g}" in shown and f"{error:.4g}" in shown
    assert f"∂ {delta_h[1] * x[2]:.4g}" in shown
    assert f"→ {0.7 - 0.5 * delta_o[0] * h[0]:.4g}" in shown


def centre(root: ET.Element, node_id: str) -> tuple[float, float]:
    """Centre of a diagram node's circle, found by its SVG id."""
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "node" and g.get("id") == f"node_{node_id}":
            shape = g.find(f"{SVG}ellipse")
            return float(shape.get("cx")), float(shape.get("cy"))
    raise AssertionError(f"no node {node_id}")


def test_columns_run_left_to_right_and_neuron_0_is_on_top(renderer):
    for model in (nn.MLP(2, [4, 4, 1], seed=1), nn.MLP(3, [5, 2], seed=2),
                  nn.MLP(2, [16, 16, 1], seed=3)):
        root = svg_of(nn.diagram(model, [0.5] * model.nin, [1.0] * model.nouts[-1]))
        columns = [[f"x{k}" for k in range(model.nin)],
                   *[[f"h{li}_{j}" for j in range(n)] for li, n in enumerate(model.nouts)]]
        lefts = []
        for li, column in enumerate(columns):
            points = [centre(root, node) for node in column]
            assert len({round(x) for x, _ in points}) == 1, f"column {li} is not one column"
            ys = [y for _, y in points]
            assert ys == sorted(ys) and len(set(ys)) == len(ys), f"column {li} out of order"
            lefts.append(points[0][0])
        assert lefts == sorted(lefts)  # inputs, then each layer, left to right


def test_a_wide_network_keeps_its_numbers_in_hover_titles():
    model = nn.MLP(2, [16, 16, 1], seed=1)
    root = svg_of(nn.diagram(model, [0.5, -1.0], [1.0]))
    shown = texts(root)
    assert not any(s.startswith("w ") for s in shown)  # no edge labels
    titles = [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g") if g.get("class") == "edge"]
    w = model.layers[1].neurons[3].w[5]
    assert any(t.startswith(f"layers.1.neurons.3.w.5: w {w.data:.4g}") for t in titles)
    widths = {float(p.get("stroke-width", "1")) for g in root.iter(f"{SVG}g")
              if g.get("class") == "edge" for p in g.iter(f"{SVG}path")}
    assert len(widths) > 10  # widths encode the weights' sizes


def test_a_wide_network_draws_its_largest_weights_and_says_so():
    model = nn.MLP(2, [16, 16, 1], seed=2)
    root = svg_of(nn.diagram(model, [0.5, -1.0], [1.0]))
    drawn = {}
    for g in root.iter(f"{SVG}g"):
        name = (g.findtext(f"{SVG}title") or "").split(":")[0]
        if g.get("class") == "edge" and ".w." in name:
            drawn[name] = g.find(f"{SVG}path").get("stroke")
    assert len(drawn) == 304  # every weight is drawn, hover title and all
    for li, layer in enumerate(model.layers):
        weights = {f"layers.{li}.neurons.{j}.w.{k}": w.data
                   for j, n in enumerate(layer.neurons) for k, w in enumerate(n.w)}
        count = math.ceil(0.15 * len(weights))
        by_size = sorted(weights, key=lambda n: -abs(weights[n]))
        for n in by_size[:count]:  # the largest |w|: coloured by sign
            assert drawn[n] == ("#1f5fa8" if weights[n] >= 0 else "#c0392b"), n
        assert all(drawn[n] == "#dcdcdc" for n in by_size[count:])  # the rest faint
    legend = " ".join(texts(root))  # 5 of layer 0's 32, 39 of layer 1's 256, 3 of 16
    assert "(47 of 304)" in legend and "The other 257 are the faint grey lines" in legend


def test_a_wide_network_spreads_its_columns_and_draws_lines_under_the_circles():
    model = nn.MLP(2, [16, 16, 1], seed=1)
    root = svg_of(nn.diagram(model, [0.5, -1.0], [1.0]))
    circles = {g.get("id"): g.find(f"{SVG}ellipse") for g in root.iter(f"{SVG}g")
               if g.get("class") == "node" and g.find(f"{SVG}ellipse") is not None}

    def span(node: str) -> tuple[float, float]:
        e = circles[node]
        return float(e.get("cx")) - float(e.get("rx")), float(e.get("cx")) + float(e.get("rx"))

    # 256 hidden-to-hidden lines need room to fan out: twice the gap the labelled diagrams use.
    assert span("node_h1_0")[0] - span("node_h0_0")[1] > 72
    kinds = [g.get("class") for g in root.iter(f"{SVG}g") if g.get("class") in ("node", "edge")]
    assert kinds.index("node") > len(kinds) - kinds[::-1].index("edge") - 1  # edges first


def test_weights_only_diagram_and_module_display_make_no_inputs_up():
    model = nn.MLP(2, [2, 1], seed=4)
    root = svg_of(model.diagram())
    shown = texts(root)
    assert not any(s.startswith(("net ", "out ", "δ ")) for s in shown)
    assert f"w {model.layers[0].neurons[1].w[0].data:.4g}" in shown
    bundle = model._repr_mimebundle_()
    assert bundle["text/plain"] == repr(model)
    assert f"w {model.layers[1].neurons[0].w[1].data:.4g}" in texts(ET.fromstring(
        bundle["image/svg+xml"]))
    assert "-0" not in shown


def test_bad_input_is_refused_and_leaves_the_model_alone():
    net = tutorial_network()
    net.layers[0].neurons[0].w[0].grad = 0.25  # a gradient the diagram must not touch
    before = {name: (p.data, p.grad) for name, p in net.named_parameters()}
    with pytest.raises(TypeError, match="Module"):
        nn.diagram([1, 2], INPUTS)
    with pytest.raises(ValueError, match="3 numbers but the model takes 2"):
        nn.diagram(net, [1.0, 2.0, 3.0], TARGETS)
    with pytest.raises(ValueError, match="target has 1 numbers but the model has 2 outputs"):
        nn.diagram(net, INPUTS, [0.5])
    with pytest.raises(TypeError, match="x\\[1\\]"):
        nn.diagram(net, [0.5, "a"])
    with pytest.raises(ValueError, match="lr"):
        nn.diagram(net, INPUTS, TARGETS, lr=-1)

    class Odd(nn.Module):
        def __init__(self) -> None:
            self.a = nn.Layer(2, 3)
            self.b = nn.Layer(2, 1)  # does not take a's 3 outputs

    with pytest.raises(TypeError, match="Odd.*autograd.draw"):
        nn.diagram(Odd(), [1.0, 2.0])
    assert {name: (p.data, p.grad) for name, p in net.named_parameters()} == before
    assert "network diagram not shown" in Odd()._repr_mimebundle_()["text/plain"]


def test_names_and_labels_are_escaped():
    net = nn.MLP(2, [1], seed=0)
    evil = '<script>alert("x")</script>&'
    root = svg_of(nn.diagram(net, [1.0, 2.0], [0.0], names={"layers.0.neurons.0": evil}))
    assert evil in texts(root)
    assert not any(el.tag.endswith("script") for el in root.iter())


def net_3_2_2() -> nn.MLP:
    net = nn.MLP(3, [2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    net.set_weights([[[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]], [[0.7, 0.9], [0.8, 0.1]]],
                    [[0.5, 0.5], [0.5, 0.5]])
    return net


LABELLED = {  # every size that labels its edges, up to the largest (40 edges)
    "2-2-2": lambda: nn.diagram(tutorial_network(), INPUTS, TARGETS, names=MAZUR_NAMES, lr=0.5),
    "3-2-2": lambda: nn.diagram(net_3_2_2(), [1.0, 4.0, 5.0], [0.1, 0.05], lr=0.5),
    "2-4-4-1": lambda: nn.diagram(nn.MLP(2, [4, 4, 1], seed=1), [0.5, -1.0], [1.0]),
    "4-4-4-2": lambda: nn.diagram(nn.MLP(4, [4, 4, 2], seed=5), [0.5, -1.0, 0.2, 0.9],
                                  [1.0, 0.0], lr=0.1),
}


@pytest.mark.parametrize("name", LABELLED)
def test_every_edge_label_is_nearest_its_own_edge(renderer, name):
    d = LABELLED[name]()
    root = svg_of(d)
    edge_names = [e.name for e in d.numbers.edges]
    paths = {n: [pt for g in titled(root, f"{n}:") if g.get("class") == "edge"
                 for p in g.iter(f"{SVG}path") for pt in path_points(p.get("d"))]
             for n in edge_names}
    # Every other line in the picture counts too: the dashed lines to the targets and the loss.
    others = [pt for g in root.iter(f"{SVG}g") if g.get("class") == "edge"
              and (g.findtext(f"{SVG}title") or "").split(":")[0] not in paths
              for p in g.iter(f"{SVG}path") for pt in path_points(p.get("d"))]
    for n in edge_names:
        boxes = [text_box(t) for g in titled(root, f"{n}:") for t in g.iter(f"{SVG}text")]
        assert boxes and paths[n], f"{n} has no label or no line"
        own = min(box_distance(b, pt) for b in boxes for pt in paths[n])
        rest = others + [pt for other in edge_names if other != n for pt in paths[other]]
        nearest_other = min(box_distance(b, pt) for b in boxes for pt in rest)
        assert own < nearest_other, f"{n}: {own:.1f} from its line, {nearest_other:.1f} from others"


@pytest.mark.parametrize("name", [*LABELLED, "2-16-16-1"])
def test_no_line_runs_through_an_edge_label_or_a_column_title(renderer, name):
    if name in LABELLED:
        d = LABELLED[name]()
    else:
        d = nn.diagram(nn.MLP(2, [16, 16, 1], seed=1), [0.5, -1.0], [1.0])
    root = svg_of(d)
    lines = [((g.findtext(f"{SVG}title") or "").split(":")[0], path_points(p.get("d")))
             for g in root.iter(f"{SVG}g") if g.get("class") == "edge"
             for p in g.iter(f"{SVG}path")]
    texts_checked = 0
    for g in root.iter(f"{SVG}g"):  # text nodes: edge labels and column titles, not circles
        if g.get("class") != "node" or g.find(f"{SVG}ellipse") is not None \
                or g.find(f"{SVG}path") is not None or g.find(f"{SVG}polygon") is not None:
            continue
        owner = (g.findtext(f"{SVG}title") or "").split(":")[0]
        for t in g.iter(f"{SVG}text"):
            box = text_box(t)
            texts_checked += 1
            for line_owner, points in lines:
                if line_owner != owner:  # a label's own line ends at its side
                    assert min(box_distance(box, pt) for pt in points) > 0, \
                        f"the line of {line_owner} runs through {t.text!r}"
    assert texts_checked >= len(d.numbers.layers) + 1  # the column titles at least
