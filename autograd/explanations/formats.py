"""The other faces of an Explanation: Markdown, an HTML table and LaTeX equations.

Each takes the parts it shows (Explanation's methods pass them), so this module needs nothing
from explain.py, which uses it.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..core.value import Value
from ..output.escape import html_text, markdown_text
from . import latex
from .records import Step


def _cell(text: str) -> str:
    """Text for one Markdown table cell: nothing in it can end the cell or start markup."""
    return markdown_text(text)


def markdown(title: str, header: Sequence[str], rows: Sequence[Sequence[str]],
             notes: Sequence[str], warning: str = "") -> str:
    """The whole table as GitHub Markdown (a warning, if any, in bold under the title)."""
    lines = [_cell(title), ""]
    if warning:
        lines += [f"**{_cell(warning)}**", ""]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join("---" for _ in header) + "|")
    for r in rows:
        lines.append("| " + " | ".join(_cell(c) for c in r) + " |")
    for note in notes:
        lines.append("")
        lines.append(_cell(note))
    return "\n".join(lines) + "\n"


# The table fits a 900 px notebook column: the ten columns of the text table folded into five
# (a node with its value and grad, an input with its value, the rule, the product with the sum
# so far), names breaking at their dots; a table that still cannot fit scrolls in its own box.
_HTML_STYLE = (".vg-ex{max-width:100%;overflow-x:auto;font-family:system-ui,sans-serif;"
               "font-size:13px}"
               ".vg-ex table{table-layout:auto;border-collapse:collapse;margin:4px 0}"
               ".vg-ex th,.vg-ex td{padding:3px 6px;text-align:left;vertical-align:top;"
               "white-space:normal;border-bottom:1px solid #e4e4e4}"
               ".vg-ex th{font-weight:600}"
               ".vg-ex td{font-family:monospace;font-size:12.5px}"
               ".vg-ex td.num{text-align:right;white-space:nowrap}"
               ".vg-ex .of{color:#555}"
               ".vg-ex p{margin:4px 0}")
HTML_HEADER = ("step", "node, its value and grad", "input and its value",
               "local grad (the rule)", "product = local grad × grad, and the input's grad so far")


def _wrappable(text: str) -> str:
    """Escaped text that may break after a name's dot (layers.<wbr/>1.<wbr/>neurons)."""
    parts, start = [], 0
    for k, ch in enumerate(text):
        # After a name's dot (layers. neurons. 0.net), never inside a number (0.5).
        if ch == "." and 0 < k < len(text) - 1 and (text[k - 1].isalpha()
                                                    or text[k + 1].isalpha()):
            parts.append(text[start:k + 1])
            start = k + 1
    parts.append(text[start:])
    return "<wbr/>".join(html_text(part) for part in parts)


def _html_row(r: Sequence[str]) -> str:
    step, node, value, grad, name, input_value, _, product, running, rule = r
    of = '<br/><span class="of">{}</span>'.format
    cells = [f'<td class="num">{html_text(step)}</td>',
             f"<td>{_wrappable(node)}"
             + (of(f"= {html_text(value)}") + of(f"grad {html_text(grad)}") if node else "")
             + "</td>",
             f"<td>{_wrappable(name)}" + (of(f"= {html_text(input_value)}") if name else "")
             + "</td>",
             f"<td>{_wrappable(rule)}</td>",
             f'<td class="num">{html_text(product)}'
             + (of(f"so far {html_text(running)}") if name else "") + "</td>"]
    return "<tr>" + "".join(cells) + "</tr>"


def html_table(title: str, rows: Sequence[Sequence[str]], notes: Sequence[str],
               max_rows: int | None = None, warning: str = "") -> str:
    """The table as an HTML fragment (all text escaped), cut after max_rows rows if given."""
    head = "".join(f"<th>{html_text(h)}</th>" for h in HTML_HEADER)
    shown = rows if max_rows is None else rows[:max_rows]
    body = [_html_row(r) for r in shown]
    notes_text = list(notes)
    if len(shown) < len(rows):
        notes_text.insert(0, f"... {len(rows) - len(shown)} more rows: "
                             ".table(all=True) or .to_markdown() shows them all")
    notes = "".join(f"<p>{html_text(n)}</p>" for n in notes_text)
    shown_warning = (f'<p style="color: #c62828; font-weight: bold">{html_text(warning)}</p>'
                     if warning else "")
    return (f'<div class="vg-ex"><style>{_HTML_STYLE}</style><p>{html_text(title)}</p>'
            f"{shown_warning}"
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            f"{notes}</div>")


def latex_lines(steps: Sequence[Step], root: str, root_node: Value, only: set[Value] | None,
                number_format: str, max_rows: int = 40) -> str:
    """Every multiplication as an equation, ∂g/∂x += ∂g/∂v · ∂v/∂x = 1 · 0.5 = 0.5.

    `root` is the root's shown name; `only`, if given, the inputs whose terms are shown.
    """
    f = number_format
    lines = []
    for s in steps:
        for t in s.terms:
            if only is not None and t.input not in only:
                continue
            into = latex.fraction(root, t.name)
            via = latex.fraction(root, s.name) if s.node is not root_node else None
            local = latex.fraction(t.output or s.expression, t.name)
            chain = f"{via} \\cdot {local}" if via else local
            lines.append(f"{into} &\\mathrel{{+}}= {chain} = {latex.number(s.upstream, f)}"
                         f" \\cdot {latex.number(t.local, f)} = {latex.number(t.product, f)}"
                         f" \\quad (\\text{{so far }} {latex.number(t.running, f)})")
    if len(lines) > max_rows:
        lines = [*lines[:max_rows], f"& \\text{{... {len(lines) - max_rows} more}}"]
    return "$$\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}$$"
