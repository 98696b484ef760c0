"""`valuegrad demo`: train MLP(2, [16, 16, 1]) on two moons and save what there is to look at.

Writes into the output folder (every picture from a fresh backward pass on zeroed gradients):
  history.png, decision_boundary.png   (need matplotlib: pip install 'valuegrad[plot]')
                     training and validation loss and accuracy (plot_history); the boundary
  neuron.svg         one trained neuron's graph on a sample where it is active, after backward
  expression.svg     micrograd's README expression, after backward
  network-2-2-2.svg  the classic 2-2-2 tutorial's network diagram: its numbers, one SGD step
  graph-2-2-2.svg    the same network's operation graph, layer by layer
  network-moons.svg  the trained moons network's diagram on one sample
  steps.html         the README expression's backward pass, one frame per step
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from autograd import Value, draw, no_grad, step_through
from autograd.core import native

from .viz.diagram import diagram

DEFAULT_STEPS = 40  # a few seconds on one core; micrograd's demo uses 100


def readme_expression() -> tuple[Value, Value, Value]:
    """micrograd's README example: returns (a, b, g) with g built from a and b."""
    a = Value(-4.0, label="a")
    b = Value(2.0, label="b")
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.label = "g"
    return a, b, g


# The tutorial's own names for its weights, neurons, inputs and error.
TUTORIAL_NAMES = {
    **{f"layers.{li}.neurons.{j}.w.{k}": f"w{4 * li + 2 * j + k + 1}"
       for li in range(2) for j in range(2) for k in range(2)},
    **{f"layers.{li}.neurons.{j}.b": f"b{li + 1}" for li in range(2) for j in range(2)},
    "layers.0.neurons.0": "h1", "layers.0.neurons.1": "h2",
    "layers.1.neurons.0": "o1", "layers.1.neurons.1": "o2",
    "x.0": "i1", "x.1": "i2", "loss": "E",
}


def _tutorial_pictures(out: Path) -> list[Path]:
    """The 2-2-2 tutorial network: its diagram (with one SGD step) and its operation graph."""
    from .losses import half_sse
    from .tutorial import INPUTS, LEARNING_RATE, TARGETS, tutorial_network

    net = tutorial_network()  # kept alive while drawing: its nodes are named from it
    written = [diagram(net, INPUTS, TARGETS, names=TUTORIAL_NAMES, lr=LEARNING_RATE)
               .save(out / "network-2-2-2.svg")]
    # The operation graph in the tutorial's names: w1 … w8, b1, b2, h1, h2, o1, o2 (else each
    # neuron's weights read w.0 and w.1, four times over).
    for name, p in net.named_parameters():
        p.label = TUTORIAL_NAMES[name]
    xs = [Value(x, label=f"i{k + 1}", requires_grad=False) for k, x in enumerate(INPUTS)]
    hidden = net.layers[0](xs)
    outputs = net.layers[1](hidden)
    for unit, name in zip([*hidden, *outputs], ["h1", "h2", "o1", "o2"], strict=True):
        unit.label = name
    error = half_sse(outputs, TARGETS)
    error.label = "E"
    net.zero_grad()
    error.backward()
    # Each box's fields side by side (table labels): stacked, the 26 ranks ran 2,700 px tall;
    # this way the whole graph reads at about 11 px text in a 900 px column, 1,300 px tall.
    written.append(draw(error, rankdir="TB", html_labels=True).save(out / "graph-2-2-2.svg"))
    return written


def _neuron_picture(out: Path, model: Any, X: list[list[float]]) -> Path:
    """One trained first-layer neuron on a sample where it is active (relu output > 0)."""
    neuron = model.layers[0].neurons[0]
    with no_grad():
        alive = next((x for x in X if neuron(x).data > 0), X[0])
    x = [Value(alive[k], label=f"x.{k}", requires_grad=False) for k in range(2)]
    unit = neuron(x)
    unit.label = "output"
    model.zero_grad()  # the last training step's gradients would not add up with this pass
    unit.backward()
    # Top down, as graph-2-2-2.svg: left to right its 8 named boxes are wider than a notebook
    # column shows at a readable size.
    return Path(draw(unit, params=neuron.parameters(), rankdir="TB").save(out / "neuron.svg"))


def _plots(out: Path, history: dict[str, list[float]], model: Any, X: list[list[float]],
           y: list[int], held_out: tuple[list[list[float]], list[int]]) -> list[Path]:
    """History and decision boundary as PNG; [] with a message when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only: works without a display
        import matplotlib.figure  # noqa: F401 (matplotlib present: both plots can be drawn)
    except ImportError:
        print("matplotlib is not installed, so no history.png or decision_boundary.png: "
              "pip install 'valuegrad[plot]' to get them")
        return []
    from .viz.boundary_plot import plot_decision_boundary
    from .viz.history_plot import plot_history

    plot = plot_history(history, title="MLP(2, [16, 16, 1]) on two moons")
    written = [Path(plot.savefig(out / "history.png"))]

    boundary = plot_decision_boundary(model, X, y, held_out=held_out,
                                      title="MLP(2, [16, 16, 1]) on two moons: its decision")
    boundary.savefig(out / "decision_boundary.png")
    written.append(out / "decision_boundary.png")
    return written


def _one_output(out: Value | list[Value]) -> Value:
    """The single output of an MLP whose last layer has one neuron."""
    if isinstance(out, list):
        raise TypeError(f"expected one output, got {len(out)}")
    return out


def run_demo(out: Path, steps: int | None = None, seed: int = 0, samples: int = 100) -> int:
    """Train on moons with a progress bar, print the accuracy, write the pictures; exit code."""
    import nn  # the package this module is part of, for its public names

    steps = DEFAULT_STEPS if steps is None else steps
    out.mkdir(parents=True, exist_ok=True)

    X, labels = nn.make_moons(samples, noise=0.1, seed=seed)
    y = nn.signed(labels)  # hinge loss wants -1 / +1
    # Held-out points from the same two moons (another seed), watched while training.
    X_val, labels_val = nn.make_moons(max(samples // 4, 2), noise=0.1, seed=seed + 1)
    model = nn.MLP(2, [16, 16, 1], seed=seed)
    print(f"training {model.__class__.__name__}(2, [16, 16, 1]) "
          f"({len(model.parameters())} parameters) on {samples} moons points for {steps} steps, "
          f"on {native.DESCRIPTION}")
    # micrograd's schedule: the learning rate falls linearly from 1.0 to 0.1.
    optimizer = nn.SGD(model, lr=lambda k: 1.0 - 0.9 * k / steps)
    history = nn.fit(model, X, y, loss=nn.hinge, optimizer=optimizer, steps=steps, l2=1e-4,
                     desc="moons", validation=(X_val, nn.signed(labels_val)))
    with no_grad():
        hits = sum((_one_output(model(x)).data > 0) == (t > 0) for x, t in zip(X, y, strict=True))
    accuracy = hits / len(X)
    print(f"accuracy after training: {accuracy:.1%} ({hits}/{len(X)}); "
          f"loss {history['loss'][0]:.4f} -> {history['loss'][-1]:.4f}; "
          f"{history['val_accuracy'][-1]:.1%} on {len(X_val)} held-out points")
    if not math.isfinite(history["loss"][-1]):
        print("warning: the loss is not finite")

    written = _plots(out, history, model, X, y, (X_val, nn.signed(labels_val)))

    written.append(_neuron_picture(out, model, X))
    _, _, g = readme_expression()
    g.backward()
    written.append(Path(draw(g).save(out / "expression.svg")))
    written += _tutorial_pictures(out)
    written.append(diagram(model, X[0], y[0], loss=nn.hinge).save(out / "network-moons.svg"))
    _, _, g2 = readme_expression()
    written.append(step_through(g2).save(out / "steps.html"))
    for path in written:
        print(f"wrote {path}")
    return 0
