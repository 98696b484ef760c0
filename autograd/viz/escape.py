"""Escaping user text (labels, module names) for DOT, HTML-like DOT labels and HTML pages.

Shared by the drawings, the explanations and the command line: every piece of user text is
escaped before it enters a DOT source or a page, so a label shows literally and can never add an
element or attribute to the SVG.
"""

from __future__ import annotations

from ..explanations.names import INVISIBLE  # spelled out wherever text is shown

MAX_LABEL_CHARS = 60  # longer labels are cut with an ellipsis so boxes stay a sane width



def visible(text: str) -> str:
    """Cut long text and spell out control characters (XML cannot hold most of them)."""
    if len(text) > MAX_LABEL_CHARS:
        text = text[:MAX_LABEL_CHARS - 1] + "…"
    out = []
    for ch in text:
        if ch == "\n":
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
    """Escape text for an HTML page (element content or a quoted attribute)."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))
