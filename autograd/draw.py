"""Draw a Value's graph with Graphviz: boxes with label, data and grad; SVG/PNG; Jupyter display.

The drawing is built as a ``graphviz.Digraph`` (DOT text needs no program).  Turning DOT into SVG or
PNG needs a renderer, found in this order: the program named by the ``VALUEGRAD_DOT`` environment
variable, the system ``dot``, then the static ``graphviz-pure`` program that pip installs with
valuegrad (located from the installed package, so an unactivated virtualenv works too).

Every piece of user text (labels, module names) is escaped before it enters the DOT source, so a
label shows literally and can never add an element or attribute to the SVG.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import graphviz

from .graph import topological_order
from .value import Value

RENDERER_ENV = "VALUEGRAD_DOT"
DEFAULT_MAX_NODES = 400  # beyond this a drawing is unreadable and slow to lay out
MAX_LABEL_CHARS = 60  # longer labels are cut with an ellipsis so boxes stay a sane width
RENDER_TIMEOUT_S = 120

_INSTALL_ADVICE = (
    "valuegrad draws with Graphviz but found no renderer. Fix one of:\n"
    "  * pip install graphviz-pure   (a static dot port; a dependency of valuegrad)\n"
    "  * install Graphviz so `dot` is on PATH (apt-get install graphviz, brew install graphviz)\n"
    f"  * set {RENDERER_ENV}=/path/to/dot\n"
    "DOT text needs no renderer: use graph.source or autograd.draw(...).source."
)

# Colours chosen to stay readable when printed in grey.
_PARAM_FILL = "#cfe8ff"
_CONST_FILL = "#eeeeee"
_ROOT_FILL = "#fff3c4"
_ACTIVE_FILL = "#ffb74d"
_ACTIVE_EDGE = "#d84315"
_NON_COMMUTATIVE = {"-", "/", "**"}


class RendererNotFoundError(RuntimeError):
    """No Graphviz renderer (dot or graphviz-pure) was found; the message says how to get one."""


class RenderError(RuntimeError):
    """The renderer ran but failed; the message holds what it printed."""


class GraphTooLargeError(ValueError):
    """The graph has more nodes than the drawing limit (raise it with ``max_nodes=``)."""


# --- finding and running a renderer ----------

def _graphviz_pure_executable() -> str | None:
    """The graphviz-pure program installed with this Python's packages, or None."""
    import importlib.metadata  # slow to import; only needed when rendering

    try:
        dist = importlib.metadata.distribution("graphviz-pure")
    except importlib.metadata.PackageNotFoundError:
        return None
    for entry in dist.files or ():
        if entry.name in ("graphviz-pure", "graphviz-pure.exe"):
            path = Path(str(dist.locate_file(entry))).resolve()
            if path.is_file() and os.access(path, os.X_OK):
                return str(path)
    return None


def find_renderer() -> str:
    """Path of the program that turns DOT into SVG/PNG (env override, system dot, graphviz-pure)."""
    override = os.environ.get(RENDERER_ENV)
    if override:
        found = shutil.which(override)
        if found is None:
            raise RendererNotFoundError(
                f"{RENDERER_ENV}={override!r} is not an executable program.\n" + _INSTALL_ADVICE)
        return found
    system_dot = shutil.which("dot")
    if system_dot is not None:
        return system_dot
    pure = _graphviz_pure_executable()
    if pure is not None:
        return pure
    raise RendererNotFoundError(_INSTALL_ADVICE)


def render(source: str, fmt: str = "svg") -> bytes:
    """Run the renderer on DOT text and return the output bytes (fmt: 'svg' or 'png')."""
    if fmt not in ("svg", "png"):
        raise ValueError(f"fmt must be 'svg' or 'png', got {fmt!r}")
    program = find_renderer()
    try:
        done = subprocess.run([program, "-Kdot", f"-T{fmt}"], input=source.encode("utf-8"),
                              capture_output=True, timeout=RENDER_TIMEOUT_S, check=False)
    except OSError as exc:
        raise RenderError(f"could not run the renderer {program!r}: {exc}") from exc
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"the renderer {program!r} took over {RENDER_TIMEOUT_S} s") from exc
    if done.returncode != 0 or not done.stdout:
        message = done.stderr.decode("utf-8", "replace").strip()[:2000]
        raise RenderError(f"{program} exited with {done.returncode}: {message}")
    return done.stdout


# --- escaping user text ----------

# Bidirectional overrides and zero-width characters: shown as-is they reorder or hide the text
# around them (one label could pass for another), so they are spelled out like control characters.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d"
                       "\u202e\u2060\u2066\u2067\u2068\u2069\ufeff")


def _visible(text: str) -> str:
    """Cut long text and spell out control characters (XML cannot hold most of them)."""
    if len(text) > MAX_LABEL_CHARS:
        text = text[:MAX_LABEL_CHARS - 1] + "…"
    out = []
    for ch in text:
        if ch == "\n":
            out.append(ch)
        elif ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 or 0xD800 <= ord(ch) < 0xE000 \
                or ch in "\ufffe\uffff" or ch in _INVISIBLE:
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def escape_record(text: str) -> str:
    """Escape text for one field of a DOT record label so every character shows literally."""
    out = []
    for ch in _visible(text):
        if ch == "\n":
            out.append("\\n")  # a line break inside the field, not the end of the string
        elif ch in '\\"{}|<> ':
            # Backslash and quote are DOT string escapes; {}|<> and space shape the record.
            out.append("\\" + ch)
        elif ch == "&":
            out.append("&amp;")  # Graphviz decodes entities such as &lt; even in plain labels
        else:
            out.append(ch)
    return "".join(out)


def escape_text(text: str) -> str:
    """Escape text for a plain DOT label (graph, cluster or ellipse node) so it shows literally."""
    out = []
    for ch in _visible(text):
        if ch == "\n":
            out.append("\\n")
        elif ch in '\\"':
            out.append("\\" + ch)
        elif ch == "&":
            out.append("&amp;")
        else:
            out.append(ch)
    return "".join(out)


def escape_html(text: str) -> str:
    """Escape text for a DOT HTML-like label (entities; backslash doubled; newline as <BR/>)."""
    out = []
    for ch in _visible(text):
        if ch == "\n":
            out.append('<BR ALIGN="CENTER"/>')
        elif ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch == '"':
            out.append("&quot;")
        elif ch == "'":
            out.append("&#39;")
        elif ch == "\\":
            out.append("\\\\")  # Graphviz expands \N, \G, ... even in HTML labels
        else:
            out.append(ch)
    return "".join(out)


# --- which Values to draw, and how to name and group them ----------

def _as_roots(roots: Value | Iterable[Value]) -> list[Value]:
    if isinstance(roots, Value):
        return [roots]
    if isinstance(roots, (str, bytes)) or not isinstance(roots, Iterable):
        raise TypeError(f"draw() needs a Value or Values, got {type(roots).__name__}")
    out = list(roots)
    for r in out:
        if not isinstance(r, Value):
            raise TypeError(f"draw() needs Values, got a {type(r).__name__} among them")
    if not out:
        raise ValueError("draw() needs at least one Value")
    return out


def graph_order(roots: Value | Iterable[Value]) -> list[Value]:
    """All Values the roots depend on, inputs first (one shared order for several roots)."""
    order: list[Value] = []
    seen: set[Value] = set()
    for root in _as_roots(roots):
        for v in topological_order(root):
            if v not in seen:
                seen.add(v)
                order.append(v)
    return order


def node_names(order: list[Value]) -> dict[Value, str]:
    """Display names: the label, else the number for a constant, else v<index> (as in explain)."""
    names = {}
    # A generated name must not read as a labelled Value (a variable may well be called v2).
    taken = {v.label for v in order if v.label}
    for i, v in enumerate(order):
        if v.label:
            names[v] = v.label
        elif v.is_leaf and not v.requires_grad:
            names[v] = f"{v.data:g}"
        else:
            name = f"v{i}"
            while name in taken:
                name += "'"
            names[v] = name
    return names


def owner_of(label: str) -> str | None:
    """The module a parameter label names: 'layers.1.neurons.0.w.0' -> 'layers.1.neurons.0'."""
    parts = label.split(".")
    if parts and parts[-1].isdigit():
        parts.pop()  # the index inside a parameter list (w.0)
    if len(parts) < 2:
        return None
    return ".".join(parts[:-1])


def _owners(order: list[Value]) -> dict[Value, str]:
    """Group nodes made by one module: parameters by their dotted label, interior nodes by inputs.

    An operation joins module K when one input is a parameter of K (w*x, s+b), when all its inputs
    belong to K (a sum inside the neuron), or when it is unary on a node of K (the activation).
    Anything mixing K with outside numbers (out - y, a loss) stays outside.
    """
    owner: dict[Value, str] = {}
    for v in order:
        if v.is_leaf:
            key = owner_of(v.label) if v.label else None  # frozen parameters belong too
            if key is not None:
                owner[v] = key
            continue
        ins = v.inputs
        param_owners = {owner[x] for x in ins if x.is_leaf and x in owner}
        if len(param_owners) == 1:
            owner[v] = param_owners.pop()
            continue
        inner = {owner.get(x) for x in ins}
        if len(inner) == 1 and None not in inner:
            owner[v] = inner.pop()
    return owner


def _cluster_path(key: str) -> list[str]:
    """Nested clusters for a module path: 'layers.1.neurons.0' -> layers.1, layers.1.neurons.0."""
    parts = key.split(".")
    levels = [".".join(parts[:i + 1]) for i, p in enumerate(parts) if p.isdigit()]
    if not levels or levels[-1] != key:
        levels.append(key)
    return levels


def _natural(key: str) -> list[tuple[int, int | str]]:
    """Sort key putting layers.2 before layers.10."""
    return [(0, int(p)) if p.isdigit() else (1, p) for p in key.split(".")]


# --- the drawing ----------

class ValueGraph(graphviz.Digraph):
    """A graphviz.Digraph of Values that renders with valuegrad's renderer and shows in Jupyter."""

    def svg(self) -> str:
        """The drawing as SVG text."""
        return render(self.source, "svg").decode("utf-8")

    def png(self) -> bytes:
        """The drawing as PNG bytes."""
        return render(self.source, "png")

    def save(self, path: str | os.PathLike[str] | None = None,  # type: ignore[override]
             directory: str | os.PathLike[str] | None = None, *,
             skip_existing: bool | None = False) -> Path | str:
        """Write the drawing to a .svg, .png or .dot/.gv file (chosen by the extension).

        Called the way graphviz calls it (with directory= or skip_existing=, or no path, as its
        render() does) it keeps graphviz's meaning: save the DOT source and return its path.
        """
        if path is None or directory is not None or skip_existing is not False:
            return super().save(path, directory=directory, skip_existing=skip_existing)
        target = Path(path)
        suffix = target.suffix.lower()
        if suffix == ".svg":
            target.write_text(self.svg(), encoding="utf-8")
        elif suffix == ".png":
            target.write_bytes(self.png())
        elif suffix in (".dot", ".gv"):
            target.write_text(self.source, encoding="utf-8")
        else:
            raise ValueError(f"cannot tell the format from {str(path)!r}: use .svg, .png or .dot")
        return target

    def _ours(self, fmt: str | None, engine: str | None, extra: Mapping[str, Any]) -> bool:
        """Whether a graphviz pipe()/render() call is plain dot to svg/png, which we can run."""
        return (fmt in ("svg", "png") and (engine or self.engine) == "dot"
                and not any(extra.values()))

    def pipe(self, format: str | None = None, renderer: str | None = None,  # noqa: A002
             formatter: str | None = None, neato_no_op: bool | int | None = None,
             quiet: bool = False, *, engine: str | None = None,
             encoding: str | None = None) -> bytes | str:
        """graphviz's pipe(); svg and png go through valuegrad's renderer (no dot on PATH)."""
        fmt = format or self.format
        if self._ours(fmt, engine, {"renderer": renderer, "formatter": formatter,
                                    "neato_no_op": neato_no_op}):
            out = render(self.source, fmt)
            return out.decode(encoding) if encoding is not None else out
        return super().pipe(format, renderer, formatter, neato_no_op, quiet, engine=engine,
                            encoding=encoding)

    def render(self, filename: str | os.PathLike[str] | None = None,
               directory: str | os.PathLike[str] | None = None, view: bool = False,
               cleanup: bool = False, format: str | None = None,  # noqa: A002
               **kwargs: Any) -> str:
        """graphviz's render(); svg and png go through valuegrad's renderer (no dot on PATH).

        Like graphviz it saves the DOT source as `filename` and writes `filename.svg` next to it.
        """
        fmt = format or self.format
        engine = kwargs.get("engine")
        extra = {k: v for k, v in kwargs.items() if k not in ("engine", "quiet")}
        if not self._ours(fmt, engine, extra):
            return super().render(filename, directory, view, cleanup, format, **kwargs)
        source_path = super().save(filename, directory=directory)
        rendered = f"{source_path}.{fmt}"
        Path(rendered).write_bytes(render(self.source, fmt))
        if cleanup:
            os.remove(source_path)
        if view:
            self._view(rendered, format=fmt, quiet=False)
        return rendered

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None,
                          **kwargs: Any) -> dict[str, Any]:
        """Jupyter display: inline SVG, or a text note when no renderer is installed."""
        try:
            return {"image/svg+xml": self.svg()}
        except (RendererNotFoundError, RenderError) as exc:
            return {"text/plain": f"[graph not rendered: {exc}]"}


def _check_format(spec: str) -> None:
    if not isinstance(spec, str):
        raise TypeError(f"number_format must be a format spec str like '.4g', got {spec!r}")
    try:
        format(1.5, spec)
    except ValueError as exc:
        raise ValueError(f"number_format {spec!r} is not a valid float format spec: {exc}") from exc


def draw(roots: Value | Iterable[Value] | Any, *, rankdir: str = "LR", number_format: str = ".4g",
         params: Iterable[Value] | None = None, clusters: bool = True, focus: Value | None = None,
         max_nodes: int | None = DEFAULT_MAX_NODES, html_labels: bool = False,
         highlight: Iterable[Value] = (), highlight_edges: Iterable[tuple[Value, Value]] = (),
         grads: Mapping[Value, float | None] | None = None) -> ValueGraph:
    """Draw the graph behind one or more Values as a graphviz Digraph (boxes: label, data, grad).

    roots: a Value, several Values, or an nn Module (drawn on placeholder inputs x0, x1, ...).

    params: Values to highlight as parameters (default: leaves with a dotted module label).
    clusters: group nodes of each nn module (from the dotted labels) in nested boxes.
    focus: draw only the part of the graph that feeds this node.
    max_nodes: raise GraphTooLargeError above this many Values (None: no limit).
    html_labels: use HTML-like table labels instead of record shapes.
    highlight / highlight_edges / grads: used by the step-through (nodes and (input, node) edges
    to colour; grads to show instead of .grad, None meaning not known yet).
    """
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be one of LR, TB, RL, BT, got {rankdir!r}")
    _check_format(number_format)
    if max_nodes is not None and (isinstance(max_nodes, bool) or not isinstance(max_nodes, int)
                                  or max_nodes < 1):
        raise ValueError(f"max_nodes must be a positive int or None, got {max_nodes!r}")
    if not isinstance(roots, Value) and hasattr(roots, "parameters") and hasattr(roots, "nin"):
        # An nn Module: draw it on placeholder inputs x0, x1, ...
        roots, module_params = _module_roots(roots)
        params = module_params if params is None else params
    root_list = _as_roots(roots)
    order = graph_order(root_list)
    if focus is not None:
        if not isinstance(focus, Value):
            raise TypeError(f"focus must be a Value, got {type(focus).__name__}")
        if focus not in set(order):
            raise ValueError("focus is not part of the drawn graph")
        order = topological_order(focus)
    if max_nodes is not None and len(order) > max_nodes:
        raise GraphTooLargeError(
            f"the graph has {len(order)} Values, more than max_nodes={max_nodes}; pass a larger "
            "max_nodes (or None), draw a part with focus=node, or use autograd.summary(root)")

    names = node_names(graph_order(root_list))  # named over the whole graph, as explain() does
    ids = {v: f"n{i}" for i, v in enumerate(order)}
    param_set = set(params) if params is not None else None
    owners = _owners(order) if clusters else {}
    active = set(highlight)
    active_edges = set(highlight_edges)
    roots_set = {focus} if focus is not None else set(root_list)

    # format="svg": graphviz's own render()/pipe() then default to what valuegrad can render.
    g = ValueGraph(name="valuegrad", format="svg",
                   graph_attr={"rankdir": rankdir, "fontname": "Helvetica", "nodesep": "0.25",
                               "ranksep": "0.35"},
                   node_attr={"fontname": "Helvetica", "fontsize": "12"},
                   edge_attr={"arrowsize": "0.7"})

    def fmt(x: float) -> str:
        return format(x, number_format)

    def shown_grad(v: Value) -> str:
        if grads is not None:
            g_ = grads.get(v)
            return "?" if g_ is None else fmt(g_)
        return fmt(v.grad)

    def add_value(target: graphviz.Digraph, v: Value) -> None:
        node_id = ids[v]
        is_param = (v in param_set) if param_set is not None else (
            v.is_leaf and v.requires_grad and owner_of(v.label) is not None)
        fill = "white"
        style = "filled"
        if v.is_leaf and not v.requires_grad:
            fill, style = _CONST_FILL, "filled,dashed"
        elif is_param:
            fill = _PARAM_FILL
        elif v in roots_set:
            fill = _ROOT_FILL
        if v in active:
            fill = _ACTIVE_FILL
        penwidth = "2" if (v in roots_set or is_param or v in active) else "1"
        name = names[v]
        key = owners.get(v)
        if key is not None and name.startswith(key + "."):
            name = name[len(key) + 1:]  # the cluster's title already says which module
        data = f"data {fmt(v.data)}"
        grad = "no grad" if v.is_leaf and not v.requires_grad else f"grad {shown_grad(v)}"
        if html_labels:
            cells = "".join(f"<TD>{escape_html(t)}</TD>" for t in (name, data, grad))
            label = (f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" '
                     f'BGCOLOR="{fill}"><TR>{cells}</TR></TABLE>>')
            target.node(node_id, label=label, shape="plain", style=style, fillcolor=fill,
                        penwidth=penwidth)
        else:
            fields = "|".join(escape_record(t) for t in (name, data, grad))
            # In LR the braces lay the fields side by side, as in micrograd's pictures.
            text = "{" + fields + "}" if rankdir in ("LR", "RL") else fields
            target.node(node_id, label=graphviz.nohtml(text), shape="record", style=style,
                        fillcolor=fill, penwidth=penwidth)
        if v.op is not None:
            op_fill = _ACTIVE_FILL if v in active else "white"
            target.node(node_id + "op", label=graphviz.nohtml(escape_text(v.op)),
                        shape="circle" if len(v.op) <= 2 else "ellipse", style="filled",
                        fillcolor=op_fill, fontsize="11", width="0.3", height="0.3", margin="0.02")

    # Nodes, placed in nested clusters per module when the labels say where they belong.
    tree: dict[str, dict[str, Any]] = {}
    top: list[Value] = []
    for v in order:
        key = owners.get(v)
        if key is None:
            top.append(v)
            continue
        level = tree
        for name in _cluster_path(key):
            level = level.setdefault(name, {"children": {}, "values": []})
            if name == key:
                level["values"].append(v)
            else:
                level = level["children"]
    for v in top:
        add_value(g, v)
    counter = itertools.count()

    def emit(parent: graphviz.Digraph, level: dict[str, dict[str, Any]]) -> None:
        for name, entry in sorted(level.items(), key=lambda kv: _natural(kv[0])):
            with parent.subgraph(name=f"cluster_{next(counter)}") as sub:
                sub.attr(label=graphviz.nohtml(escape_text(name)),
                         style="rounded,dashed", color="#90a4ae", fontname="Helvetica",
                         fontsize="11", labeljust="l")
                for v in entry["values"]:
                    add_value(sub, v)
                emit(sub, entry["children"])

    emit(g, tree)

    # Edges in data-flow order: input box -> op node -> output box.
    for v in order:
        if v.op is None:
            continue
        op_id = ids[v] + "op"
        two = len(v.inputs) == 2
        for k, x in enumerate(v.inputs):
            attrs: dict[str, str] = {}
            if two and v.op in _NON_COMMUTATIVE:
                attrs["label"] = "xy"[k]  # matches the formula in OPS: d(x-y) = 1, -1
                attrs["fontsize"] = "9"
            if (x, v) in active_edges:
                attrs.update(color=_ACTIVE_EDGE, penwidth="2.5")
            g.edge(ids[x], op_id, **attrs)
        g.edge(op_id, ids[v], **({"color": _ACTIVE_EDGE, "penwidth": "2.5"} if v in active else {}))
    return g


# --- summaries and Jupyter display ----------

def summary(roots: Value | Iterable[Value]) -> str:
    """A few lines describing a graph (sizes, ops, leaves), for graphs too large to draw."""
    order = graph_order(roots)
    leaves = [v for v in order if v.is_leaf]
    counts: dict[str, int] = {}
    for v in order:
        if v.op is not None:
            counts[v.op] = counts.get(v.op, 0) + 1
    ops_text = ", ".join(f"{op} ×{n}" for op, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    trainable = sum(1 for v in leaves if v.requires_grad)
    return (f"graph of {len(order)} Values: {len(order) - len(leaves)} operations "
            f"({ops_text or 'none'}), {len(leaves)} leaves ({trainable} take gradients)")


def _module_roots(module: Any) -> tuple[list[Value], list[Value]]:
    """Run a module on placeholder inputs x0, x1, ... so its graph can be drawn."""
    nin = getattr(module, "nin", None)
    if isinstance(nin, bool) or not isinstance(nin, int) or nin < 1:
        raise TypeError(f"cannot draw {type(module).__name__}: it has no `nin` (number of inputs)")
    xs = [Value(0.0, label=f"x{i}", requires_grad=False) for i in range(nin)]
    out = module(xs)
    roots = [out] if isinstance(out, Value) else list(out)
    params = list(module.parameters())
    return roots, params


def mimebundle(obj: Any, include: Any = None, exclude: Any = None,
               max_nodes: int = DEFAULT_MAX_NODES) -> dict[str, Any]:
    """IPython display data for a Value or an nn Module: its graph as SVG, else a text summary.

    Value and Module call this from their ``_repr_mimebundle_``; nothing here needs IPython.
    """
    text = repr(obj)
    try:
        if isinstance(obj, Value):
            roots, params = [obj], None
        else:
            roots, params = _module_roots(obj)
        size = len(graph_order(roots))
        if size > max_nodes:
            note = f"{text}\n{summary(roots)}; too large to draw inline (limit {max_nodes})"
            return {"text/plain": note,
                    "text/html": "<pre>" + _html_text(note) + "</pre>"}
        svg = draw(roots, params=params, max_nodes=max_nodes).svg()
    except (RendererNotFoundError, RenderError, TypeError) as exc:
        return {"text/plain": f"{text}\n[graph not shown: {exc}]"}
    return {"text/plain": text, "image/svg+xml": svg}


def _html_text(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))
