"""Code from a micrograd lecture notebook runs on valuegrad's Values: ``_prev`` and ``_op``."""

from __future__ import annotations

import graphviz
import pytest

from autograd import Value


def collect(root):
    """The lecture's way to walk a graph: every node and edge, reached through ``_prev``."""
    nodes, edges = set(), set()
    stack = [root]
    while stack:
        v = stack.pop()
        if v in nodes:
            continue
        nodes.add(v)
        for child in v._prev:
            edges.add((child, v))
            stack.append(child)
    return nodes, edges


def lecture_drawing(root) -> graphviz.Digraph:
    """A notebook's own draw_dot: a record per Value, an oval per op, edges into the ops."""
    dot = graphviz.Digraph(graph_attr={"rankdir": "LR"})
    nodes, edges = collect(root)
    for n in nodes:
        uid = str(id(n))
        dot.node(uid, label=f"{{ {n.label} | data {n.data:.4f} | grad {n.grad:.4f} }}",
                 shape="record")
        if n._op:
            dot.node(uid + n._op, label=n._op)
            dot.edge(uid + n._op, uid)
    for child, parent in edges:
        dot.edge(str(id(child)), str(id(parent)) + parent._op)
    return dot


def neuron():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    o.label = "o"
    return (x1, x2, w1, w2, b), o


def test_prev_is_the_set_of_inputs_and_read_only():
    a, b = Value(2.0), Value(3.0)
    c = a * b
    assert c._prev == {a, b} and isinstance(c._prev, frozenset)
    assert a._prev == set()
    square = a * a
    assert square._prev == {a}  # a set, as micrograd's: x*x has one input
    with pytest.raises(AttributeError):
        c._prev = {a}
    with pytest.raises(AttributeError):
        c._prev.add(b)


def test_op_is_empty_for_leaves_and_a_string_for_computed_nodes():
    leaves, o = neuron()
    assert all(not leaf._op for leaf in leaves)
    assert isinstance(o._op, str) and o._op
    assert {v._op for v in collect(o)[0] if v._op} == {"*", "+", "tanh"}  # as micrograd spells them


def test_the_lecture_draw_dot_runs_and_draws_every_node_and_edge():
    leaves, o = neuron()
    o.backward()
    dot = lecture_drawing(o)
    nodes, edges = collect(o)
    assert len(nodes) == 10 and len(edges) == 9  # 5 leaves, 2 products, 2 sums, tanh
    source = dot.source
    assert source.count("shape=record") == 10
    assert "data -3.0000 | grad 1.0000" in source  # w1: grad = x1 * (1 - o²) = 2 * 0.5
    assert "{ o | data 0.7071 | grad 1.0000 }" in source
    svg = dot.pipe(format="svg").decode("utf-8")  # Graphviz reads what the lecture wrote
    assert svg.count('class="node"') == 10 + 5  # the records and one oval per operation
