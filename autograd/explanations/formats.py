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
             notes: Sequence[str]) -> str:
    """The whole table as GitHub Markdown."""
    lines = [_cell(title), ""]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join("---" for _ in header) + "|")
    for r in rows:
        lines.append("| " + " | ".join(_cell(c) for c in r) + " |")
    for note in notes:
        lines.append("")
        lines.append(_cell(note))
    return "\n".join(lines) + "\n"


def html_table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]],
               notes: Sequence[str], max_rows: int | None = None) -> str:
    """The table as an HTML fragment (all text escaped), cut after max_rows rows if given."""
    head = "".join(f"<th>{html_text(h)}</th>" for h in header)
    shown = rows if max_rows is None else rows[:max_rows]
    body = []
    for r in shown:
        body.append("<tr>" + "".join(f"<td>{html_text(c)}</td>" for c in r) + "</tr>")
    notes_text = list(notes)
    if len(shown) < len(rows):
        notes_text.insert(0, f"... {len(rows) - len(shown)} more rows: "
                             ".table(all=True) or .to_markdown() shows them all")
    notes = "".join(f"<pre>{html_text(n)}</pre>" for n in notes_text)
    return (f"<div><p>{html_text(title)}</p>"
            '<table style="font-family: monospace; text-align: right">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
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
