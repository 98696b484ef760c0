"""autograd.explore(root): a Value's graph drawn with a slider for every leaf one can change.

Moving a slider replays the recorded graph on the widget's own numbers (replay.py) and
updates every data and grad in the drawing in place; clicking a node shows its rows of the
explained backward pass (rule with operands, product, running sum) and its chain-rule paths.
The widget is an anywidget (widget.py); where anywidget or ipywidgets cannot be imported
``explore`` returns a StaticExploration, which displays as the plain drawing does.  The user's
Values and their ``.grad`` are never changed.

A *session* holds what any front-end needs: the drawing with its updatable texts marked
(``data-vg-text``) and its clickable nodes (``data-vg-node``), the knobs (sliders), and
``update(values)`` / ``detail(key)`` / ``step(lr)``.  nn/viz/explore.py makes one for a network.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ...core.value import Value
from ...explanations.explain import Explanation
from ...explanations.names import display_names
from ...explanations.naming import NodeInfo, describe, register_describer, unregister_describer
from ...explanations.rules import number, partial
from ...output.escape import visible
from ..draw import DEFAULT_MAX_NODES, GraphTooLargeError, draw
from .replay import Replay, finite_number, widest

SVG_NS = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
MAX_PATHS_SHOWN = 12  # a node's panel lists at most this many chain-rule paths
STEPS_PER_SLIDER = 200  # a slider moves in steps of about 1/200 of its range
ROW_HEADER = ("step", "node", "grad", "input", "local grad", "product", "input grad so far",
              "rule")


@dataclass(frozen=True)
class Knob:
    """One slider: the leaf it moves (by key), its name, kind, number and range."""

    key: str
    name: str
    kind: str  # "input", "parameter" or "frozen" (a parameter that takes no gradient)
    value: float
    low: float
    high: float
    step: float

    def as_dict(self) -> dict[str, Any]:
        """The knob as JSON for the front-end."""
        return asdict(self)


def slider_range(x: float) -> tuple[float, float, float]:
    """(low, high, step) of a slider around x: x ± max(1, 2|x|) on a grid of round steps."""
    if not math.isfinite(x):
        x = 0.0
    span = max(1.0, 2.0 * abs(x))
    raw = 2.0 * span / STEPS_PER_SLIDER
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1.0, 2.0, 5.0, 10.0) if m * power >= raw)
    return math.floor((x - span) / step) * step, math.ceil((x + span) / step) * step, step


def mark_svg(svg: str, texts: Mapping[str, Sequence[str | None]],
             nodes: Mapping[str, str], by_id: bool = False) -> str:
    """Mark the drawing's updatable texts and clickable nodes, found by their group's title.

    texts: per group title, a key for each of the group's last texts (None: leave it alone);
    nodes: per group title, the key a click on it selects.  by_id: find the groups by their id
    instead (the network diagram gives each node group an id and titles it with hover text).
    """
    root = ET.fromstring(svg)
    for g in root.iter(f"{{{SVG_NS}}}g"):
        title = g.find(f"{{{SVG_NS}}}title")
        if title is None or g.get("class") != "node":
            continue
        name = g.get("id", "") if by_id else title.text or ""
        if name in nodes:
            g.set("data-vg-node", nodes[name])
        keys = texts.get(name)
        if keys:
            found = g.findall(f"{{{SVG_NS}}}text")
            for el, key in zip(found[len(found) - len(keys):], keys, strict=False):
                if key is not None:
                    el.set("data-vg-text", key)
    return ET.tostring(root, encoding="unicode")


def _names_for_copies(order: list[Value], names: Mapping[Value, str]
                      ) -> tuple[dict[int, str], dict[int, str]]:
    """(labels, extra names) that make a copy of `order` show `names`: see explain's names."""
    labels: dict[int, str] = {}
    extra: dict[int, str] = {}
    for i, v in enumerate(order):
        if v.label:
            labels[i] = names[v]
        elif not (v.is_leaf and not v.requires_grad):  # a constant is named by its number
            extra[i] = names[v]
    return labels, extra


class GraphSession:
    """What autograd.explore shows for one Value: drawing, sliders, recompute, explanations."""

    can_step = False

    def __init__(self, root: Value, number_format: str = ".4g", rankdir: str = "auto",
                 max_nodes: int | None = DEFAULT_MAX_NODES) -> None:
        self.replay = Replay(root)
        order = self.replay.order
        if max_nodes is not None and len(order) > max_nodes:  # before any pass: refuse early
            raise GraphTooLargeError(
                f"the graph has {len(order)} Values, more than max_nodes={max_nodes}: too many "
                "to explore in one drawing; pass a larger max_nodes (or None), or explore a "
                "smaller part of the computation")
        infos = describe(order)
        names = self._display_names(order, infos)
        self.number_format = number_format
        self.names = [names[v] for v in order]
        labels, self.extra = _names_for_copies(order, names)
        self.replay.labels = labels
        knobs = [self._knob(i, v, infos) for i, v in enumerate(order) if v.is_leaf]
        self.knobs = sorted((k for k in knobs if k is not None), key=self._knob_rank(order))
        self.by_key = {k.key: int(k.key[1:]) for k in self.knobs}
        self.values = {k.key: k.value for k in self.knobs}
        self.copies: list[Value] = []
        self.explanation: Explanation | None = None
        self.update(self.values)
        self.svg = self._drawing(infos, rankdir, max_nodes)

    def _display_names(self, order: list[Value], infos: Mapping[Value, NodeInfo]
                       ) -> dict[Value, str]:
        """The names nodes are shown and explained under (explain's)."""
        return display_names(order, None, infos)

    def _knob(self, i: int, v: Value, infos: Mapping[Value, NodeInfo]) -> Knob | None:
        """A slider for a leaf one can change: it takes a gradient or has a name (an input)."""
        info = infos.get(v)
        named = bool(v.label) or (info is not None and bool(info.name))
        if not (v.requires_grad or named):
            return None  # a constant: a number written into the expression
        kind = "parameter" if v.requires_grad else \
            "frozen" if info is not None and info.group else "input"
        low, high, step = slider_range(v.data)
        return Knob(f"n{i}", visible(self.names[i]), kind, v.data, low, high, step)

    @staticmethod
    def _knob_rank(order: list[Value]) -> Any:
        """Sort key of the sliders: inputs first, then leaves in the order the pass used them.

        A depth-first order lists the last layer's weights first; the first operation that
        reads a leaf (and which operand it is there) follows the computation instead.
        """
        first: dict[Value, tuple[int, int]] = {}
        for i, v in enumerate(order):
            for k, x in enumerate(v.inputs):
                first.setdefault(x, (i, k))

        def rank(k: Knob) -> tuple[bool, tuple[int, int]]:
            return k.kind != "input", first.get(order[int(k.key[1:])], (len(order), 0))

        return rank

    def _drawing(self, infos: Mapping[Value, NodeInfo], rankdir: str,
                 max_nodes: int | None) -> str:
        """draw()'s SVG of a copy whose boxes have room for wide numbers, texts marked."""
        order, f = self.replay.order, self.number_format
        sizing = self.replay.sizing_copy(f)
        grads = {c: widest(self.copies[i].grad, f) for i, c in enumerate(sizing)}
        copy_infos = {sizing[i]: infos[v] for i, v in enumerate(order) if v in infos}

        def describe_copy(nodes: Sequence[Value]) -> dict[Value, NodeInfo]:
            # The copy's nodes take the groups (nn's boxes) of the nodes they copy.
            return {v: copy_infos[v] for v in nodes if v in copy_infos}

        register_describer(describe_copy)
        try:
            svg = draw(sizing[-1], rankdir=rankdir, number_format=f, grads=grads,
                       names={sizing[i]: n for i, n in self.extra.items()},
                       max_nodes=max_nodes).svg()
        finally:
            unregister_describer(describe_copy)
        texts: dict[str, list[str | None]] = {}
        nodes: dict[str, str] = {}
        for i, v in enumerate(order):
            key = f"n{i}"
            nodes[key] = nodes[key + "op"] = key
            if not (v.is_leaf and not v.requires_grad):
                texts[key] = [f"{key}.data", f"{key}.grad"]
            elif v.label or self.by_key.get(key) is not None:
                texts[key] = [f"{key}.data", None]  # an input: its number moves, no grad
        return mark_svg(svg, texts, nodes)

    # --- the recompute ----------

    def update(self, values: Mapping[str, float]) -> dict[str, str]:
        """Replay the graph with these slider numbers; return every changed text by its key."""
        checked = {}
        for key, x in values.items():
            if key not in self.by_key:
                raise KeyError(f"no slider {key!r} in this exploration")
            checked[key] = finite_number(x, f"the number for {key}")
        self.values = {**self.values, **checked}
        leaves = {self.by_key[k]: x for k, x in self.values.items()}
        self.copies = self.replay.run(leaves)
        self.explanation = self.replay.explain(self.copies, self.number_format, self.extra)
        return self.texts()

    def texts(self) -> dict[str, str]:
        """The drawing's texts for the current numbers, formatted as draw() formats them."""
        f = self.number_format
        out = {}
        for i, c in enumerate(self.copies):
            key = f"n{i}"
            out[f"{key}.data"] = f"data {format(c.data, f)}"
            if not (c.is_leaf and not c.requires_grad):
                out[f"{key}.grad"] = f"grad {format(c.grad, f)}"
        return out

    def summary(self) -> str:
        """One line over the drawing: the root's number now."""
        root = self.copies[-1]
        return f"{self.names[-1]} = {number(root.data, self.number_format)}"

    def numbers(self) -> dict[str, tuple[float, float]]:
        """Each node's (data, grad) now, by display name (the last of equal names wins)."""
        return {self.names[i]: (c.data, c.grad) for i, c in enumerate(self.copies)}

    def key_of(self, node: str) -> str:
        """The key of the node shown under this name (or the key itself)."""
        if node in self.by_key or (node.startswith("n") and node[1:].isdigit()
                                   and int(node[1:]) < len(self.names)):
            return node
        found = [i for i, n in enumerate(self.names) if n == node]
        if len(found) != 1:
            raise KeyError(f"{len(found)} nodes are named {node!r}" if found
                           else f"no node named {node!r}")
        return f"n{found[0]}"

    # --- a node's explanation ----------

    def detail(self, key: str) -> dict[str, Any]:
        """The panel for the node clicked: its explanation rows and its chain-rule paths."""
        if not (key.startswith("n") and key[1:].isdigit() and int(key[1:]) < len(self.copies)):
            return {}
        return node_detail(self.explanation, self.copies[int(key[1:])], self.number_format)

    def step(self, lr: float) -> tuple[dict[str, Any], dict[str, float]]:  # pragma: no cover
        """A graph session has no step (only networks do)."""
        raise TypeError("only nn.explore has a gradient-descent step")


def node_detail(ex: Explanation | None, node: Value, spec: str,
                shown: str | None = None) -> dict[str, Any]:
    """A node's rows of the explained pass, its paths from the root, and a title line."""
    if ex is None:
        return {}
    name = shown or ex.names[node]
    root = ex.names[ex.root]
    if node.is_leaf and not node.requires_grad:
        return {"title": f"{name} = {number(node.data, spec)} is a constant: no gradient",
                "header": list(ROW_HEADER), "rows": [], "paths": []}
    rows = []
    for step in ex.steps:
        for t in step.terms:
            if step.node is node or t.input is node:
                rows.append([str(step.index), step.name, number(step.upstream, spec), t.name,
                             number(t.local, spec), number(t.product, spec),
                             number(t.running, spec), t.rule])
    report = ex.paths(node, max_paths=MAX_PATHS_SHOWN)
    return {"title": f"{name} = {number(node.data, spec)};  {partial(root, ex.names[node])} = "
                     f"{number(ex.grad_of(node), spec)}",
            "header": list(ROW_HEADER), "rows": rows, "paths": str(report).splitlines()}


class StaticExploration:
    """What explore() gives where widgets are missing: the static drawing, as Jupyter shows it."""

    def __init__(self, bundle: dict[str, Any], reason: str) -> None:
        self.bundle = bundle
        self.reason = reason

    def __repr__(self) -> str:
        return f"<static exploration ({self.reason})>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        note = f"\n[no sliders: {self.reason}]"
        return {**self.bundle, "text/plain": self.bundle.get("text/plain", "") + note}


def show(session: Any, static: dict[str, Any]) -> Any:
    """The widget for a session, or the static display if widgets cannot be imported."""
    try:
        from .widget import Explorer
    except ImportError as exc:  # anywidget or ipywidgets missing
        return StaticExploration(static, f"the widget needs anywidget and ipywidgets ({exc})")
    return Explorer(session, static)


def explore(root: Value, *, number_format: str = ".4g", rankdir: str = "auto",
            max_nodes: int | None = DEFAULT_MAX_NODES) -> Any:
    """Show root's graph as a widget: a slider per leaf, every number updated, nodes explained.

    A slider for each leaf that takes a gradient or has a name (inputs); constants stay fixed.
    Moving one reruns forward and backward on the widget's own copy of the graph (your Values and
    their .grad stay as they are); clicking a node shows its rows of explain(root) and its
    chain-rule paths.  Without anywidget/ipywidgets: the static drawing.
    """
    if not isinstance(root, Value):
        raise TypeError(f"explore() needs a Value, got {type(root).__name__}")
    session = GraphSession(root, number_format, rankdir, max_nodes)
    return show(session, root._repr_mimebundle_())
