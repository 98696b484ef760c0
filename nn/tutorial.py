"""The classic 2-2-2 backpropagation tutorial: its network, and its hand-written delta rule.

The tutorial (inputs 0.05, 0.10; targets 0.01, 0.99; logistic units; E = Σ ½(t - o)²; learning
rate 0.5) works backpropagation out by hand with "deltas".  delta_rule_step() does the same
arithmetic on a network's numbers, in either of two orders, to show where the tutorial's own
printed results come from: it updates the output weights *before* computing the hidden deltas,
so those deltas use already-changed weights.  Gradient descent wants every gradient taken at
the same point, which is what autograd (and delta_rule_step's default order) does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from autograd import Value

from .layers import MLP, Neuron

INPUTS = [0.05, 0.10]
TARGETS = [0.01, 0.99]
LEARNING_RATE = 0.5
# weights[layer][neuron][input]: w1 w2 feed h1, w3 w4 feed h2, w5 w6 feed o1, w7 w8 feed o2.
WEIGHTS = [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]]
BIASES = [[0.35, 0.35], [0.60, 0.60]]  # b1 is shared by the hidden units, b2 by the outputs


# The tutorial's names: its neurons h1 h2 (hidden) and o1 o2 (output), in layers[i].neurons[j].
NEURON_NAMES = [["h1", "h2"], ["o1", "o2"]]


def tutorial_network() -> MLP:
    """The tutorial's 2-2-2 network, logistic throughout, named as the tutorial names it.

    Its weights are labelled ``w1`` ... ``w8`` and its (frozen) biases ``b1``, ``b2``, so that
    ``explain(E).paths("w5")``, draw() and step_through() speak the tutorial's names; drawings
    and explanations call its neurons' nodes ``h1.net``, ``h1.out``, ... ``o2.out``.  Built by
    hand it is ``MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid")`` then
    ``set_weights(WEIGHTS, BIASES)``: without ``output_activation`` the output layer is linear
    and E comes out 0.628, not the tutorial's 0.298371109.
    """
    net = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    net.set_weights(WEIGHTS, BIASES)
    net.freeze([name for name, _ in net.named_parameters() if name.endswith(".b")])
    for li, layer in enumerate(net.layers):
        for j, neuron in enumerate(layer.neurons):
            for k, w in enumerate(neuron.w):
                w.label = f"w{4 * li + 2 * j + k + 1}"
            neuron.b.label = f"b{li + 1}"  # b1 feeds both hidden units, b2 both outputs
            neuron.display_name = NEURON_NAMES[li][j]
    return net


def tutorial_error(net: MLP | None = None) -> Value:
    """The tutorial's error E = Σ ½(t − o)² of `net` (default: a fresh tutorial_network()).

    The inputs are the constants ``i1`` = 0.05 and ``i2`` = 0.10, the targets 0.01 and 0.99; E
    is labelled ``E``.  On the tutorial's network E = 0.298371109 and ∂E/∂w5 = 0.082167041.
    Keep `net` alive while drawing or explaining E: its nodes are named from it.
    """
    from .losses import half_sse

    if net is None:
        net = tutorial_network()
    xs = [Value(x, label=f"i{k + 1}", requires_grad=False) for k, x in enumerate(INPUTS)]
    error = half_sse(net(xs), TARGETS)
    error.label = "E"
    return error


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def delta_rule_step(net: MLP, x: Sequence[float], target: Sequence[float], lr: float,
                    *, output_weights_first: bool = False) -> float:
    """One hand-derived backprop step on a two-layer logistic network; returns E before it.

    With ``output_weights_first=True`` the output weights change before the hidden deltas are
    computed -- the tutorial's order, which gives its published numbers.  Frozen parameters
    (requires_grad=False) are left alone, as an optimiser would.
    """
    if len(net.layers) != 2 or any(layer.activation != "sigmoid" for layer in net.layers):
        raise ValueError("delta_rule_step works on a two-layer MLP with sigmoid activations")
    hidden_layer, output_layer = net.layers
    if len(x) != net.nin or len(target) != output_layer.nout:
        raise ValueError(f"expected {net.nin} inputs and {output_layer.nout} targets, "
                         f"got {len(x)} and {len(target)}")

    # Forward pass, by hand.
    hidden = [_sigmoid(sum(w.data * xi for w, xi in zip(n.w, x, strict=True)) + n.b.data)
              for n in hidden_layer.neurons]
    out = [_sigmoid(sum(w.data * h for w, h in zip(n.w, hidden, strict=True)) + n.b.data)
           for n in output_layer.neurons]
    error = sum(0.5 * (t - o) ** 2 for t, o in zip(target, out, strict=True))

    # Output deltas: δo = ∂E/∂net_o = (out_o - t_o) · out_o · (1 - out_o).
    delta_out = [(o - t) * o * (1.0 - o) for o, t in zip(out, target, strict=True)]

    if output_weights_first:  # the tutorial's order: the hidden deltas below see new weights
        _descend(output_layer.neurons, delta_out, hidden, lr)  # ∂E/∂w_ho = δo · out_h
    # Hidden deltas: δh = (Σ_o δo · w_ho) · out_h · (1 - out_h).  This reads the output weights.
    delta_hidden = [
        sum(d * n.w[k].data for n, d in zip(output_layer.neurons, delta_out, strict=True))
        * h * (1.0 - h)
        for k, h in enumerate(hidden)
    ]
    if not output_weights_first:
        _descend(output_layer.neurons, delta_out, hidden, lr)
    _descend(hidden_layer.neurons, delta_hidden, x, lr)  # ∂E/∂w_ih = δh · input
    return error


def _descend(neurons: Sequence[Neuron], deltas: Sequence[float], inputs: Sequence[float],
             lr: float) -> None:
    """One gradient step on a layer: ∂E/∂w = δ · the weight's input, ∂E/∂b = δ (frozen: kept)."""
    for n, d in zip(neurons, deltas, strict=True):
        for w, xi in zip(n.w, inputs, strict=True):
            if w.requires_grad:
                w.data -= lr * d * xi
        if n.b.requires_grad:
            n.b.data -= lr * d
