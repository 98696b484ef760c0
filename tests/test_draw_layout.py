"""Drawing layout of nn op graphs: layers in flow order, neurons and weights in index order.

Checked on the rendered SVG (cluster boxes and node centres), with every renderer valuegrad may
pick: graphviz-pure (installed with valuegrad) and the system's Graphviz dot.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from handwritten import plain_tutorial_network
from svgread import box_distance, groups, path_points, text_box

import nn
from autograd import Value, draw
from autograd.viz.placement import Plan, place
from nn.tutorial import INPUTS, TARGETS

SVG = "{http://www.w3.org/2000/svg}"
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in SVG coordinates (y grows down)


def _bbox(element: ET.Element) -> Box:
    """Bounding box of every coordinate pair in an element's path or polygon."""
    numbers: list[float] = []
    for shape in element:
        if shape.get("cx") is not None:  # an op node's ellipse
            cx, cy = float(shape.get("cx", 0)), float(shape.get("cy", 0))
            rx, ry = float(shape.get("rx", 0)), float(shape.get("ry", 0))
            numbers += [cx - rx, cy - ry, cx + rx, cy + ry]
        text = shape.get("d") or shape.get("points") or ""
        numbers += [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", text)]
    xs, ys = numbers[0::2], numbers[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def _layout(svg: str) -> tuple[dict[str, Box], list[tuple[str, float, float]]]:
    """Cluster label -> box, and every node's first label line with its centre."""
    root = ET.fromstring(svg)
    clusters: dict[str, Box] = {}
    nodes: list[tuple[str, float, float]] = []
    for g in root.iter(f"{SVG}g"):
        texts = list(g.iter(f"{SVG}text"))
        if g.get("class") == "cluster" and texts:
            clusters[texts[0].text or ""] = _bbox(g)
        elif g.get("class") == "node" and texts:
            x0, y0, x1, y1 = _bbox(g)
            nodes.append((texts[0].text or "", (x0 + x1) / 2, (y0 + y1) / 2))
    return clusters, nodes


def _inside(box: Box, x: float, y: float) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _centre(box: Box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _check_order(svg: str, layers: list[int], rankdir: str) -> None:
    """Layer i before layer i+1 along the flow; neuron j before j+1 and w.0 before w.1 across."""
    clusters, nodes = _layout(svg)
    flow, across = (0, 1) if rankdir == "LR" else (1, 0)  # LR: flow is x, neurons stack in y
    for li in range(len(layers) - 1):
        here = [_centre(clusters[f"layers.{li}.neurons.{j}"])[flow] for j in range(layers[li])]
        after = [_centre(clusters[f"layers.{li + 1}.neurons.{j}"])[flow]
                 for j in range(layers[li + 1])]
        assert max(here) < min(after), li
    for li, width in enumerate(layers):
        for j in range(width):
            box = clusters[f"layers.{li}.neurons.{j}"]
            if j + 1 < width:
                after = clusters[f"layers.{li}.neurons.{j + 1}"]
                assert box[2 + across] <= after[across], (li, j)  # no overlap, j first
            ws = {name: (x, y) for name, x, y in nodes if name.startswith("w.")
                  and _inside(box, x, y)}
            keys = sorted(ws, key=lambda n: int(n[2:]))
            assert len(keys) >= 2
            for a, b in zip(keys, keys[1:]):
                assert ws[a][across] < ws[b][across], (li, j, a, b)


# Each helper returns the network too: nn names and groups the nodes of live modules only.

def _tutorial_error() -> tuple[nn.MLP, Value]:
    net = plain_tutorial_network()  # the demo's 2-2-2 network with the tutorial's weights
    xs = [Value(x, label=f"i{k + 1}", requires_grad=False) for k, x in enumerate(INPUTS)]
    error = nn.half_sse(net(xs), TARGETS)
    error.label = "E"
    error.backward()
    return net, error


def _mlp_outputs(sizes: list[int], net: nn.MLP | None = None) -> tuple[nn.MLP, Value | list[Value]]:
    net = net or nn.MLP(2, sizes, seed=0)
    xs = [Value(0.5, label="x.0", requires_grad=False),
          Value(-1.0, label="x.1", requires_grad=False)]
    return net, net(xs)


@pytest.mark.parametrize("rankdir", ["auto", "LR"])
def test_the_2_2_2_tutorial_graph_reads_like_the_network(renderer, rankdir):
    _net, error = _tutorial_error()
    drawing = draw(error, rankdir=rankdir)
    _check_order(drawing.svg(), [2, 2], drawing.graph_attr["rankdir"])


@pytest.mark.parametrize("rankdir", ["auto", "LR", "TB"])
@pytest.mark.parametrize("sizes", [[3, 2], [4, 4, 1]])
def test_mlp_graphs_keep_layers_neurons_and_weights_in_order(renderer, sizes, rankdir):
    _net, outputs = _mlp_outputs(sizes)
    drawing = draw(outputs, rankdir=rankdir)
    _check_order(drawing.svg(), sizes, drawing.graph_attr["rankdir"])


@pytest.mark.parametrize("sizes", [[2, 2], [3, 3, 2]])
def test_mlp_loss_graphs_drawn_left_to_right_keep_the_order(renderer, sizes):
    # With a loss after the outputs, the weights of a relu neuron once came out w.1 before w.0.
    net = nn.MLP(2, sizes, activation="relu", seed=0)
    _net, outputs = _mlp_outputs(sizes, net)
    loss = nn.mse(outputs, [1.0] * sizes[-1])
    loss.backward()
    drawing = draw(loss, rankdir="LR")
    _check_order(drawing.svg(), sizes, "LR")


def test_auto_draws_the_deep_mlp_top_down():
    # The check above then covers both directions: [4, 4, 1] is too deep for one row.
    _net, output = _mlp_outputs([4, 4, 1])
    assert draw(output).graph_attr["rankdir"] == "TB"


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("sizes", [[5, 3, 2], [3, 3, 2]])
def test_wider_mlps_keep_the_order_whatever_their_weights(renderer, sizes, seed, rankdir):
    # dot's own ordering swapped these (output neurons of [3, 3, 2], layer 0 of [5, 3, 2]).
    _net, outputs = _mlp_outputs(sizes, nn.MLP(2, sizes, seed=seed))
    _check_order(draw(outputs, rankdir=rankdir).svg(), sizes, rankdir)


# --- what valuegrad's own placement guarantees beyond the order ----------

def _node_boxes(svg: str) -> dict[str, Box]:
    """Node id (Graphviz's title) -> the box of its shape."""
    root = ET.fromstring(svg)
    return {g.findtext(f"{SVG}title"): _bbox(g) for g in root.iter(f"{SVG}g")
            if g.get("class") == "node"}


def _overlap(a: Box, b: Box, inset: float = 0.0) -> bool:
    return (a[0] + inset < b[2] and b[0] + inset < a[2] and
            a[1] + inset < b[3] and b[1] + inset < a[3])


def _edge_points(svg: str) -> list[tuple[str, str, list[tuple[float, float]]]]:
    """Each edge's tail id, head id and points sampled along its Bézier path."""
    root = ET.fromstring(svg)
    found = []
    for g in root.iter(f"{SVG}g"):
        if g.get("class") != "edge":
            continue
        tail, head = (g.findtext(f"{SVG}title") or "").split("->")
        path = g.find(f"{SVG}path")
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.get("d", ""))]
        ctrl = list(zip(numbers[0::2], numbers[1::2]))
        samples = []
        for i in range(0, len(ctrl) - 3, 3):
            p0, p1, p2, p3 = ctrl[i:i + 4]
            for k in range(11):
                t = k / 10
                samples.append(tuple(
                    (1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t ** 2 * c
                    + t ** 3 * d for a, b, c, d in zip(p0, p1, p2, p3)))
        found.append((tail, head, samples))
    return found


@pytest.mark.parametrize("rankdir", ["auto", "LR", "BT", "RL"])
@pytest.mark.parametrize("case", ["tutorial", "mlp-5-3-2-loss"])
def test_placed_graphs_have_no_overlaps_and_edges_clear_of_boxes(renderer, case, rankdir):
    if case == "tutorial":
        _net, root = _tutorial_error()
    else:
        _net, outputs = _mlp_outputs([5, 3, 2])
        root = nn.mse(outputs, [1.0, -1.0])
        root.backward()
    drawing = draw(root, rankdir=rankdir)
    svg = drawing.svg()
    boxes = _node_boxes(svg)
    names = sorted(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not _overlap(boxes[a], boxes[b]), (a, b)
    clusters, _nodes = _layout(svg)
    labels = sorted(clusters)
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            assert not _overlap(clusters[a], clusters[b]), (a, b)
    titles = {g.find(f"{SVG}text").text: text_box(g.find(f"{SVG}text"))
              for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("class") == "cluster"}
    for title, box in titles.items():
        assert not any(_overlap(box, node) for node in boxes.values()), title
    for tail, head, points in _edge_points(svg):
        for name, box in [*boxes.items(), *titles.items()]:
            if name in (tail, head):
                continue
            inside = [p for p in points if _inside((box[0] + 1, box[1] + 1, box[2] - 1,
                                                    box[3] - 1), *p)]
            assert not inside, (tail, head, "passes through", name, inside[:1])


def test_placed_source_pins_every_node_and_source_keeps_dots_hints():
    _net, error = _tutorial_error()
    drawing = draw(error)
    placed = drawing.placed_source()
    node_ids = set(re.findall(r"^\t\t?(n\d+(?:op)?) \[label", drawing.source, re.M))
    pinned = set(re.findall(r'^\t(n\d+(?:op)?) \[pos="', placed, re.M))
    assert node_ids and node_ids == pinned
    visible = [line for line in drawing.source.splitlines()
               if " -> " in line and "invis" not in line]
    assert placed.count(" -> ") == len(visible)
    assert "order0_0" in drawing.source and "order0_0" not in placed  # hints only for dot
    assert all("pos=" in line for line in placed.splitlines() if " -> " in line)


def test_a_network_fed_its_own_output_is_left_to_dot():
    # The same neurons twice in one graph: their boxes feed each other, so no band order exists.
    net = nn.MLP(2, [2], seed=0)
    xs = [Value(0.5, requires_grad=False), Value(-1.0, requires_grad=False)]
    twice = net(net(xs))
    drawing = draw(twice)
    assert drawing.placed_source() == drawing.source
    assert "<svg" in drawing.svg()


# --- placement on its own (no renderer: sizes given) ----------

def _neuron_plan(neurons: int) -> Plan:
    """x.0 -> one product per neuron with that neuron's weight w (ids: x, w<j>, p<j>op, p<j>)."""
    nodes, edges, group_of = ["x"], [], {}
    for j in range(neurons):
        nodes += [f"w{j}", f"p{j}op", f"p{j}"]
        edges += [(f"w{j}", f"p{j}op", 0), ("x", f"p{j}op", 1), (f"p{j}op", f"p{j}", 0)]
        group_of.update({f"w{j}": j, f"p{j}op": j, f"p{j}": j})
    return Plan(nodes, edges, group_of, [f"n{j}" for j in range(neurons)], "TB",
                leaves={"x"} | {f"w{j}" for j in range(neurons)})


def test_placement_gives_a_layers_inputs_a_rank_of_their_own():
    sizes = {n: (60.0, 40.0) for n in _neuron_plan(3).nodes}
    alone = place(_neuron_plan(1), sizes, {})
    assert alone.pos["x"][1] == alone.pos["w0"][1]  # one neuron: x beside its weight
    three = place(_neuron_plan(3), sizes, {})
    assert three.pos["x"][1] > three.pos["w0"][1]  # y up: x above the layer's weights
    xs = [three.pos[f"w{j}"][0] for j in range(3)]
    assert xs == sorted(xs)  # neuron 0 first, across
    assert three.boxes[0][2] < three.boxes[1][0] < three.boxes[1][2] < three.boxes[2][0]


def test_placement_refuses_groups_that_feed_each_other():
    plan = Plan(["a", "bop", "b", "cop", "c"], [("a", "bop", 0), ("bop", "b", 0),
                                                ("b", "cop", 0), ("cop", "c", 0)],
                {"a": 0, "bop": 1, "b": 1, "cop": 0, "c": 0}, ["g0", "g1"], "LR", {"a"})
    assert place(plan, {n: (10.0, 10.0) for n in plan.nodes}, {}) is None


@pytest.mark.parametrize("rankdir", ["auto", "LR"])
def test_placed_edge_labels_sit_by_their_own_edge_and_no_edge_crosses_them(renderer, rankdir):
    _net, error = _tutorial_error()
    root = ET.fromstring(draw(error, rankdir=rankdir, edge_grads=True).svg())
    edges = [(g.find(f"{SVG}text"), path_points(g.find(f"{SVG}path").get("d", "")))
             for g in groups(root, "edge")]
    labelled = [(text, points) for text, points in edges if text is not None]
    assert len(labelled) > 30
    for text, points in labelled:
        box = text_box(text)
        own = min(box_distance(box, p) for p in points)
        others = min(box_distance(box, p) for _, pts in edges if pts is not points for p in pts)
        # Converging edges leave little room: a label may be nearer a neighbour than its own
        # line, but it stays beside its own and no line runs through it.
        assert own <= 12 and others > 0, (text.text, own, others)
