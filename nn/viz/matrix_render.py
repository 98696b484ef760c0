"""The matrix view (what matrix_view.py computes) and its faces: text, LaTeX, Markdown, HTML.

Numbers are printed with 9 decimals, as the 2-2-2 tutorial prints them.  Vectors are columns in
LaTeX and HTML, and rows (marked ᵀ) in plain text.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from autograd.core.ops import OPS
from autograd.output.escape import html_text, latex_text, markdown_text

DECIMALS = 9
SHOWN_MISMATCHES = 10


@dataclass
class LayerStep:
    """One layer's numbers: forward (W, b, x, net, out) and backward (slope, δ, gradients)."""

    name: str
    activation: str
    W: list[list[float]]
    b: list[float]
    x: list[float]
    net: list[float]
    out: list[float]
    slope: list[float] = field(default_factory=list)
    delta: list[float] = field(default_factory=list)
    dW: list[list[float]] = field(default_factory=list)
    db: list[float] = field(default_factory=list)
    passed_down: list[float] = field(default_factory=list)
    W_names: list[list[str]] = field(default_factory=list)
    b_names: list[str] = field(default_factory=list)
    engine_dW: list[list[float]] = field(default_factory=list)
    engine_db: list[float] = field(default_factory=list)

    @property
    def slope_formula(self) -> str:
        """How act'(net) is written for this layer's activation, from the op table."""
        return slope_formula(self.activation)


@dataclass
class Mismatch:
    """One gradient entry where the matrix form and the scalar engine disagree."""

    parameter: str
    layer: int
    kind: str  # "W" or "b"
    index: tuple[int, ...]  # (row, column) in W, (row,) in b
    matrix: float
    engine: float

    @property
    def where(self) -> str:
        """The entry, as the view names it: layer 1 ∂E/∂W[0][1]."""
        return f"layer {self.layer} ∂E/∂{self.kind}" + "".join(f"[{i}]" for i in self.index)

    def __str__(self) -> str:
        return (f"{self.where} ({self.parameter}): matrix form {self.matrix:.9g}, "
                f"scalar engine .grad {self.engine:.9g}")


@dataclass
class MatrixView:
    """The matrix-form pass of one sample; prints as text, shows as HTML in Jupyter."""

    model: str
    loss: str
    target: Any
    layers: list[LayerStep]
    error: float
    output_grad: list[float]
    mismatches: list[Mismatch]
    largest_difference: float
    entries: int
    forward_matches: bool
    # Shown under the title when the parameters' .grad hold other numbers than this pass gives
    held: list[str] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        """True if every ∂E/∂W, ∂E/∂b entry (and the output) equals the scalar engine's."""
        return not self.mismatches and self.forward_matches

    def verdict(self) -> str:
        """One sentence: whether the matrix form's gradients are the scalar engine's."""
        return verdict(self)

    def __str__(self) -> str:
        return to_text(self)

    def to_markdown(self) -> str:
        """Markdown with the matrices as LaTeX ($$ blocks), for Jupyter or GitHub."""
        return to_markdown(self)

    def to_latex(self) -> str:
        """LaTeX (amsmath: align*, bmatrix) of the whole derivation."""
        return to_latex(self)

    def to_html(self) -> str:
        """A self-contained HTML fragment: the matrices as bracketed tables."""
        return to_html(self)

    def _repr_html_(self) -> str:
        return self.to_html()

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


def slope_formula(activation: str) -> str:
    """act'(net) written for a layer of activations, from the op table: out ⊙ (1 − out)."""
    if activation == "linear":
        return "1"
    op = OPS[activation]
    text = op.output_derivative or op.derivatives[0] or ""
    # Elementwise over the layer: a product is ⊙, and minus signs are typeset as such.
    return text.format(out="out", x="net").replace("·", " ⊙ ").replace(" - ", " − ")


def number(v: float) -> str:
    """A number as the view prints it: 9 decimals."""
    return f"{v:.{DECIMALS}f}"


def verdict(view: MatrixView) -> str:
    """Whether the matrix form's gradients equal the scalar engine's, in one or a few lines."""
    if view.agrees:
        return (f"check: all {view.entries} entries of ∂E/∂W and ∂E/∂b equal the scalar "
                f"engine's .grad of the same parameters (largest difference "
                f"{view.largest_difference:.1e})")
    lines = []
    if not view.forward_matches:
        lines.append("check FAILED: the model's own output is not the last layer's out "
                     "computed layer by layer here (does its __call__ do more than apply "
                     ".layers in order?)")
    if view.mismatches:
        lines.append(f"check FAILED: {len(view.mismatches)} of {view.entries} entries differ "
                     f"from the scalar engine's .grad:")
        lines += [f"  {m}" for m in view.mismatches[:SHOWN_MISMATCHES]]
        if len(view.mismatches) > SHOWN_MISMATCHES:
            lines.append(f"  ... and {len(view.mismatches) - SHOWN_MISMATCHES} more")
        shared = _shared_parameters(view)
        if shared:
            lines.append(f"  {', '.join(shared)} sit(s) in more than one entry: a shared "
                         f"parameter's .grad is the sum of its entries")
    return "\n".join(lines)


def _shared_parameters(view: MatrixView) -> list[str]:
    seen: dict[str, int] = {}
    for step in view.layers:
        for name in [*(n for row in step.W_names for n in row), *step.b_names]:
            seen[name] = seen.get(name, 0) + 1
    return [name for name, count in seen.items() if count > 1]


# --- text ----------

def _row(values: list[float]) -> str:
    return "[ " + "  ".join(number(v) for v in values) + " ]"


def _text_matrix(name: str, rows: list[list[float]]) -> list[str]:
    width = max(len(number(v)) for row in rows for v in row)
    cells = [["{:>{w}}".format(number(v), w=width) for v in row] for row in rows]
    pad = " " * len(name)
    return [(name if i == 0 else pad) + "[ " + "  ".join(row) + " ]"
            for i, row in enumerate(cells)]


def _text_layer_forward(i: int, step: LayerStep) -> list[str]:
    below = "the input" if i == 0 else f"out of layer {i - 1}"
    lines = [f"layer {i} ({step.activation}): {len(step.x)} inputs -> {len(step.b)} outputs"]
    lines += _text_matrix("  W = ", step.W)
    lines.append(f"  b = {_row(step.b)}ᵀ")
    lines.append(f"  x = {_row(step.x)}ᵀ   ({below})")
    lines.append(f"  net = W x + b = {_row(step.net)}ᵀ")
    lines.append(f"  out = {step.activation}(net) = {_row(step.out)}ᵀ")
    return lines


def _text_layer_backward(i: int, step: LayerStep, last: bool) -> list[str]:
    incoming = "∂E/∂out" if last else f"Wᵀ δ of layer {i + 1}"
    lines = [f"layer {i}"]
    lines.append(f"  {step.activation}'(net) = {step.slope_formula} = {_row(step.slope)}ᵀ")
    lines.append(f"  δ = ({incoming}) ⊙ {step.activation}'(net) = {_row(step.delta)}ᵀ")
    lines += _text_matrix("  ∂E/∂W = δ xᵀ = ", step.dW)
    lines += _text_matrix("  scalar engine .grad = ", step.engine_dW)
    lines.append(f"  ∂E/∂b = δ = {_row(step.db)}ᵀ   (scalar engine .grad "
                 f"{_row(step.engine_db)}ᵀ)")
    where = "passed down to layer " + str(i - 1) if i > 0 else "∂E/∂x, the end of the chain"
    lines.append(f"  Wᵀ δ = {_row(step.passed_down)}ᵀ   ({where})")
    return lines


def to_text(view: MatrixView) -> str:
    """The whole derivation as plain text."""
    lines = [f"Backprop in matrix form: {view.model}, loss {view.loss}, one sample "
             f"(vectors printed as rows, marked ᵀ)", *view.held, "", "forward"]
    for i, step in enumerate(view.layers):
        lines += _text_layer_forward(i, step)
    lines.append(f"E = {view.loss}(out, target) = {number(view.error)}   (target "
                 f"{view.target!r})")
    lines += ["", "backward (from the output layer down)",
              f"∂E/∂out = {_row(view.output_grad)}ᵀ   (the derivative of {view.loss})"]
    last = len(view.layers) - 1
    for i in range(last, -1, -1):
        lines += _text_layer_backward(i, view.layers[i], i == last)
    lines += ["", verdict(view)]
    return "\n".join(lines)


# --- LaTeX and Markdown ----------

def _tex_number(v: float) -> str:
    return number(v)


def _tex_matrix(rows: list[list[float]]) -> str:
    body = r" \\ ".join(" & ".join(_tex_number(v) for v in row) for row in rows)
    return r"\begin{bmatrix} " + body + r" \end{bmatrix}"


def _tex_column(values: list[float]) -> str:
    return _tex_matrix([[v] for v in values])


def _tex_forward(i: int, step: LayerStep) -> list[str]:
    x = "x" if i == 0 else rf"\mathrm{{out}}_{{{i - 1}}}"
    act = rf"\mathrm{{{step.activation}}}"
    return [
        rf"W_{{{i}}} &= {_tex_matrix(step.W)}, \quad b_{{{i}}} = {_tex_column(step.b)}, "
        rf"\quad {x} = {_tex_column(step.x)} \\",
        rf"\mathrm{{net}}_{{{i}}} &= W_{{{i}}} {x} + b_{{{i}}} = {_tex_column(step.net)}, "
        rf"\quad \mathrm{{out}}_{{{i}}} = {act}(\mathrm{{net}}_{{{i}}}) = "
        rf"{_tex_column(step.out)}",
    ]


def _tex_backward(i: int, step: LayerStep, last: bool) -> list[str]:
    x = "x" if i == 0 else rf"\mathrm{{out}}_{{{i - 1}}}"
    incoming = r"\frac{\partial E}{\partial \mathrm{out}}" if last else \
        rf"W_{{{i + 1}}}^\top \delta_{{{i + 1}}}"
    act = rf"\mathrm{{{step.activation}}}'(\mathrm{{net}}_{{{i}}})"
    return [
        rf"{act} &= {_tex_column(step.slope)}, \quad \delta_{{{i}}} = \left({incoming}\right) "
        rf"\odot {act} = {_tex_column(step.delta)} \\",
        rf"\frac{{\partial E}}{{\partial W_{{{i}}}}} &= \delta_{{{i}}} {x}^\top = "
        rf"{_tex_matrix(step.dW)} \quad (\text{{scalar engine: }} "
        rf"{_tex_matrix(step.engine_dW)}) \\",
        rf"\frac{{\partial E}}{{\partial b_{{{i}}}}} &= \delta_{{{i}}} = {_tex_column(step.db)},"
        rf" \quad W_{{{i}}}^\top \delta_{{{i}}} = {_tex_column(step.passed_down)}",
    ]


def _blocks(view: MatrixView, escape: Callable[[str], str]) -> list[tuple[str, list[str]]]:
    """(heading, LaTeX lines) for every part of the derivation, shared by LaTeX and Markdown.

    The headings are in the target format already: `escape` turns the user's text (the loss's
    name) into it; the LaTeX lines hold only numbers and fixed symbols.
    """
    blocks = [(f"Layer {i}, forward ({step.activation})", _tex_forward(i, step))
              for i, step in enumerate(view.layers)]
    blocks.append((f"Loss ({escape(view.loss)})", [
        rf"E &= {number(view.error)}, \quad \frac{{\partial E}}{{\partial \mathrm{{out}}}} = "
        rf"{_tex_column(view.output_grad)}"]))
    last = len(view.layers) - 1
    blocks += [(f"Layer {i}, backward", _tex_backward(i, view.layers[i], i == last))
               for i in range(last, -1, -1)]
    return blocks


def to_latex(view: MatrixView) -> str:
    """LaTeX source (needs amsmath) of the whole derivation, ending with the check.

    Every piece of user text (the model's and the loss's names, parameter names in the check) is
    one escaped ``\\text{...}`` on one line: a name cannot add a command or a line to the source.
    """
    parts = ["% Backprop in matrix form, one sample",
             rf"\noindent Backprop in matrix form: {latex_text(view.model)}, loss "
             rf"{latex_text(view.loss)}, one sample"]
    if view.held:
        parts.append(r"\noindent\textbf{" + latex_text(" ".join(view.held)) + "}")
    for heading, lines in _blocks(view, latex_text):
        parts.append(rf"\paragraph{{{heading}}}")
        parts.append("\\begin{align*}\n" + "\n".join(lines) + "\n\\end{align*}")
    parts.append(" \\\\\n".join(latex_text(line) for line in verdict(view).splitlines()))
    return "\n".join(parts) + "\n"


def to_markdown(view: MatrixView) -> str:
    """Markdown with each part as a $$ aligned $$ block (Jupyter and GitHub render them)."""
    parts = [f"**Backprop in matrix form**: {markdown_text(view.model)}, loss "
             f"{markdown_text(view.loss)}, one sample", ""]
    if view.held:
        parts += [f"**{markdown_text(' '.join(view.held))}**", ""]
    for heading, lines in _blocks(view, markdown_text):
        parts += [f"*{heading}*", "", "$$\n\\begin{aligned}\n" + "\n".join(lines)
                  + "\n\\end{aligned}\n$$", ""]
    parts.append("\n\n".join(markdown_text(line) for line in verdict(view).splitlines()))
    return "\n".join(parts) + "\n"


# --- HTML ----------

_CSS = (".vg-mv{font-family:system-ui,sans-serif;font-size:13px;color:#222}"
        ".vg-mv h4{margin:10px 0 4px;font-size:14px}"
        ".vg-mv .row{display:flex;flex-wrap:wrap;gap:14px;align-items:flex-end}"
        ".vg-mv .cell{display:flex;flex-direction:column;align-items:center}"
        ".vg-mv .cap{font-size:12px;color:#444;margin-bottom:2px;white-space:nowrap}"
        ".vg-mv table.m{border-collapse:separate;border-spacing:6px 1px;"
        "border-left:2px solid #333;border-right:2px solid #333;border-radius:5px;"
        "font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}"
        ".vg-mv table.m td{text-align:right;padding:0 1px;border:none;background:none}"
        ".vg-mv td.bad{background:#f8d0d0 !important;color:#900}"
        ".vg-mv .ok{background:#e3f4e1;border:1px solid #7bb274;padding:4px 8px;margin-top:8px;"
        "display:inline-block}"
        ".vg-mv .fail{background:#fbe3e3;border:1px solid #c66;padding:4px 8px;margin-top:8px;"
        "display:inline-block;"
        "white-space:pre-wrap}")


def _html_number(v: float) -> str:
    return number(v).replace("-", "\u2212")


def _html_matrix(rows: list[list[float]], bad: Collection[tuple[int, ...]] = frozenset()) -> str:
    body = "".join("<tr>" + "".join(
        f'<td class="bad">{_html_number(v)}</td>' if (j, k) in bad else
        f"<td>{_html_number(v)}</td>" for k, v in enumerate(row)) + "</tr>"
        for j, row in enumerate(rows))
    return f'<table class="m">{body}</table>'


def _cell(caption: str, matrix: str) -> str:
    return f'<div class="cell"><div class="cap">{caption}</div>{matrix}</div>'


def _column(values: list[float], bad: Collection[int] = frozenset()) -> str:
    return _html_matrix([[v] for v in values], {(j, 0) for j in bad})


def _html_forward(i: int, step: LayerStep) -> str:
    x = "x" if i == 0 else f"out<sub>{i - 1}</sub>"
    act = html_text(step.activation)
    cells = [
        _cell(f"W<sub>{i}</sub>", _html_matrix(step.W)),
        _cell(f"b<sub>{i}</sub>", _column(step.b)),
        _cell(x, _column(step.x)),
        _cell(f"net<sub>{i}</sub> = W<sub>{i}</sub>{x} + b<sub>{i}</sub>", _column(step.net)),
        _cell(f"out<sub>{i}</sub> = {act}(net<sub>{i}</sub>)", _column(step.out)),
    ]
    return (f"<h4>Layer {i} forward ({act}): {len(step.x)} → {len(step.b)}</h4>"
            f'<div class="row">{"".join(cells)}</div>')


def _html_backward(i: int, step: LayerStep, last: bool, view: MatrixView) -> str:
    bad_W = {m.index for m in view.mismatches if m.layer == i and m.kind == "W"}
    bad_b = {m.index[0] for m in view.mismatches if m.layer == i and m.kind == "b"}
    x = "x" if i == 0 else f"out<sub>{i - 1}</sub>"
    act = html_text(step.activation)
    incoming = "∂E/∂out" if last else f"W<sub>{i + 1}</sub><sup>T</sup>δ<sub>{i + 1}</sub>"
    cells = [
        _cell(f"{act}′(net<sub>{i}</sub>) = {html_text(step.slope_formula)}",
              _column(step.slope)),
        _cell(f"δ<sub>{i}</sub> = ({incoming}) ⊙ {act}′", _column(step.delta)),
        _cell(f"∂E/∂W<sub>{i}</sub> = δ<sub>{i}</sub>{x}<sup>T</sup>",
              _html_matrix(step.dW, bad_W)),
        _cell("scalar engine .grad", _html_matrix(step.engine_dW, bad_W)),
        _cell(f"∂E/∂b<sub>{i}</sub> = δ<sub>{i}</sub>", _column(step.db, bad_b)),
        _cell(f"W<sub>{i}</sub><sup>T</sup>δ<sub>{i}</sub>" +
              (" (passed down)" if i > 0 else " = ∂E/∂x"), _column(step.passed_down)),
    ]
    return f'<h4>Layer {i} backward</h4><div class="row">{"".join(cells)}</div>'


def to_html(view: MatrixView) -> str:
    """A self-contained HTML fragment (inline CSS, nothing fetched)."""
    last = len(view.layers) - 1
    forward = "".join(_html_forward(i, step) for i, step in enumerate(view.layers))
    backward = "".join(_html_backward(i, view.layers[i], i == last, view)
                       for i in range(last, -1, -1))
    loss = (f"<h4>Loss {html_text(view.loss)}</h4><div class=\"row\">"
            + _cell(f"E = {_html_number(view.error)}; ∂E/∂out", _column(view.output_grad))
            + "</div>")
    check = f'<div class="{"ok" if view.agrees else "fail"}">{html_text(verdict(view))}</div>'
    title = (f"<b>Backprop in matrix form</b>: {html_text(view.model)}, "
             f"loss {html_text(view.loss)}, one sample")
    if view.held:
        title += ('<div style="color:#c62828;font-weight:bold">'
                  + "<br/>".join(html_text(line) for line in view.held) + "</div>")
    return f'<div class="vg-mv"><style>{_CSS}</style>{title}{forward}{loss}{backward}{check}</div>'
