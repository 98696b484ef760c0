"""Escaping user text (labels, module names) for DOT, HTML, Markdown and LaTeX.

Shared by the drawings, the explanations and the command line: every piece of user text is
escaped before it enters a DOT source or a page, so a label shows literally and can never add an
element or attribute to the SVG.
"""

from __future__ import annotations

# Bidirectional overrides and zero-width characters: shown as-is they reorder or hide the text
# around them (one label could pass for another), so they are spelled out like control characters.
INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d"
                      "\u202e\u2060\u2066\u2067\u2068\u2069\ufeff")

MAX_LABEL_CHARS = 60  # longer labels are cut with an ellipsis so boxes stay a sane width



def visible(text: str) -> str:
    """Cut long text and spell out control characters (XML cannot hold most of them)."""
    if len(text) > MAX_LABEL_CHARS:
        text = text[:MAX_LABEL_CHARS - 1] + "…"
    return spell_out(text)


def spell_out(text: str, newline: bool = False) -> str:
    """Spell out control characters, lone surrogates, non-characters and invisible ones as \\x..

    A newline is kept unless `newline` is true (for formats where it would start a new line).
    """
    out = []
    for ch in text:
        if ch == "\n" and not newline:
            out.append(ch)
        elif ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 or 0xD800 <= ord(ch) < 0xE000 \
                or ch in "\ufffe\uffff" or ch in INVISIBLE:
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


# What each kind of DOT label turns a character into; a character not listed shows as itself.
# In a record field backslash and quote are DOT string escapes and {}|<> and space shape the
# record; Graphviz decodes entities such as &lt; even in plain labels, so & is always escaped; in
# HTML-like labels it expands \N, \G, ... too, so a backslash is doubled there.
_RECORD = str.maketrans({"\n": "\\n", "&": "&amp;", **{ch: "\\" + ch for ch in '\\"{}|<> '}})
_TEXT = str.maketrans({"\n": "\\n", "&": "&amp;", "\\": "\\\\", '"': '\\"'})
_HTML = str.maketrans({"\n": '<BR ALIGN="CENTER"/>', "&": "&amp;", "<": "&lt;", ">": "&gt;",
                       '"': "&quot;", "'": "&#39;", "\\": "\\\\"})


def escape_record(text: str) -> str:
    """Escape text for one field of a DOT record label so every character shows literally."""
    return visible(text).translate(_RECORD)


def escape_text(text: str) -> str:
    """Escape text for a plain DOT label (graph, cluster or ellipse node) so it shows literally."""
    return visible(text).translate(_TEXT)


def escape_html(text: str) -> str:
    """Escape text for a DOT HTML-like label (entities; backslash doubled; newline as <BR/>)."""
    return visible(text).translate(_HTML)


def html_text(text: str) -> str:
    """Escape text for an HTML page (element content or a quoted attribute); XML-safe too."""
    return spell_out(text).translate(_PAGE)


_PAGE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})
# Markdown: every character that can start markup is backslash-escaped (CommonMark allows it
# before any ASCII punctuation); <, > and & become entities, so no HTML tag can form; $ would
# start inline math in Jupyter.  A newline would end a table row, so it is spelled out.
_MARKDOWN = str.maketrans({**{ch: "\\" + ch for ch in "\\`*_{}[]()#+!|~$^"},
                           "&": "&amp;", "<": "&lt;", ">": "&gt;"})


def markdown_text(text: str) -> str:
    """Escape text for Markdown (a paragraph or a table cell): shown literally, starts nothing."""
    return spell_out(text, newline=True).translate(_MARKDOWN)


# LaTeX text mode: each special character as the command that prints it.
_LATEX = str.maketrans({"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$",
                        "%": r"\%", "#": r"\#", "&": r"\&", "_": r"\_",
                        "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
                        "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"})


def latex_text(text: str) -> str:
    """User text for LaTeX (math or text mode): ``\\text{...}``, every special escaped, one line."""
    return r"\text{" + spell_out(text, newline=True).translate(_LATEX) + "}"
