"""Draw a Value's graph with Graphviz: boxes with name, data and grad, an op node per operation.

The drawing is a ``graphviz.Digraph`` (DOT text needs no program; see render.py for SVG/PNG).
Names and groups come from autograd.explanations.naming, so a library such as ``nn`` can say
which layer and neuron a node belongs to; every piece of user text is escaped (escape.py).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import graphviz

from ..core.ops import OPS
from ..core.value import Value
from ..explanations.names import display_names
from ..explanations.naming import NodeInfo, describe
from ..explanations.rules import position_name
from ..output.escape import MAX_LABEL_CHARS, escape_html, escape_record, escape_text
from .chaincheck import ChainRuleReport, check_chain_rule
from .layout import (
    Group,
    OrderHints,
    as_roots,
    boxes,
    graph_order,
    group_tree,
    order_hints,
    paths_from,
    short_name,
)
from .placement import Plan
from .render import Pinning, ValueGraph

DEFAULT_MAX_NODES = 400  # beyond this a drawing is unreadable and slow to lay out
# Left to right, each operation takes about 110 pt (its box, op node and gaps): beyond this many
# in a row the drawing is wider than a 900 px notebook column can show at a readable size.
AUTO_LR_DEPTH = 6
ANCHOR_EDGES = 10  # invisible edges from each ordering point to its group (see _emit_order)
# dot's crossing-minimisation passes, scaled (default 1): with the default, a 2-2 network with a
# loss drawn LR stops before its pins win and keeps a neuron's weights swapped
# (graphviz-pure on an MLP(2, [5, 3, 2]) with a loss: 0.1 s -> 0.3 s; dot: no change).
MCLIMIT = "20"

# Colours chosen to stay readable when printed in grey.
_PARAM_FILL = "#cfe8ff"
_CONST_FILL = "#eeeeee"
_ROOT_FILL = "#fff3c4"
_ACTIVE_FILL = "#ffb74d"  # the step-through's colours for the node and edges of a step
_ACTIVE_EDGE = "#d84315"
_WRONG = "#c62828"  # boxes whose grad breaks the chain rule, and the banner saying so


class GraphTooLargeError(ValueError):
    """The graph has more nodes than the drawing limit (raise it with ``max_nodes=``)."""


@dataclass
class _Context:
    """What every box and edge of one drawing needs to know."""

    ids: dict[Value, str]
    names: dict[Value, str]
    infos: Mapping[Value, NodeInfo]
    params: set[Value] | None
    roots: set[Value]
    number_format: str
    rankdir: str
    html_labels: bool
    grads: Mapping[Value, float | None] | None
    edge_grads: bool
    wrong: dict[Value, float]  # nodes whose .grad is not what one fresh pass gives
    fresh: dict[Value, float] | None  # one fresh pass's gradients (None: show .grad as it is)
    datas: Mapping[Value, float] | None = None  # numbers shown as data (the step-through's)

    def fmt(self, x: float) -> str:
        return format(x, self.number_format)

    def is_param(self, v: Value) -> bool:
        if self.params is not None:
            return v in self.params
        info = self.infos.get(v)
        return v.is_leaf and v.requires_grad and info is not None and bool(info.group)

    def grad_text(self, v: Value) -> str:
        if v.is_leaf and not v.requires_grad:
            return "no grad"
        if self.grads is not None:
            shown = self.grads.get(v)
            return "grad ?" if shown is None else f"grad {self.fmt(shown)}"
        if self.fresh is None:
            return f"grad {self.fmt(v.grad)}"
        shown = self.fresh.get(v, v.grad)
        if v in self.wrong:  # the pass's number is the gradient; .grad's beside it, marked
            return f"grad {self.fmt(shown)} (.grad {self.fmt(v.grad)})"
        return f"grad {self.fmt(shown)}"


def _check_options(rankdir: str, number_format: str, max_nodes: int | None) -> None:
    if rankdir not in ("auto", "LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be one of auto, LR, TB, RL, BT, got {rankdir!r}")
    if not isinstance(number_format, str):
        raise TypeError(f"number_format must be a format spec str like '.4g', "
                        f"got {number_format!r}")
    try:
        format(1.5, number_format)
    except ValueError as exc:
        raise ValueError(f"number_format {number_format!r} is not a valid float format spec: "
                         f"{exc}") from exc
    if max_nodes is not None and (isinstance(max_nodes, bool) or not isinstance(max_nodes, int)
                                  or max_nodes < 1):
        raise ValueError(f"max_nodes must be a positive int or None, got {max_nodes!r}")


def _selection(full: list[Value], focus: Value | None,
               paths_to: Value | None) -> list[Value]:
    """The part of the graph to draw: all of it, what feeds `focus`, or the paths to `paths_to`."""
    if focus is not None and paths_to is not None:
        raise ValueError("give focus= or paths_to=, not both")
    for what, node in (("focus", focus), ("paths_to", paths_to)):
        if node is not None and not isinstance(node, Value):
            raise TypeError(f"{what} must be a Value, got {type(node).__name__}")
        if node is not None and node not in set(full):
            raise ValueError(f"{what} is not part of the drawn graph")
    if focus is not None:
        return graph_order(focus)
    if paths_to is not None:
        on_path = set(paths_from(full, paths_to))
        # Each operation on a path keeps its operands, so its box still reads as arithmetic.
        shown = on_path | {x for v in on_path if v is not paths_to for x in v.inputs}
        return [v for v in full if v in shown]
    return full


def _box(target: graphviz.Digraph, v: Value, ctx: _Context) -> None:
    """One Value's box (name, data, grad) and, for an operation, its op node."""
    node_id = ctx.ids[v]
    param = ctx.is_param(v)
    fill, style = "white", "filled"
    if v.is_leaf and not v.requires_grad:
        fill, style = _CONST_FILL, "filled,dashed"
    elif param:
        fill = _PARAM_FILL
    elif v in ctx.roots:
        fill = _ROOT_FILL
    penwidth = "2" if (v in ctx.roots or param) else "1"
    colour = {"color": _WRONG, "penwidth": "3"} if v in ctx.wrong else {"penwidth": penwidth}
    data = v.data if ctx.datas is None else ctx.datas.get(v, v.data)
    fields = (short_name(ctx.names[v], ctx.infos.get(v)), f"data {ctx.fmt(data)}",
              ctx.grad_text(v))
    if ctx.html_labels:
        cells = "".join(f"<TD>{escape_html(t)}</TD>" for t in fields)
        label = (f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" '
                 f'BGCOLOR="{fill}"><TR>{cells}</TR></TABLE>>')
        target.node(node_id, label=label, shape="plain", style=style, fillcolor=fill,
                    **colour)
    else:
        text = "|".join(escape_record(t) for t in fields)
        # Braces turn a record's fields: side by side in LR (micrograd's pictures), stacked in
        # TB, so a top-down drawing stays narrow enough for a notebook column.
        text = "{" + text + "}"
        target.node(node_id, label=graphviz.nohtml(text), shape="record", style=style,
                    fillcolor=fill, **colour)
    if v.op is not None:
        shown = OPS[v.op].shown if v.op in OPS else v.op  # '**' for x ** 2 (op '**c')
        target.node(node_id + "op", label=graphviz.nohtml(escape_text(shown)),
                    shape="circle" if len(shown) <= 2 else "ellipse", style="filled",
                    fillcolor="white", fontsize="11", width="0.3", height="0.3", margin="0.02")


def _emit_groups(g: graphviz.Digraph, top: Group, ctx: _Context) -> None:
    """The ungrouped boxes, then one titled box (cluster) per group, in natural order."""
    for v in top.values:
        _box(g, v, ctx)
    for k, group in enumerate(boxes(top)):
        with g.subgraph(name=f"cluster_{k}") as sub:
            sub.attr(label=graphviz.nohtml(escape_text(group.name)), style="rounded,dashed",
                     color="#90a4ae", fontname="Helvetica", fontsize="12", labeljust="l")
            for v in group.values:
                _box(sub, v, ctx)


def _emit_order(g: graphviz.Digraph, hints: OrderHints, ctx: _Context) -> None:
    """Invisible nodes and edges that keep sibling groups and each group's weights in order.

    Each run of sibling groups hangs from a same-rank chain of invisible points, one point per
    group with ANCHOR_EDGES edges to its first box: dot merges parallel edges and counts their
    crossings once each, so putting the groups out of chain order costs more crossings than the
    layout can gain.  A group's first operations sit on one rank in a chain of invisible edges;
    in a left-to-right drawing both dot and graphviz-pure lay such a chain inside a box out
    bottom-up, so it is written backwards there.
    """
    if not hints:
        return
    g.graph_attr["newrank"] = "true"  # same-rank constraints across boxes need global ranking
    g.graph_attr["mclimit"] = MCLIMIT
    for k, run in enumerate(hints.anchors):
        points = [f"order{k}_{j}" for j in range(len(run))]
        with g.subgraph() as same:
            same.attr(rank="same")
            for p in points:
                same.node(p, shape="point", style="invis", width="0", height="0")
            for a, b in zip(points, points[1:]):
                same.edge(a, b, style="invis")
        for p, v in zip(points, run):
            for _ in range(ANCHOR_EDGES):
                g.edge(p, ctx.ids[v], style="invis")
    for chain in hints.chains:
        ids = [ctx.ids[v] + "op" for v in chain]
        if ctx.rankdir == "LR":
            ids.reverse()
        with g.subgraph() as same:
            same.attr(rank="same")
            for a, b in zip(ids, ids[1:]):
                same.edge(a, b, style="invis")


def _edge_label(v: Value, k: int, ctx: _Context) -> str | None:
    """The words on the edge from operand k into v's op node: its role, its local derivative."""
    text = []
    if len(v.inputs) == 2 and v.op in OPS and not OPS[v.op].commutative:
        # What the operand is (numerator, base, ...), never the op table's x and y: an edge
        # from a variable called y must not read "x".
        text.append(position_name(v.op, k).replace(" operand", ""))
    if ctx.edge_grads:
        local = v.local_grads[k]  # None: a constant operand (x ** 2's 2) takes none
        text.append("no ∂" if local is None else f"∂ {ctx.fmt(local)}")
    return " ".join(text) or None


def _emit_edges(g: graphviz.Digraph, order: list[Value], ctx: _Context) -> None:
    """Edges in data-flow order: input box -> op node -> output box (inputs not drawn skipped)."""
    for v in order:
        if v.op is None:
            continue
        op_id = ctx.ids[v] + "op"
        for k, x in enumerate(v.inputs):
            if x not in ctx.ids:
                continue
            text = _edge_label(v, k, ctx)
            attrs = {} if text is None else {"label": escape_text(text), "fontsize": "9"}
            g.edge(ctx.ids[x], op_id, **attrs)
        g.edge(op_id, ctx.ids[v])


def _direction(order: list[Value]) -> str:
    """LR for shallow graphs (they read like micrograd's); TB once LR would overflow a column."""
    depth: dict[Value, int] = {}
    for v in order:
        depth[v] = 1 + max((depth.get(x, 0) for x in v.inputs), default=-1)
    return "LR" if max(depth.values(), default=0) <= AUTO_LR_DEPTH else "TB"


def draw(roots: Value | Iterable[Value] | Any, *, rankdir: str = "auto",
         number_format: str = ".4g",
         params: Iterable[Value] | None = None, clusters: bool = True, focus: Value | None = None,
         paths_to: Value | None = None, edge_grads: bool = False, check: bool = True,
         max_nodes: int | None = DEFAULT_MAX_NODES, html_labels: bool = False,
         grads: Mapping[Value, float | None] | None = None,
         names: Mapping[Value, str] | None = None,
         datas: Mapping[Value, float] | None = None) -> ValueGraph:
    """Draw the graph behind one or more Values as a graphviz Digraph (boxes: name, data, grad).

    roots: a Value or several Values; an nn Module gives its network diagram (model.diagram()).
    params: Values to highlight as parameters (default: grouped leaves, see
        autograd.explanations.naming).
    clusters: box nodes by the groups describers give (nn: a box per neuron, in index order).
    focus: draw only the part of the graph that feeds this node.
    paths_to: draw only the paths from the root(s) down to this Value (for big graphs).
    edge_grads: label each edge into an operation with its local derivative ∂out/∂in.
    check: show the gradients of one fresh backward pass (computed here; .grad is never
    written) and, where .grad holds other numbers (stale leaf gradients from an earlier pass,
    numbers set by hand), say so in a banner and mark those boxes; before any backward pass
    the boxes show .grad (0) under a banner saying no pass has run.  check=False shows .grad as
    it is, unchecked.
    rankdir: "auto" (left to right for shallow graphs, top down for deep ones, so the drawing
    stays readable in a notebook column), or Graphviz's LR, TB, RL, BT.
    max_nodes: raise GraphTooLargeError above this many Values (None: no limit).
    html_labels: use HTML-like table labels instead of record shapes.
    grads: gradients to show instead of .grad (None meaning not known yet; the step-through).
    names: names for unlabelled nodes, such as the source text of each sub-expression (the CLI).
    datas: numbers to show instead of .data (the step-through sizes boxes by its widest).
    Nodes are named as explain() names them: label, nn's name, `names`, a short expression, vN.
    """
    _check_options(rankdir, number_format, max_nodes)
    if not isinstance(roots, Value) and hasattr(roots, "parameters"):
        options = (rankdir, number_format, params, clusters, focus, paths_to, edge_grads, check,
                   max_nodes, html_labels, grads, names, datas)
        return _module_drawing(roots, options != _DEFAULT_OPTIONS)
    root_list = as_roots(roots)
    full = graph_order(root_list)
    order = _selection(full, focus, paths_to)
    if max_nodes is not None and len(order) > max_nodes:
        raise GraphTooLargeError(
            f"the graph has {len(order)} Values, more than max_nodes={max_nodes}; pass a larger "
            "max_nodes (or None), draw a part with focus=node or paths_to=parameter, "
            "or use autograd.summary(root)")
    if rankdir == "auto":
        rankdir = _direction(order)
    infos = describe(full)
    report = check_chain_rule(full, root_list) if check and grads is None \
        else ChainRuleReport({}, False)
    ctx = _Context(ids={v: f"n{i}" for i, v in enumerate(order)},
                   names=display_names(full, names, infos),  # whole graph, as explain() does
                   infos=infos, params=set(params) if params is not None else None,
                   roots={focus} if focus is not None else set(root_list),
                   number_format=number_format, rankdir=rankdir, html_labels=html_labels,
                   grads=grads, edge_grads=bool(edge_grads), wrong=report.expected,
                   datas=datas,
                   # Before any backward the boxes show .grad (0) under the banner saying so,
                   # as micrograd's pictures do; after one, one fresh pass's gradients.
                   fresh=report.fresh if check and grads is None and not report.no_backward
                   else None)
    # format="svg": graphviz's own render()/pipe() then default to what valuegrad can render.
    g = ValueGraph(name="valuegrad", format="svg",
                   graph_attr={"rankdir": rankdir, "fontname": "Helvetica", "nodesep": "0.25",
                               "ranksep": "0.35"},
                   node_attr={"fontname": "Helvetica", "fontsize": "12"},
                   edge_attr={"arrowsize": "0.7", "fontname": "Helvetica"})
    tree = group_tree(order, infos if clusters else {})
    _emit_groups(g, tree, ctx)
    _emit_edges(g, order, ctx)
    if report:  # after the clusters, so they do not inherit the banner's colour and size
        # Escaped lines, left-justified (\\l), wrapped short of escape_text's cut (MAX_LABEL_CHARS)
        # so that every word of the banner shows.
        banner = "".join(escape_text(part) + "\\l"
                         for line in report.message(ctx.names, number_format).split("\n")
                         for part in textwrap.wrap(line, MAX_LABEL_CHARS - 4,
                                                   subsequent_indent="  ") or [""])
        g.attr(label=banner, labelloc="t", labeljust="l",
               fontcolor=_WRONG, fontsize="14")
    if boxes(tree):
        g.pinning = _pinning(g, order, tree, ctx)
    _emit_order(g, order_hints(order, tree), ctx)
    return g


def _pinning(g: ValueGraph, order: list[Value], tree: Group, ctx: _Context) -> Pinning:
    """What valuegrad needs to place a grouped drawing itself (placement.py), hints left out."""
    sizing = graphviz.Digraph(graph_attr={"rankdir": ctx.rankdir}, node_attr=g.node_attr)
    nodes: list[str] = []
    edges: list[tuple[str, str, int]] = []
    for v in order:
        _box(sizing, v, ctx)
        node_id = ctx.ids[v]
        if v.op is not None:
            nodes.append(node_id + "op")
            for k, x in enumerate(v.inputs):
                if x not in ctx.ids:
                    continue
                text = _edge_label(v, k, ctx)
                if text is not None:  # measured like a node, so placement makes room for it
                    sizing.node(f"label{len(edges)}", label=escape_text(text), shape="plaintext",
                                fontname="Helvetica", fontsize="9", margin="0", width="0",
                                height="0")
                edges.append((ctx.ids[x], node_id + "op", k))
            edges.append((node_id + "op", node_id, 0))
        nodes.append(node_id)
    group_of: dict[str, int] = {}
    names = []
    for k, group in enumerate(boxes(tree)):  # numbered as _emit_groups numbers the clusters
        names.append(group.name)
        sizing.node(f"title{k}", label=graphviz.nohtml(escape_text(group.name)),
                    shape="plaintext", fontname="Helvetica", fontsize="12", margin="0",
                    width="0", height="0")
        for v in group.values:
            group_of[ctx.ids[v]] = group_of[ctx.ids[v] + "op"] = k
    group_of = {n: k for n, k in group_of.items() if n in set(nodes)}
    plan = Plan(nodes, edges, group_of, names, ctx.rankdir,
                leaves={ctx.ids[v] for v in order if v.op is None})
    return Pinning(g.source, sizing.source, plan)


# draw()'s options as they are by default (a module's diagram takes none of them).
_DEFAULT_OPTIONS = ("auto", ".4g", None, True, None, None, False, True, DEFAULT_MAX_NODES, False,
                    None, None, None)


def _module_drawing(module: Any, options_given: bool) -> ValueGraph:
    """draw(model): its network diagram of weights, as Jupyter shows it; never made-up inputs.

    A module has no graph of operations until it runs on an input, and drawing it on invented
    inputs (zeros) would show numbers nobody computed.
    """
    name = type(module).__name__
    diagram = getattr(module, "diagram", None)
    advice = "draw(model(x)) draws the operations it performs on an input x"
    if options_given or not callable(diagram):
        also = "; model.diagram(x) draws it as a network" if callable(diagram) else ""
        raise TypeError(f"draw() draws the graph of Values a computation made, and {name} "
                        f"makes one only when it runs: {advice}{also}")
    try:
        return diagram()
    except TypeError as exc:
        if "draw(" in str(exc):  # nn's own message already says how
            raise
        raise TypeError(f"{exc}; {advice}") from exc
