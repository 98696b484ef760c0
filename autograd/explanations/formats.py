"""The other faces of an Explanation: Markdown, an HTML table and LaTeX equations."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from . import latex

if TYPE_CHECKING:
    from .explain import Explanation


def _cell(text: str) -> str:
    """Text for one Markdown table cell: nothing in it can end the cell or start markup."""
    out = []
    for ch in text:
        if ch in "\\`*_[]|":
            out.append("\\" + ch)
        elif ch in "<>&":
            out.append(html.escape(ch))
        elif ch in "\r\n":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def markdown(ex: Explanation) -> str:
    """The whole table as GitHub Markdown."""
    header = ex.HEADER
    lines = [_cell(ex.title()), ""]
    if ex.held:
        lines += [f"**{_cell(ex.warning())}**", ""]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join("---" for _ in header) + "|")
    for r in ex.rows():
        lines.append("| " + " | ".join(_cell(c) for c in r) + " |")
    for note in ex.notes() + ex.totals():
        lines.append("")
        lines.append(_cell(note))
    return "\n".join(lines) + "\n"


def html_table(ex: Explanation, max_rows: int | None = None) -> str:
    """The table as an HTML fragment (all text escaped), cut after max_rows rows if given."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in ex.HEADER)
    rows = ex.rows()
    shown = rows if max_rows is None else rows[:max_rows]
    body = []
    for r in shown:
        body.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>")
    notes_text = ex.notes() + ex.totals()
    if len(shown) < len(rows):
        notes_text.insert(0, f"... {len(rows) - len(shown)} more rows: "
                             ".table(all=True) or .to_markdown() shows them all")
    notes = "".join(f"<pre>{html.escape(n)}</pre>" for n in notes_text)
    warning = (f'<p style="color: #c62828; font-weight: bold">{html.escape(ex.warning())}</p>'
               if ex.held else "")
    return (f"<div><p>{html.escape(ex.title())}</p>{warning}"
            '<table style="font-family: monospace; text-align: right">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            f"{notes}</div>")


def latex_lines(ex: Explanation, max_rows: int = 40) -> str:
    """Every multiplication as an equation, ∂g/∂x += ∂g/∂v · ∂v/∂x = 1 · 0.5 = 0.5."""
    f = ex.number_format
    root = ex.names[ex.root]
    lines = []
    for s in ex.shown_steps():
        for t in s.terms:
            if ex.only is not None and t.input not in ex.only:
                continue
            into = latex.fraction(root, t.name)
            via = latex.fraction(root, s.name) if s.node is not ex.root else None
            local = latex.fraction(t.output or s.expression, t.name)
            chain = f"{via} \\cdot {local}" if via else local
            lines.append(f"{into} &\\mathrel{{+}}= {chain} = {latex.number(s.upstream, f)}"
                         f" \\cdot {latex.number(t.local, f)} = {latex.number(t.product, f)}"
                         f" \\quad (\\text{{so far }} {latex.number(t.running, f)})")
    if len(lines) > max_rows:
        lines = [*lines[:max_rows], f"& \\text{{... {len(lines) - max_rows} more}}"]
    return "$$\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}$$"
