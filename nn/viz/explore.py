"""nn.explore(model, x, target, loss): the network diagram with a slider per input, weight and bias.

The sample's forward pass and loss are recorded once as a graph of Values (as nn.diagram builds
them); each slider move replays that graph on the widget's own numbers (autograd's explore
session) and rewrites every number of the diagram in place: inputs, each neuron's net, out and
δ = ∂loss/∂net, each weight and ∂loss/∂w, the loss.  *step* applies one gradient-descent update
(w -= lr · ∂loss/∂w, parameters only: inputs and frozen parameters stay) to the widget's numbers
and lists every weight before and after.  The model itself is never changed.
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Callable, Mapping
from typing import Any

from autograd import Value
from autograd.explanations.naming import NodeInfo
from autograd.explanations.rules import number
from autograd.viz.explore.replay import widest
from autograd.viz.explore.session import GraphSession, mark_svg, node_detail, show

from .diagram_dot import NetworkDiagram, _Writer
from .network_numbers import (
    NetworkNumbers,
    _forward,
    _structure,
    loss_of,
    network_layers,
    network_numbers,
)

_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<BR[^>]*>")
# The number the diagram's circles and labels are sized for at least ("-0.8889" at .4g): a
# circle grows with its widest line, and wider circles would push the diagram past a column.
TYPICAL_NUMBER = -0.888888888


class _LabelWriter(_Writer):
    """The diagram's writer, keeping each node's label as lines of text instead of drawing it."""

    def __init__(self, found: NetworkNumbers, number_format: str) -> None:
        g = NetworkDiagram(name="network")
        g.titles, g.numbers = {}, found
        super().__init__(g, found, number_format)
        self.lines: dict[str, list[str]] = {}

    def node(self, node: str, **attrs: str) -> None:
        label = attrs.get("label", "")
        if not (label.startswith("<") and label.endswith(">")):
            self.lines[node] = [label] if label else []
            return
        # An HTML-like label: a line per <BR/>, tags dropped, entities read and the backslashes
        # escape_html doubles made single again, as the SVG shows it.
        self.lines[node] = [html.unescape(_TAG.sub("", line)).replace("\\\\", "\\")
                            for line in _BREAK.split(label[1:-1])]


def diagram_lines(found: NetworkNumbers, number_format: str) -> dict[str, list[str]]:
    """Every diagram node's text lines for these numbers, as diagram_dot writes them."""
    writer = _LabelWriter(found, number_format)
    writer.write()
    return writer.lines


class NetworkSession(GraphSession):
    """What nn.explore shows: the network diagram, sliders, recompute, explanations, a step."""

    can_step = True

    def __init__(self, model: Any, x: Any, target: Any,
                 loss: Callable[[Any, Any], Value] | None = None,
                 names: Mapping[str, str] | None = None, number_format: str = ".4g",
                 lr: float = 0.1) -> None:
        if x is None or target is None:
            raise TypeError("nn.explore needs a sample x and its target (and optionally a "
                            "loss, default nn.half_sse): the sliders move its loss")
        self.found = network_numbers(model, x, target, loss, names)  # checks every argument
        self.lr = lr
        layers = network_layers(model)
        self.input_names = [self.found.names.get(f"x.{k}", f"x{k}")
                            for k in range(len(self.found.inputs or []))]
        inputs = [Value(xi, label=n, requires_grad=False)
                  for xi, n in zip(self.found.inputs or [], self.input_names, strict=True)]
        outputs, nodes = _forward(layers, inputs, _structure(layers))
        root = loss_of(outputs, target, loss, self.found)
        # Where each number of the diagram lives in the recorded graph.
        self.neurons = [[(net, out, neuron.b) for (net, out), neuron in zip(column, layer.neurons,
                                                                             strict=True)]
                        for column, (_, layer) in zip(nodes, layers, strict=True)]
        self.weights = [w for _, layer in layers for n in layer.neurons for w in n.w]
        self.inputs = inputs
        self.parameter_order = [p for _, layer in layers for n in layer.neurons
                                for p in (*n.w, n.b)]
        self.clicks: dict[str, int] = {}
        super().__init__(root, number_format)
        # Inputs first, then the parameters in the model's order; a loss's named constants
        # (its targets) get none: the diagram shows the target it was given.
        at = self.replay.index
        rank = {at[v]: r for r, v in enumerate([*inputs, *self.parameter_order]) if v in at}
        self.knobs = sorted((k for k in self.knobs if int(k.key[1:]) in rank),
                            key=lambda k: rank[int(k.key[1:])])
        self.by_key = {k.key: int(k.key[1:]) for k in self.knobs}
        self.values = {k.key: k.value for k in self.knobs}

    def _display_names(self, order: list[Value], infos: Mapping[Value, NodeInfo]
                       ) -> dict[Value, str]:
        """nn's dotted names, renamed by the diagram's names (w1, h1.net, E...)."""
        shown = super()._display_names(order, infos)
        names = self.found.names
        prefixes = sorted((k for k in names if not k.startswith("x.") and k != "loss"),
                          key=len, reverse=True)
        out = {}
        for v, n in shown.items():
            if n in names:
                out[v] = names[n]
                continue
            prefix = next((p for p in prefixes if n.startswith(p + ".")), None)
            out[v] = names[prefix] + n[len(prefix):] if prefix else n
        out[order[-1]] = self.found.loss_name
        return out

    # --- the diagram's numbers now ----------

    def network_now(self, wide: bool = False) -> NetworkNumbers:
        """The diagram's numbers for the widget's numbers now (wide: the sizing placeholders)."""
        at, c, f = self.replay.index, self.copies, self.number_format

        def now(v: Value, grad: bool = False) -> float:
            x = c[at[v]].grad if grad else c[at[v]].data
            return widest(x, f, TYPICAL_NUMBER) if wide else x

        found = copy.deepcopy(self.found)
        found.inputs = [now(v) for v in self.inputs]
        for column, numbers_ in zip(self.neurons, found.layers, strict=True):
            for (net, out, b), nn in zip(column, numbers_, strict=True):
                nn.net, nn.out, nn.delta, nn.bias = now(net), now(out), now(net, True), now(b)
        for e, w in zip(found.edges, self.weights, strict=True):
            e.weight, e.grad, e.after_step = now(w), now(w, True), None
        found.loss = now(self.replay.order[-1])
        return found

    def _drawing(self, infos: Mapping[Value, NodeInfo], rankdir: str,
                 max_nodes: int | None) -> str:
        """The network diagram drawn with room for wide numbers, its texts marked."""
        at = self.replay.index
        self.clicks = {f"x{k}": at[v] for k, v in enumerate(self.inputs)}
        self.clicks["loss"] = len(self.replay.order) - 1
        for li, column in enumerate(self.neurons):
            for j, (net, _, _) in enumerate(column):
                self.clicks[f"h{li}_{j}"] = at[net]
        for e, w in zip(self.found.edges, self.weights, strict=True):
            self.clicks[_Writer.label_node(e)] = at[w]
        sizing = self.network_now(wide=True)
        svg = NetworkDiagram.build(sizing, self.number_format).svg()
        lines = diagram_lines(sizing, self.number_format)
        texts = {f"node_{node}": [f"{node}.{k}" for k in range(len(found))]
                 for node, found in lines.items() if found}
        marked = mark_svg(svg, texts, {f"node_{n}": n for n in self.clicks}, by_id=True)
        self._check_marks(marked, sizing)
        return marked

    def _check_marks(self, svg: str, sizing: NetworkNumbers) -> None:
        """Every marked text must read as the writer wrote it (else the diagram changed)."""
        expected = {f"{node}.{k}": line
                    for node, found in diagram_lines(sizing, self.number_format).items()
                    for k, line in enumerate(found)}
        for key, text in re.findall(r'data-vg-text="([^"]*)">([^<]*)<', svg):
            if " ".join(html.unescape(text).split()) != " ".join(expected[key].split()):
                raise RuntimeError(f"the network diagram's text {key} reads {text!r}, not "
                                   f"{expected[key]!r}: nn.explore cannot update it in place")

    def texts(self) -> dict[str, str]:
        """The diagram's texts for the current numbers, as diagram_dot writes them."""
        lines = diagram_lines(self.network_now(), self.number_format)
        return {f"{node}.{k}": line for node, found in lines.items()
                for k, line in enumerate(found)}

    def summary(self) -> str:
        """One line over the diagram: the loss now."""
        return f"{self.found.loss_name} = {number(self.copies[-1].data, self.number_format)}"

    def detail(self, key: str) -> dict[str, Any]:
        """The panel for a clicked circle (its net), weight, input or the loss."""
        if key not in self.clicks:
            return super().detail(key)
        return node_detail(self.explanation, self.copies[self.clicks[key]], self.number_format)

    def key_of(self, node: str) -> str:
        """The key of a diagram node (x0, h0_1, w1_0_0, loss) or of a node shown by name."""
        if node in self.clicks:
            return node
        return super().key_of(node)

    # --- gradient descent ----------

    def step(self, lr: float) -> tuple[dict[str, Any], dict[str, float]]:
        """One update w -= lr · ∂loss/∂w of every parameter that takes a gradient.

        Returns the log (each weight before, its gradient, after) and the new slider numbers.
        """
        f = self.number_format
        before = self.copies[-1].data
        new = dict(self.values)
        rows = []
        for k in self.knobs:
            if k.kind != "parameter":
                continue  # inputs and frozen parameters are never updated
            i = self.by_key[k.key]
            g = self.copies[i].grad
            new[k.key] = self.values[k.key] - lr * g  # as nn.SGD: p.data -= lr * g
            rows.append([k.name, number(self.values[k.key], f), number(g, f),
                         number(new[k.key], f)])
        self.update(new)
        loss = self.found.loss_name
        log = {"title": f"gradient-descent step, learning rate {number(lr, f)}: {loss} "
                        f"{number(before, f)} → {number(self.copies[-1].data, f)} "
                        "(the widget's numbers; the model is unchanged)",
               "header": ["parameter", "before", f"∂{loss}/∂parameter", "after"], "rows": rows}
        return log, new


def explore(model: Any, x: Any, target: Any, loss: Callable[[Any, Any], Value] | None = None,
            *, names: Mapping[str, str] | None = None, lr: float = 0.1,
            number_format: str = ".4g") -> Any:
    """Show the network diagram as a widget: sliders for x and every parameter, a step button.

    Moving a slider recomputes the forward and backward pass of loss(model(x), target) (default
    nn.half_sse) on the widget's own numbers and updates the diagram; clicking a circle, weight,
    input or the loss shows its rows of the explained pass and its chain-rule paths; *step*
    applies one gradient-descent update with the learning rate shown (lr) and lists the weights
    before and after.  The model and its .grad are never changed.  names: as nn.diagram's.
    Without anywidget/ipywidgets: the static diagram.
    """
    session = NetworkSession(model, x, target, loss, names, number_format, lr)
    static = {"text/plain": repr(model),
              "image/svg+xml": NetworkDiagram.build(session.found, number_format).svg()}
    return show(session, static)

