"""Display names and groups (autograd.explanations.naming): preference order, describers."""

from __future__ import annotations

import pytest

from autograd import Value
from autograd.explanations.naming import (
    NodeInfo,
    describe,
    node_names,
    register_describer,
    unregister_describer,
)


def small_graph() -> tuple[Value, Value, Value, Value]:
    x = Value(2.0, label="x")
    two = Value(3.0, requires_grad=False)
    y = x * two
    z = y.tanh()
    return x, two, y, z


def test_names_prefer_label_then_derived_then_extra_then_number_then_index():
    x, two, y, z = small_graph()
    order = [x, two, y, z]
    assert node_names(order) == {x: "x", two: "3", y: "v2", z: "v3"}
    assert node_names(order, extra={y: "x*3"}) == {x: "x", two: "3", y: "x*3", z: "v3"}
    derived = {y: NodeInfo("scaled"), x: NodeInfo("not used: x has a label")}
    names = node_names(order, extra={y: "x*3", z: "tanh(x*3)"}, infos=derived)
    assert names == {x: "x", two: "3", y: "scaled", z: "tanh(x*3)"}


def test_generated_names_never_repeat_a_label_or_each_other():
    a = Value(1.0, label="v1")
    b = a * 2.0  # index 2 in the order below
    c = b + a
    c.label = "net"
    d = c.relu()
    order = [a, Value(2.0, requires_grad=False), b, c, d]
    infos = {b: NodeInfo("net"), d: NodeInfo("net")}
    names = node_names(order, infos=infos)
    assert names[c] == "net" and names[b] == "net'" and names[d] == "net''"
    assert node_names([a, b], infos={b: NodeInfo(None)})[b] == "v1'"
    assert a.label == "v1" and c.label == "net" and b.label == ""  # labels are untouched


def test_registered_describers_are_merged_and_the_first_one_wins():
    x, two, y, z = small_graph()

    def first(order):
        return {y: NodeInfo("first", ("g",)), Value(0.0): NodeInfo("not in the graph")}

    def second(order):
        return {y: NodeInfo("second"), z: NodeInfo("out", ("g", "g.h"))}

    register_describer(first)
    register_describer(second)
    register_describer(first)  # a second registration changes nothing
    try:
        found = describe([x, two, y, z])
        assert found == {y: NodeInfo("first", ("g",)), z: NodeInfo("out", ("g", "g.h"))}
    finally:
        unregister_describer(first)
        unregister_describer(second)
    assert describe([x, two, y, z]) == {}


def test_bad_describers_raise_typed_errors():
    with pytest.raises(TypeError, match="callable"):
        register_describer("not a function")
    x, two, y, z = small_graph()
    for bad in (lambda order: [y], lambda order: {y: "a name"}):
        register_describer(bad)
        try:
            with pytest.raises(TypeError, match="describer"):
                describe([x, y])
        finally:
            unregister_describer(bad)
