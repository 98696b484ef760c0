"""Derived names of nn graphs' interior nodes: products, running sums, and the nodes of losses."""

from __future__ import annotations

import importlib
import math
import re
import xml.etree.ElementTree as ET

from handwritten import plain_tutorial_network
from hypothesis import given, settings
from hypothesis import strategies as st
from svgread import groups
from svgread import node_text as texts
from test_draw_nn import dot_clusters

import nn
from autograd import Value, draw, explain, topological_order
from autograd.explanations.names import display_names
from autograd.stepthrough.steps import step_through
from nn.tutorial import INPUTS, TARGETS

drawmod = importlib.import_module("autograd.viz.draw")


def tutorial_error() -> tuple[nn.MLP, list[Value], Value]:
    """Mazur's 2-2-2 network on its sample, E = half_sse labelled E, after backward."""
    net = plain_tutorial_network()
    xs = [Value(x, label=f"i{k + 1}", requires_grad=False) for k, x in enumerate(INPUTS)]
    error = nn.half_sse(net(xs), TARGETS)
    error.label = "E"
    error.backward()
    return net, xs, error


def by_name(root: Value) -> dict[str, Value]:
    """name -> node, as explanations and drawings name the graph of `root` (constants aside)."""
    names = display_names(topological_order(root))
    return {n: v for v, n in names.items() if v.requires_grad or not v.is_leaf or v.label
            or not n.replace(".", "").isdigit()}


def test_products_and_running_sums_of_the_tutorial_neurons_are_named():
    net, (i1, i2), error = tutorial_error()
    nodes = by_name(error)
    h1 = net.layers[0].neurons[0]
    wx0, wx1 = nodes["layers.0.neurons.0.wx.0"], nodes["layers.0.neurons.0.wx.1"]
    assert wx0.op == "*" and wx0.inputs == (h1.w[0], i1)  # w1 * i1 = 0.15 * 0.05
    assert wx1.inputs == (h1.w[1], i2)
    assert math.isclose(wx0.data, 0.15 * 0.05) and math.isclose(wx1.data, 0.2 * 0.1)
    total = nodes["layers.0.neurons.0.sum.1"]
    assert total.op == "+" and total.inputs == (wx0, wx1)
    assert nodes["layers.0.neurons.0.net"].inputs == (total, h1.b)
    # The output layer's products multiply the hidden outputs: w5 * out_h1.
    o1 = net.layers[1].neurons[0]
    assert nodes["layers.1.neurons.0.wx.0"].inputs == (o1.w[0], nodes["layers.0.neurons.0.out"])
    assert nodes["layers.1.neurons.0.wx.1"].inputs == (o1.w[1], nodes["layers.0.neurons.1.out"])
    assert not any(re.fullmatch(r"v\d+", name) for name in nodes)  # nothing is left as vN


def test_the_tutorial_loss_nodes_are_named_after_its_label():
    net, _, error = tutorial_error()
    nodes = by_name(error)
    for k, (target, out) in enumerate(zip(TARGETS, ("layers.1.neurons.0.out",
                                                    "layers.1.neurons.1.out"), strict=True)):
        t, diff = nodes[f"E.target.{k}"], nodes[f"E.diff.{k}"]
        sq, term = nodes[f"E.sq.{k}"], nodes[f"E.term.{k}"]
        assert t.data == target and not t.requires_grad
        assert diff.op == "-" and diff.inputs == (t, nodes[out])  # target - out
        assert sq.op == "**c" and sq.inputs[0] is diff and sq.inputs[1].data == 2.0
        assert term.op == "*" and term.inputs[1] is sq and term.inputs[0].data == 0.5
        assert math.isclose(term.data, 0.5 * (target - nodes[out].data) ** 2)
    assert error.inputs == (nodes["E.term.0"], nodes["E.term.1"])
    assert nodes["E"] is error and math.isclose(error.data, 0.298371108760, rel_tol=1e-9)


def test_an_mlp_with_mse_names_its_three_input_sums_and_the_mean():
    model = nn.MLP(3, [4, 2], seed=0)
    loss = nn.mse(model([1.0, 2.0, 3.0]), [0.5, -0.5])
    nodes = by_name(loss)
    neuron = model.layers[0].neurons[2]
    s1, s2 = nodes["layers.0.neurons.2.sum.1"], nodes["layers.0.neurons.2.sum.2"]
    assert s1.inputs == (nodes["layers.0.neurons.2.wx.0"], nodes["layers.0.neurons.2.wx.1"])
    assert s2.inputs == (s1, nodes["layers.0.neurons.2.wx.2"])
    assert nodes["layers.0.neurons.2.wx.2"].inputs[0] is neuron.w[2]
    assert nodes["layers.0.neurons.2.net"].inputs == (s2, neuron.b)
    # The hidden layer has 4 inputs for the output neurons: three running sums each.
    assert nodes["layers.1.neurons.1.sum.3"].inputs[1] is nodes["layers.1.neurons.1.wx.3"]
    outs = [nodes["layers.1.neurons.0.out"], nodes["layers.1.neurons.1.out"]]  # linear: sum+b
    for k, (out, target) in enumerate(zip(outs, [0.5, -0.5], strict=True)):
        diff = nodes[f"loss.diff.{k}"]
        assert diff.inputs == (out, nodes[f"loss.target.{k}"])  # out - target, mse's order
        assert nodes[f"loss.target.{k}"].data == target
        assert nodes[f"loss.sq.{k}"].inputs[0] is diff
    assert nodes["loss.sum.1"].inputs == (nodes["loss.sq.0"], nodes["loss.sq.1"])
    assert nodes["loss"] is loss and loss.op == "/" and loss.inputs[0] is nodes["loss.sum.1"]
    assert math.isclose(loss.data, ((outs[0].data - 0.5) ** 2 + (outs[1].data + 0.5) ** 2) / 2)


def test_a_batch_loss_numbers_its_terms_sample_by_sample():
    model = nn.MLP(2, [3, 1], activation="tanh", seed=1)
    xs = [[0.5, -1.0], [1.5, 2.0], [-0.5, 0.25]]
    loss = nn.mse([model(x) for x in xs], [1.0, -1.0, 0.0])
    loss.label = "L"
    nodes = by_name(loss)
    assert [nodes[f"L.target.{k}"].data for k in range(3)] == [1.0, -1.0, 0.0]
    assert nodes["L.sum.2"].inputs == (nodes["L.sum.1"], nodes["L.sq.2"])
    assert loss.inputs[0] is nodes["L.sum.2"] and nodes["L"] is loss
    # Each neuron runs once per sample: its nodes carry the run's number, here the sample's.
    for s, x in enumerate(xs):
        assert nodes[f"L.diff.{s}"].inputs[0] is nodes[f"layers.1.neurons.0.out[{s}]"]
        wx = nodes[f"layers.0.neurons.2.wx.1[{s}]"]
        assert wx.inputs == (model.layers[0].neurons[2].w[1], wx.inputs[1])
        assert wx.inputs[1].data == x[1]
        assert nodes[f"layers.0.neurons.2.net[{s}]"].inputs[0] is \
            nodes[f"layers.0.neurons.2.sum.1[{s}]"]
    assert not any("'" in name or name.endswith(".out") for name in nodes)


def test_a_user_label_wins_and_derived_names_never_take_a_label():
    net, _, error = tutorial_error()
    nodes = by_name(error)
    nodes["layers.0.neurons.0.wx.0"].label = "w1*i1"  # the user's own names win
    nodes["E.diff.1"].label = "layers.0.neurons.1.wx.0"  # even one a derived name would take
    renamed = by_name(error)
    assert renamed["w1*i1"] is nodes["layers.0.neurons.0.wx.0"]
    assert "layers.0.neurons.0.wx.0" not in renamed
    assert renamed["layers.0.neurons.0.wx.1"] is nodes["layers.0.neurons.0.wx.1"]
    assert renamed["layers.0.neurons.1.wx.0"] is nodes["E.diff.1"]
    assert renamed["layers.0.neurons.1.wx.0'"].inputs[0] is net.layers[0].neurons[1].w[0]
    assert error.label == "E" and net.layers[0].neurons[0].w[0].label == "layers.0.neurons.0.w.0"


def test_relabelled_parameters_keep_their_highlight_and_the_derived_names():
    net, _, error = tutorial_error()
    trained = [p for p in net.parameters() if p.requires_grad]  # the tutorial's biases are fixed
    for k, w in enumerate(w for neuron in (*net.layers[0].neurons, *net.layers[1].neurons)
                          for w in neuron.w):
        w.label = f"w{k + 1}"  # Mazur's w1 ... w8
    source = draw(error).source
    assert source.count(drawmod._PARAM_FILL) == len(trained) == 8
    box_texts = [texts(n) for n in groups(ET.fromstring(draw(error).svg()), "node")]
    assert "w5\ndata 0.4\ngrad 0.08217" in box_texts
    # Inside each neuron's box the products and sums are shown by their short names.
    for short in ("wx.0", "wx.1", "sum.1", "net", "out"):
        assert sum(t.startswith(short + "\n") for t in box_texts) == 4, short
    assert "E.term.0\ndata 0.2748\ngrad 1" in box_texts
    assert "E.target.1\ndata 0.99\nno grad" in box_texts
    assert [w.label for w in net.layers[1].neurons[0].w] == ["w5", "w6"]


def test_explain_and_step_through_speak_in_the_derived_names():
    net, _, error = tutorial_error()  # names come from live modules: net must be alive
    report = explain(error)
    text = report.table(all=True)
    assert "∂(layers.0.neurons.0.wx.0 + layers.0.neurons.0.wx.1)/∂layers.0.neurons.0.wx.0 = 1" \
        in text
    assert "∂(0.5*E.sq.0)/∂E.sq.0 = 0.5" in text
    assert "∂(E.target.1 - layers.1.neurons.1.out)/∂layers.1.neurons.1.out = -1" in text
    assert not re.search(r"\bv\d+\b", text)
    wx = report.find("layers.1.neurons.0.wx.0")  # a derived name finds its node
    assert math.isclose(report.grad_of(wx), 0.138498562, rel_tol=1e-6)
    frames = step_through(error)
    assert net.layers  # alive until here
    assert "E.diff.0" in frames.to_html() and "layers.0.neurons.0.sum.1" in frames.to_html()


def test_only_the_shapes_nn_builds_are_named():
    model = nn.MLP(2, [2, 2], seed=2)
    out = model([0.5, -1.0])
    # A sum of squares not of the loss shape (+ 1.0 is no difference with a target).
    odd = (out[0] - 1.0) ** 2 + (out[1] + 1.0) ** 2
    odd.label = "odd"
    names = set(by_name(odd))
    assert not any(n.startswith(("odd.", "loss.")) for n in names)
    assert "layers.1.neurons.0.wx.1" in names
    # The same square alone is a loss of one term (half_sse of one output is one too).
    alone = (out[0] - 1.0) ** 2
    alone.label = "e"
    nodes = by_name(alone)
    assert nodes["e.diff.0"].inputs == (nodes["layers.1.neurons.0.out"], nodes["e.target.0"])
    assert nodes["e"] is alone and alone.inputs[0] is nodes["e.diff.0"]
    # A neuron's bias added by hand to an output is no second run of that neuron.
    names = set(by_name(out[0] + model.layers[1].neurons[0].b))
    assert "layers.1.neurons.0.out" in names and not any("[" in n for n in names)
    # A loss of another shape keeps the engine's names; the neurons keep theirs.
    names = set(by_name((out[0] * out[1]).tanh()))
    assert not any(n.startswith("loss.") for n in names)
    assert "layers.1.neurons.0.wx.1" in names and "layers.1.neurons.0.out" in names
    # A product of a weight outside the neuron's sum is no wx: l2's p * p.
    names = set(by_name(nn.l2(model)))
    assert not any(".wx." in n for n in names)
    assert not any(".sum." in n for n in names if not n.startswith("l2."))


def test_hinge_and_logistic_losses_name_their_terms():
    model = nn.MLP(2, [3, 1], seed=4)
    xs, ys = [[0.5, -1.0], [1.5, 2.0]], [1.0, -1.0]
    hinge = nn.hinge([model(x) for x in xs], ys)
    nodes = by_name(hinge)
    for s, y in enumerate(ys):
        out = nodes[f"layers.1.neurons.0.out[{s}]"]
        neg_ys, margin = nodes[f"loss.neg_ys.{s}"], nodes[f"loss.margin.{s}"]
        assert neg_ys.inputs[1] is out and neg_ys.inputs[0].data == -y
        assert margin.inputs == (margin.inputs[0], neg_ys) and margin.inputs[0].data == 1.0
        term = nodes[f"loss.term.{s}"]
        assert term.op == "relu" and term.inputs == (margin,)
        assert term.data == max(0.0, 1.0 - y * out.data)
    assert nodes["loss"] is hinge and hinge.inputs[0] is nodes["loss.sum.1"]
    logistic = nn.bce_with_logits(model(xs[0]), 1.0)
    logistic.label = "bce"
    nodes = by_name(logistic)
    soft, tz = nodes["bce.softplus.0"], nodes["bce.tz.0"]
    assert soft.inputs == (nodes["layers.1.neurons.0.out"],)
    assert tz.inputs == (nodes["bce.target.0"], nodes["layers.1.neurons.0.out"])
    assert nodes["bce.term.0"].inputs == (soft, tz)
    assert logistic.inputs[0] is nodes["bce.term.0"]
    # softplus(out) is the loss's, not the output neuron's: it is drawn outside its box.
    clusters = dot_clusters(draw(logistic).source)
    soft_id = f"n{topological_order(logistic).index(soft)}"
    assert "layers.1.neurons.0" in clusters
    assert not any(soft_id in ids for ids in clusters.values())
    assert f"n{topological_order(logistic).index(nodes['layers.1.neurons.0.wx.0'])}" in \
        clusters["layers.1.neurons.0"]


def test_a_frozen_parameter_is_no_target():
    model = nn.MLP(1, [1], activation="linear", seed=5)
    offset = nn.Neuron(1, "linear")
    offset.b.requires_grad = False  # frozen: a constant leaf, yet a parameter
    out = model([2.0])
    loss = (out - offset.b) ** 2
    names = set(by_name(loss))
    assert "loss.target.0" not in names and "loss.sq.0" not in names
    assert "b" in names and offset.w  # the frozen bias keeps its own name


def test_cross_entropy_names_each_class_and_brackets_the_sample_of_a_batch():
    model = nn.MLP(2, [3, 3], seed=6)
    logits = model([0.5, -1.0])
    loss = nn.cross_entropy(logits, 2)
    nodes = by_name(loss)
    z = [nodes[f"layers.1.neurons.{j}.out"] for j in range(3)]
    top = max(z, key=lambda v: v.data)
    for j in range(3):
        shift, exp = nodes[f"loss.shift.{j}"], nodes[f"loss.exp.{j}"]
        assert shift.inputs == (z[j], top) and exp.op == "exp" and exp.inputs == (shift,)
    assert nodes["loss.sumexp.1"].inputs == (nodes["loss.exp.0"], nodes["loss.exp.1"])
    assert nodes["loss.sumexp.2"].inputs == (nodes["loss.sumexp.1"], nodes["loss.exp.2"])
    assert nodes["loss.log"].inputs == (nodes["loss.sumexp.2"],)
    assert nodes["loss.logsumexp"].inputs == (nodes["loss.log"], top)
    assert nodes["loss.term"] is loss and loss.inputs == (nodes["loss.logsumexp"], z[2])
    expected = math.log(sum(math.exp(v.data) for v in z)) - z[2].data  # -log softmax
    assert math.isclose(loss.data, expected, rel_tol=1e-12)
    batch = nn.cross_entropy([model([0.5, -1.0]), model([2.0, 1.0])], [2, 0])
    batch.label = "CE"
    nodes = by_name(batch)
    for s, t in enumerate([2, 0]):
        term = nodes[f"CE.term[{s}]"]
        assert term.inputs == (nodes[f"CE.logsumexp[{s}]"], nodes[f"layers.1.neurons.{t}.out[{s}]"])
        assert nodes[f"CE.shift.1[{s}]"].inputs[0] is nodes[f"layers.1.neurons.1.out[{s}]"]
    assert nodes["CE.sum.1"].inputs == (nodes["CE.term[0]"], nodes["CE.term[1]"])
    assert nodes["CE"] is batch and batch.inputs[0] is nodes["CE.sum.1"]


STEPS = st.lists(st.tuples(st.sampled_from(["+", "-", "*", "sq", "half", "relu", "exp", "log",
                                            "softplus", "mean", "mse", "half_sse", "hinge",
                                            "logistic", "bce", "ce"]),
                           st.integers(0, 50), st.integers(0, 50),
                           st.sampled_from([0.5, 1.0, 2.0, -1.0])),
                 min_size=1, max_size=12)


def _grow(pool: list[Value], outs: list[Value], op: str, i: int, j: int, c: float) -> Value:
    """One more node on top of `pool`: an operation or one of nn's losses."""
    a, b = pool[i % len(pool)], pool[j % len(pool)]
    built = {"+": lambda: a + b, "*": lambda: c * a,
             "-": lambda: (a - c) if i % 3 == 1 else (c - a) if i % 3 else a - b,
             "sq": lambda: a ** 2, "half": lambda: 0.5 * a ** 2, "relu": lambda: a.relu(),
             "exp": lambda: (a * 0.01).exp(), "log": lambda: (a * a + 1.0).log(),
             "softplus": lambda: a.softplus(), "mean": lambda: a / 2.0,
             "mse": lambda: nn.mse(outs, [c, -c]), "half_sse": lambda: nn.half_sse(outs, [c, c]),
             "hinge": lambda: nn.hinge(outs, [1.0, -1.0]),
             "logistic": lambda: nn.bce_with_logits(outs, [1.0, 0.0]),
             "bce": lambda: nn.bce([o.sigmoid() for o in outs], [1.0, 0.5]),
             "ce": lambda: nn.cross_entropy(outs, i % 2)}
    return built[op]()


@settings(max_examples=300, deadline=None)
@given(STEPS)
def test_anything_built_on_a_network_keeps_the_neurons_names_and_its_labels(steps):
    model = nn.MLP(2, [2, 2], seed=7)
    frozen = model.layers[1].neurons[0].b
    frozen.requires_grad = False  # a constant leaf, yet a parameter: never a loss's target
    outs = model([0.5, -1.0])
    bare = display_names(topological_order(outs[0] + outs[1]))
    pool = [*outs, frozen]
    for op, i, j, c in steps:
        pool.append(_grow(pool, outs, op, i, j, c))
    root = pool[-1]
    order = topological_order(root)
    names = display_names(order)
    assert set(names) == set(order)
    shown = [n for v, n in names.items() if not (v.is_leaf and not v.requires_grad and not v.label)]
    assert len(set(shown)) == len(shown)  # one name per node (constants show their number)
    for v in order:
        if v in bare and bare[v].startswith("layers."):
            assert names[v] == bare[v]  # a loss never renames what a neuron computed
    labels = [p.label for p in model.parameters()]
    assert labels == [name for name, _ in model.named_parameters()]


def test_bce_names_each_half_of_its_log_likelihood():
    model = nn.MLP(2, [2, 1], output_activation="sigmoid", seed=8)
    xs, ts = [[0.5, -1.0], [1.0, 2.0], [0.0, 1.0]], [1.0, 0.0, 0.25]
    loss = nn.bce([model(x) for x in xs], ts)
    nodes = by_name(loss)
    p = [nodes[f"layers.1.neurons.0.out[{s}]"] for s in range(3)]
    # t = 1: only t·log p; t = 0: only (1 - t)·log(1 - p); t = 0.25: both, added up.
    assert nodes["loss.log_p.0"].inputs == (p[0],) and "loss.q.0" not in nodes
    assert nodes["loss.ll1.0"].inputs == (nodes["loss.target.0"], nodes["loss.log_p.0"])
    term = nodes["loss.term.0"]
    assert term.op == "neg" and term.inputs == (nodes["loss.ll1.0"],)
    assert nodes["loss.q.1"].inputs[1] is p[1] and "loss.log_p.1" not in nodes
    assert nodes["loss.log_q.1"].inputs == (nodes["loss.q.1"],)
    assert nodes["loss.ll.2"].inputs == (nodes["loss.ll1.2"], nodes["loss.ll0.2"])
    assert nodes["loss.term.2"].inputs == (nodes["loss.ll.2"],)
    assert nodes["loss.target.2"].data == 0.25
    for s, t in enumerate(ts):
        expected = -(t * math.log(p[s].data) + (1 - t) * math.log(1 - p[s].data))
        assert math.isclose(nodes[f"loss.term.{s}"].data, expected, rel_tol=1e-12)
    assert nodes["loss"] is loss and loss.inputs[0] is nodes["loss.sum.2"]


def test_an_l2_penalty_names_each_square_after_its_parameter():
    model = nn.MLP(2, [2, 1], seed=9)
    total = nn.hinge(model([0.5, -1.0]), 1.0) + nn.l2(model, 1e-4)
    total.label = "total"
    nodes = by_name(total)
    params = model.named_parameters()
    for name, p in params:
        assert nodes[f"{name}²"].inputs == (p, p)
    assert nodes["l2.sum.1"].inputs == (nodes[f"{params[0][0]}²"], nodes[f"{params[1][0]}²"])
    top = nodes["l2"]
    assert top.inputs == (top.inputs[0], nodes[f"l2.sum.{len(params) - 1}"])
    assert top.inputs[0].data == 1e-4
    assert math.isclose(top.data, 1e-4 * sum(p.data ** 2 for _, p in params), rel_tol=1e-12)
    assert total.inputs == (nodes["loss"], top)  # the hinge's mean, then the penalty
    # A square is drawn in its parameter's box; the sums outside every box.
    clusters = dot_clusters(draw(total).source)
    order = topological_order(total)
    square = f"n{order.index(nodes['layers.1.neurons.0.w.1²'])}"
    assert square in clusters["layers.1.neurons.0"]
    assert not any(f"n{order.index(nodes['l2.sum.1'])}" in ids for ids in clusters.values())
