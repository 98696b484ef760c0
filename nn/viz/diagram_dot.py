"""The network diagram as DOT: columns left to right, neuron 0 on top, a weight on every edge.

Columns are ``rank=same`` groups chained by invisible edges in index order, an ordering that
both Graphviz's dot and graphviz-pure honour.  Up to LABELLED_EDGES edges every edge is labelled
with its numbers, in the colour of its line: the label is a text node the line passes through
(Graphviz places edge labels where there is room, often nearer a neighbouring edge); a wider
network draws each layer's largest weights (STRONG_FRACTION of them) by colour (sign) and width
(size), the rest faint, says so in a caption, and keeps every number in the hover titles.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

from autograd.output.escape import escape_html, html_text
from autograd.viz.render import ValueGraph

from .network_numbers import EdgeNumbers, NetworkNumbers, NeuronNumbers

LABELLED_EDGES = 40  # more edge labels than this cannot be read at notebook width
WIDE_RANKSEP = "1.2"  # inches between columns of a wide network: 900 px still shows 11 px text
STRONG_FRACTION = 0.15  # a wide network draws this share of each layer's weights (largest |w|)
MAX_EDGES = 2000  # beyond this Graphviz takes minutes and the picture is a grey block
_PALETTE = ("#1f5fa8", "#b8480b", "#2e7d32", "#8e24aa", "#00838f", "#6d4c41")
_POSITIVE, _NEGATIVE, _FAINT = "#1f5fa8", "#c0392b", "#dcdcdc"


class NetworkDiagram(ValueGraph):
    """A network diagram: a graphviz Digraph with valuegrad's rendering and hover titles."""

    titles: dict[str, str]
    numbers: NetworkNumbers

    @classmethod
    def build(cls, found: NetworkNumbers, number_format: str = ".4g") -> NetworkDiagram:
        """The drawing of computed network numbers."""
        _check_format(number_format)
        if len(found.edges) > MAX_EDGES:
            raise ValueError(f"too large to draw: the network has {len(found.edges)} weights, "
                             f"more than {MAX_EDGES}; draw a part of it with autograd.draw")
        wide = len(found.edges) > LABELLED_EDGES
        g = cls(name="network", format="svg",
                graph_attr={"rankdir": "LR", "fontname": "Helvetica",
                            "nodesep": "0.15" if wide else "0.3",
                            # Unlabelled edges of a wide network: straight lines across wider
                            # gaps between the columns, so they fan out instead of bundling.
                            "ranksep": WIDE_RANKSEP if wide else "0.5", "newrank": "true",
                            # Edges first: the circles cover the lines passing under them.
                            **({"splines": "line", "outputorder": "edgesfirst"} if wide else {})},
                node_attr={"fontname": "Helvetica", "fontsize": "12", "shape": "circle",
                           "style": "filled", "fillcolor": "white", "margin": "0.04"},
                edge_attr={"fontname": "Helvetica", "fontsize": "11", "arrowsize": "0.6"})
        g.titles = {}
        g.numbers = found
        _Writer(g, found, number_format).write()
        return g

    def svg(self) -> str:
        """The drawing as SVG text, each edge and node titled with its numbers (hover text)."""
        text = super().svg()
        def titled(m: re.Match[str]) -> str:
            plain = _unescape(m[1])
            return f"<title>{html_text(self.titles.get(plain, plain))}</title>"

        return re.sub(r"<title>([^<]*)</title>", titled, text)


def _unescape(title: str) -> str:
    return title.replace("&#45;", "-").replace("&gt;", ">").replace("&lt;", "<") \
        .replace("&amp;", "&")


def _check_format(spec: Any) -> None:
    if not isinstance(spec, str):
        raise TypeError(f"number_format must be a format spec str like '.4g', got {spec!r}")
    try:
        format(1.5, spec)
    except ValueError as exc:
        raise ValueError(f"number_format {spec!r} is not a valid float format spec") from exc


class _Writer:
    """Writes the nodes and edges of one diagram."""

    def __init__(self, g: NetworkDiagram, found: NetworkNumbers, number_format: str) -> None:
        self.g, self.n, self.spec = g, found, number_format
        self.labelled = len(found.edges) <= LABELLED_EDGES
        self.biggest = max((abs(e.weight) for e in found.edges), default=1.0) or 1.0
        self.strong = set() if self.labelled else strongest(found.edges, STRONG_FRACTION)

    def node(self, node: str, **attrs: str) -> None:
        """A node whose SVG group is id="node_<node>" (tests and styles find it by that)."""
        self.g.node(node, id=f"node_{node}", **attrs)

    def fmt(self, x: float | None) -> str:
        return "?" if x is None else format(x, self.spec)

    def name(self, dotted: str, default: str) -> str:
        return self.n.names.get(dotted, default)

    def write(self) -> None:
        self.column("in", [self.header("in", "inputs"), *self.input_nodes()])
        for li, layer in enumerate(self.n.layers):
            title = f"{self.n.layer_paths[li] or 'layer'} ({layer[0].activation})"
            self.column(f"L{li}", [self.header(f"L{li}", title),
                                   *(self.neuron_node(li, j, nn) for j, nn in enumerate(layer))])
        # Faint lines first, so the strong ones are drawn over them.
        for edge in sorted(self.n.edges, key=lambda e: e.name in self.strong):
            self.edge(edge)
        self.header_row()
        if self.n.loss is not None:
            self.loss_nodes()
        if self.n.held:  # at the top, in red: the .grad the user holds are not what is shown
            lines = "".join(f'{escape_html(line)}<BR ALIGN="LEFT"/>' for line in self.n.held)
            legend = "" if self.labelled else "".join(
                f'{escape_html(line)}<BR ALIGN="LEFT"/>' for line in self.legend().split("\\l")
                if line)
            self.g.attr(label=f'<<FONT COLOR="#c62828">{lines}</FONT>{legend}>', labelloc="t",
                        labeljust="l", fontsize="12")
        elif not self.labelled:
            self.g.attr(label=self.legend(), labelloc="b", labeljust="l", fontsize="12")

    def legend(self) -> str:
        """The caption of a wide network: what its lines show and which are left faint."""
        total, shown = len(self.n.edges), len(self.strong)
        return (f"Lines: the {STRONG_FRACTION:.0%} of each layer's weights largest in |w| "
                f"({shown} of {total}); blue w ≥ 0, red w < 0, wider = larger |w|.\\l"
                f"The other {total - shown} are the faint grey lines. Circles: neuron number and "
                "its output. Hover over a line or a circle for all its numbers.\\l")

    def column(self, key: str, nodes: list[str]) -> None:
        """One column: nodes on one rank, kept in index order (top to bottom) by hidden edges."""
        with self.g.subgraph(name=f"column_{key}") as col:
            col.attr(rank="same")
            for a, b in zip(nodes, nodes[1:]):
                col.edge(a, b, style="invis")

    def header_row(self) -> None:
        """The column titles in one row along the top, where no line between columns passes.

        A title is the first node of its column; the columns of edge labels get an empty one
        above all their labels, and heavy hidden edges pull the titles level with each other.
        """
        heads = ["head_in"]
        for li in range(len(self.n.layers)):
            if self.labelled:
                node = f"head_W{li}"
                self.node(node, label="", shape="plaintext", style="", width="0", height="0")
                with self.g.subgraph(name=f"column_W{li}") as col:
                    col.attr(rank="same")
                    for e in self.n.edges:
                        if e.layer == li:
                            col.edge(node, self.label_node(e), style="invis")
                heads.append(node)
            heads.append(f"head_L{li}")
        for a, b in zip(heads, heads[1:]):
            self.g.edge(a, b, style="invis", weight="10")

    def header(self, key: str, text: str) -> str:
        """A column's title, drawn above its first node."""
        node = f"head_{key}"
        self.node(node, label=f"<<I>{escape_html(text)}</I>>", shape="plaintext",
                    style="", fontsize="11", fontcolor="#455a64")
        self.g.titles[node] = text
        return node

    def input_nodes(self) -> Iterator[str]:
        for k in range(self.n.nin):
            node = f"x{k}"
            name = self.name(f"x.{k}", f"x{k}")
            value = None if self.n.inputs is None else self.n.inputs[k]
            lines = [f"<B>{escape_html(name)}</B>"]
            if value is not None:
                lines.append(escape_html(self.fmt(value)))
            self.node(node, label="<" + "<BR/>".join(lines) + ">", fillcolor="#eeeeee")
            self.g.titles[node] = f"input {name}" + ("" if value is None
                                                     else f" = {self.fmt(value)}")
            yield node

    def neuron_node(self, li: int, j: int, nn: NeuronNumbers) -> str:
        node = f"h{li}_{j}"
        # The column title names the layer; a wide network's small circles say only the index.
        name = self.name(nn.path, f"neurons.{j}" if self.labelled else str(j))
        bias_name = self.name(f"{nn.path}.b", "b")
        frozen = " (frozen)" if nn.bias_frozen else ""
        rows = [f"<B>{escape_html(name)}</B>"]
        if nn.net is not None and self.labelled:
            rows += [f"net {self.fmt(nn.net)}", f"out {self.fmt(nn.out)}"]
        elif nn.net is not None:
            rows.append(self.fmt(nn.out))  # a wide network: the rest is in the title
        if nn.delta is not None and self.labelled:
            rows.append(f"δ {self.fmt(nn.delta)}")
        if self.labelled:
            rows.append(escape_html(f"{bias_name} {self.fmt(nn.bias)}{frozen}"))
        size = {} if self.labelled else {"width": "0.85"}  # a wide column: circles alike
        self.node(node, label="<" + "<BR/>".join(rows) + ">",
                  fillcolor="#fff3c4" if li == len(self.n.layers) - 1 else "#cfe8ff", **size)
        detail = [f"{nn.activation} neuron {nn.path}"]
        if nn.net is not None:
            detail += [f"net = {self.fmt(nn.net)}", f"out = {self.fmt(nn.out)}"]
        if nn.delta is not None:
            detail.append(f"δ = ∂{self.n.loss_name}/∂net = {self.fmt(nn.delta)}")
        detail.append(f"bias {bias_name} = {self.fmt(nn.bias)}{frozen}")
        self.g.titles[node] = "; ".join(detail)
        return node

    def edge_text(self, e: EdgeNumbers) -> list[str]:
        if e.name in self.n.names:  # a tutorial's names: spell the derivative out
            wname = self.n.names[e.name]
            lines = [f"{wname} = {self.fmt(e.weight)}"]
            grad = f"∂{self.n.loss_name}/∂{wname} = {self.fmt(e.grad)}"
        else:  # the edge itself says which weight it is; keep its label short
            lines = [f"w {self.fmt(e.weight)}"]
            grad = f"∂ {self.fmt(e.grad)}"
        if e.frozen:
            lines[0] += " (frozen)"
        if e.grad is not None:
            lines.append(grad)
        if e.after_step is not None:
            lines.append(f"→ {self.fmt(e.after_step)}")
        return lines

    def edge(self, e: EdgeNumbers) -> None:
        tail = f"x{e.source}" if e.layer == 0 else f"h{e.layer - 1}_{e.source}"
        head = f"h{e.layer}_{e.target}"
        lines = self.edge_text(e)
        self.g.titles[f"{tail}->{head}"] = f"{e.name}: " + "; ".join(lines)
        if self.labelled:
            # The label is a node the edge runs through, so it sits on its own line whatever
            # the renderer does with edge labels; label nodes share a column between layers.
            colour = _PALETTE[e.target % len(_PALETTE)]
            node = self.label_node(e)
            label = "<" + "<BR/>".join(escape_html(t) for t in lines) + ">"
            self.node(node, label=label, shape="plaintext", style="", fontsize="11",
                      fontcolor=colour, margin="0.06,0.02")
            self.g.titles[node] = self.g.titles[f"{tail}->{head}"]
            for segment in (f"{tail}->{node}:w", f"{node}:e->{head}"):  # Graphviz's titles
                self.g.titles[segment] = self.g.titles[f"{tail}->{head}"]
            self.g.edge(tail, node, color=colour, arrowhead="none", headport="w",
                        id=f"edge_{node}_in")
            self.g.edge(node, head, color=colour, tailport="e", id=f"edge_{node}_out")
        elif e.name in self.strong:
            colour = _POSITIVE if e.weight >= 0 else _NEGATIVE
            width = 0.6 + 2.4 * abs(e.weight) / self.biggest
            self.g.edge(tail, head, color=colour, penwidth=f"{width:.2f}", arrowsize="0.5")
        else:  # the many small weights: present, but out of the way of the strong ones
            self.g.edge(tail, head, color=_FAINT, penwidth="0.4", arrowhead="none")

    @staticmethod
    def label_node(e: EdgeNumbers) -> str:
        """The node holding edge e's numbers."""
        return f"w{e.layer}_{e.source}_{e.target}"

    def loss_nodes(self) -> None:
        last = len(self.n.layers) - 1
        outputs = [f"h{last}_{j}" for j in range(len(self.n.layers[last]))]
        loss_text = f"<B>{escape_html(self.n.loss_name)}</B><BR/>{self.fmt(self.n.loss)}"
        self.node("loss", label="<" + loss_text + ">", shape="box", style="rounded,filled",
                    fillcolor="#fff3c4", penwidth="2", margin="0.2,0.05")
        self.g.titles["loss"] = f"{self.n.loss_name} = {self.fmt(self.n.loss)}"
        if self.n.targets is None:
            self.node("t", label="<target<BR/>" + escape_html(self.n.target_text or "") + ">",
                        shape="box", fillcolor="#eeeeee")
            for out in outputs:
                self.g.edge(out, "loss", style="dashed")
            self.g.edge("t", "loss", style="dashed")
            return
        targets = []
        for j, t in enumerate(self.n.targets):
            node = f"t{j}"
            self.node(node, label=f"<target<BR/>{escape_html(self.fmt(t))}>", shape="box",
                        style="rounded,filled", fillcolor="#eeeeee")
            self.g.titles[node] = f"target for output {j} = {self.fmt(t)}"
            self.g.edge(outputs[j], node, style="dashed", arrowhead="none")
            self.g.edge(node, "loss", style="dashed")
            targets.append(node)
        self.column("targets", targets)


def strongest(edges: list[EdgeNumbers], fraction: float) -> set[str]:
    """Names of the given fraction of each layer's weights with the largest |w| (at least one)."""
    by_layer: dict[int, list[EdgeNumbers]] = {}
    for e in edges:
        by_layer.setdefault(e.layer, []).append(e)
    chosen: set[str] = set()
    for layer in by_layer.values():
        count = max(1, math.ceil(fraction * len(layer)))
        # Ties keep the network's order, so the same model always shows the same lines.
        chosen.update(e.name for e in sorted(layer, key=lambda e: -abs(e.weight))[:count])
    return chosen
