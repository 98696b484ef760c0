"""A network written the PyTorch way (Module subclass, attributes, forward) trains with nn.fit."""

from __future__ import annotations

import random

import nn


class Net(nn.Module):
    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self.hidden = nn.Layer(2, 8, "tanh", rng=rng)
        self.out = nn.Layer(8, 1, "linear", rng=rng)

    def forward(self, x):
        return self.out(self.hidden(x))[0]


def test_a_pytorch_style_net_is_labelled_by_dotted_name_without_a_call():
    net = Net(seed=1)
    names = [name for name, _ in net.named_parameters()]
    assert names[0] == "hidden.neurons.0.w.0" and names[-1] == "out.neurons.0.b"
    assert len(names) == 8 * 3 + 9
    assert [p.label for p in net.parameters()] == names


def test_a_pytorch_style_net_trains_with_fit():
    X, y = nn.make_moons(60, noise=0.1, seed=3)
    y = nn.signed(y)
    net = Net(seed=2)
    before = [p.data for p in net.parameters()]
    history = nn.fit(net, X, y, loss=nn.hinge, optimizer=nn.SGD(net, lr=0.1), steps=40,
                     quiet=True)
    assert history["loss"][-1] < 0.6 * history["loss"][0]
    assert history["accuracy"][-1] > 0.8
    assert [p.data for p in net.parameters()] != before
    assert net.parameters()[0].label == "hidden.neurons.0.w.0"
