"""The pictures of the README and the documentation, drawn from the code.

Run ``python -m docs.make_pictures`` to write them into docs/pictures.

Every picture is drawn by valuegrad itself from the examples the pages show, so every number in it
is one the engine computes now.  tests/test_docs_pictures.py draws them again and checks that the
committed files show the same texts and numbers, and that they are legible in a browser.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import nn
from autograd import Value, draw
from nn.demo import TUTORIAL_NAMES, readme_expression
from nn.tutorial import BIASES, INPUTS, LEARNING_RATE, TARGETS, WEIGHTS

HERE = Path(__file__).resolve().parent
PICTURES = HERE / "pictures"


def tutorial_network() -> nn.MLP:
    """The 2-2-2 tutorial's network, built as the README builds it."""
    net = nn.MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid")
    net.set_weights(WEIGHTS, BIASES)
    return net


def network_2_2_2() -> str:
    """The tutorial network's diagram: every weight, ∂E/∂w, δ, E and the weights after one step."""
    net = tutorial_network()
    return nn.diagram(net, INPUTS, TARGETS, names=TUTORIAL_NAMES, lr=LEARNING_RATE).svg()


def _neuron() -> Value:
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.8813735870195432, label="b")
    y = (x * w + b).tanh()
    y.label = "y"
    y.backward()
    return y


def neuron() -> str:
    """One neuron, tanh(x·w + b), after backward: every box's data and grad."""
    return draw(_neuron()).svg()


def neuron_edge_grads() -> str:
    """The same neuron with each edge labelled by its local derivative."""
    return draw(_neuron(), edge_grads=True, rankdir="TB").svg()


def _tutorial_error() -> tuple[nn.MLP, Value]:
    net = tutorial_network()
    xs = [Value(x, label=f"i{k + 1}", requires_grad=False) for k, x in enumerate(INPUTS)]
    error = nn.half_sse(net(xs), TARGETS)
    error.label = "E"
    error.backward()
    return net, error


def graph_2_2_2() -> str:
    """Every operation of the tutorial network's error E, named after the network."""
    net, error = _tutorial_error()  # the net stays alive: the drawing names nodes from it
    return draw(error).svg()


def paths_w1() -> str:
    """Only the paths from E down to w1 (layers.0.neurons.0.w.0): the two of the tutorial."""
    net, error = _tutorial_error()
    return draw(error, paths_to=net.layers[0].neurons[0].w[0]).svg()


def micrograd_expression() -> str:
    """micrograd's README expression, after backward."""
    _, _, g = readme_expression()
    g.backward()
    return draw(g).svg()


def network_16_16_1() -> str:
    """A bigger network's diagram: the strongest connections drawn, the rest faint."""
    return nn.diagram(nn.MLP(2, [16, 16, 1], seed=1), [0.5, -1.0], [1.0]).svg()


MAKERS: dict[str, Callable[[], str]] = {
    "network-2-2-2.svg": network_2_2_2,
    "neuron.svg": neuron,
    "neuron-edge-grads.svg": neuron_edge_grads,
    "graph-2-2-2.svg": graph_2_2_2,
    "paths-w1.svg": paths_w1,
    "micrograd-expression.svg": micrograd_expression,
    "network-16-16-1.svg": network_16_16_1,
}


def main(out: Path = PICTURES) -> int:
    """Write every picture into `out` (docs/pictures by default)."""
    out.mkdir(parents=True, exist_ok=True)
    for name, make in MAKERS.items():
        (out / name).write_text(make(), encoding="utf-8")
        print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else PICTURES))
