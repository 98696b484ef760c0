"""Parameter discovery: unique names, containers found or refused, cycles, labels, forward()."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest

import nn
from autograd import Value


def module_with(**attributes):
    """A Module whose public attributes are the given objects (assigned in order)."""
    model = nn.Module()
    for name, obj in attributes.items():
        setattr(model, name, obj)
    return model


@pytest.mark.parametrize("table, places", [
    ({1: Value(10.0), "1": Value(20.0)}, ("self.w[1]", "self.w['1']")),
    ({"a.b": Value(1.0), "a": {"b": Value(2.0)}}, ("self.w['a.b']", "self.w['a']['b']")),
    ({"v": [Value(1.0)], "v.0": Value(2.0)}, ("self.w['v'][0]", "self.w['v.0']")),
])
def test_two_parameters_with_one_name_are_refused_naming_both(table, places):
    model = module_with(w=table)
    with pytest.raises(ValueError, match="both named") as err:
        model.state_dict()
    for place in places:
        assert place in str(err.value)


def test_an_attribute_and_a_dict_key_that_collide_are_refused():
    model = module_with(**{"a": {"b": Value(1.0)}})
    setattr(model, "a.b", Value(2.0))  # an attribute name with a dot, via setattr
    with pytest.raises(ValueError, match=r"'a\.b'.*self\.a\['b'\] and self\.a\.b"):
        model.parameters()


def test_one_value_kept_in_two_places_is_one_parameter():
    v = Value(1.0)
    model = module_with(first=v, again=[v], twice={"x": v})
    assert model.named_parameters() == [("first", v)]


@pytest.mark.parametrize("container", [set, frozenset])
def test_values_in_unordered_containers_are_refused_naming_the_attribute(container):
    with pytest.raises(TypeError, match=r"self\.bag keeps Values in a " + container.__name__):
        module_with(bag=container([Value(1.0), Value(2.0)]))
    model = module_with(tags=container(["a", "b"]))  # a set of plain data is no problem
    assert model.parameters() == []


def test_values_in_a_set_inside_a_list_are_refused():
    model = module_with(items=[1, 2])
    model.items.append({Value(1.0)})  # changed in place, after the assignment
    with pytest.raises(TypeError, match=r"self\.items\[2\] keeps Values in a set"):
        model.parameters()


def test_values_in_a_deque_are_trained_and_saved(tmp_path):
    model = module_with(queue=deque([Value(1.0), Value(2.0)]))
    assert [name for name, _ in model.named_parameters()] == ["queue.0", "queue.1"]
    (model.queue[0] * model.queue[1]).backward()
    nn.SGD(model, lr=0.5).step()
    assert [p.data for p in model.queue] == [0.0, 1.5]
    model.save(tmp_path / "q.json")
    assert nn.load_state_dict(tmp_path / "q.json") == {"queue.0": 0.0, "queue.1": 1.5}


def test_values_in_a_numpy_object_array_are_parameters_named_by_index():
    grid = np.empty((2, 2), dtype=object)
    for i in range(2):
        for j in range(2):
            grid[i, j] = Value(float(10 * i + j))
    model = module_with(grid=grid, plain=np.zeros(3))  # a float array holds no parameters
    assert model.state_dict() == {"grid.0.0": 0.0, "grid.0.1": 1.0, "grid.1.0": 10.0,
                                  "grid.1.1": 11.0}
    assert grid[1, 0].label == "grid.1.0"


def test_a_module_that_refers_back_to_itself_is_walked_once(tmp_path):
    class Child(nn.Module):
        def __init__(self):
            self.w = Value(1.0)

    class Parent(nn.Module):
        def __init__(self):
            self.child = Child()
            self.child.owner = self
            self.loop = [Value(2.0)]
            self.loop.append(self.loop)  # a list that contains itself
            self.me = self

    model = Parent()
    assert [name for name, _ in model.named_parameters()] == ["child.w", "loop.0"]
    assert model.child.w.label == "child.w"  # the back-reference did not relabel it "owner..."
    model.save(tmp_path / "p.json")
    other = Parent()
    other.load(tmp_path / "p.json")
    assert other.state_dict() == model.state_dict()
    assert len(model.child.parameters()) == 2  # child.w and, through owner, loop.0


def test_deep_nesting_does_not_hit_the_recursion_limit():
    nested: list = [Value(1.0)]
    for _ in range(20_000):
        nested = [nested]
    model = module_with(deep=nested)
    [(name, _)] = model.named_parameters()
    assert name == "deep" + ".0" * 20_001


class Net(nn.Module):
    """A network written in PyTorch's style: sub-modules as attributes and a forward()."""

    def __init__(self):
        self.hidden = nn.Layer(2, 4, "tanh", rng=__import__("random").Random(0))
        self.out = nn.Neuron(4, "linear", rng=__import__("random").Random(1))
        self.scale = Value(1.0)

    def forward(self, x):
        return self.out(self.hidden(x)) * self.scale


def test_a_module_with_forward_is_callable_and_trains_with_fit():
    net = Net()
    x = [0.5, -1.0]
    assert net(x).data == net.forward(x).data
    X, y = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]], [1.0, 1.0, 0.0, 0.0]
    history = nn.fit(net, X, y, loss=nn.mse, optimizer=nn.Adam(net, lr=0.05), steps=200,
                     quiet=True)
    assert history["loss"][-1] < 0.1 * history["loss"][0]


def test_a_module_without_forward_says_how_to_make_it_callable():
    with pytest.raises(TypeError, match="Module is not callable: define a forward"):
        nn.Module()([1.0])


def test_mlp_layer_and_neuron_keep_their_own_calls():
    mlp = nn.MLP(2, [3, 1], seed=0)
    assert isinstance(mlp([1.0, 2.0]), Value)
    assert len(mlp.layers[0]([1.0, 2.0])) == 3
    assert isinstance(mlp.layers[0].neurons[0]([1.0, 2.0]), Value)


def test_nested_parameters_carry_dotted_labels_without_a_call():
    net = Net()
    assert net.hidden.neurons[3].w[1].label == "hidden.neurons.3.w.1"
    assert net.out.b.label == "out.b"
    assert net.scale.label == "scale"

    class Outer(nn.Module):
        def __init__(self):
            self.net = Net()
            self.extra = []

    outer = Outer()
    assert outer.net.hidden.neurons[0].b.label == "net.hidden.neurons.0.b"
    outer.extra.append(nn.Neuron(1, rng=__import__("random").Random(2)))  # no assignment seen
    assert [p.label for p in outer.parameters()] == [name for name, _ in outer.named_parameters()]
    assert outer.extra[0].w[0].label == "extra.0.w.0"
    outer.net.parameters()  # a sub-module's shorter names leave the full labels alone
    assert outer.net.scale.label == "net.scale"


def test_the_registry_of_modules_is_weak_and_safe_while_threads_build_modules():
    # nn names drawn nodes from the modules alive (nn/module.py says why the registry exists);
    # it must hold no module the program dropped, and a snapshot must not fail while other
    # threads make modules.
    import gc
    import threading

    from nn.module import live_modules

    model = nn.MLP(2, [3, 1], seed=0)
    ids = {id(m) for m in live_modules()}
    assert id(model) in ids
    before = len(live_modules())
    del model
    gc.collect()
    assert len(live_modules()) < before  # the MLP, its layers and neurons are gone

    stop = threading.Event()

    def build() -> None:
        while not stop.is_set():
            nn.MLP(2, [2], seed=0)

    workers = [threading.Thread(target=build) for _ in range(2)]
    for w in workers:
        w.start()
    try:
        for _ in range(300):
            live_modules()
    finally:
        stop.set()
        for w in workers:
            w.join()
def test_a_value_kept_under_two_attributes_is_named_and_labelled_after_the_first():
    class Twice(nn.Module):
        def __init__(self) -> None:
            w = Value(1.0)
            self.first = [w]
            self.second = {"k": w}
            self.alias = w

    class Tied(nn.Module):
        def __init__(self) -> None:
            self.enc = nn.Layer(2, 1)
            self.tied = self.enc.neurons[0].w[0]  # weight tying: one Value, two places

    class Outer(nn.Module):
        def __init__(self) -> None:
            self.inner = Twice()

    for model in (Twice(), Tied(), Outer()):
        named = model.named_parameters()
        assert all(v.label == name for name, v in named), named
    tied = Tied()
    assert tied.tied.label == "enc.neurons.0.w.0"
    late = Twice()
    late.other = late.first[0]  # assigned after the module was built
    assert late.first[0].label == "first.0"
    assert [name for name, _ in late.named_parameters()] == ["first.0"]
