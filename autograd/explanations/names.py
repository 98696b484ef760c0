"""The names explanations give nodes: the user's label, else the expression that made the node.

A node nobody labelled reads as what it computes in its inputs' names (``x*w``, ``tanh(x*w + b)``)
while that stays short; ``vN`` (its place in the graph) is the last resort.  Constants are their
number.  Text is made printable: a label holding a terminal escape cannot recolour the terminal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..core.value import Value
from ..output.escape import INVISIBLE
from .naming import NodeInfo, describe, node_names
from .rules import expression

MAX_DERIVED_CHARS = 24  # a longer expression is harder to read than v17
MAX_DERIVED_NODES = 5000  # a bigger graph is read by its labels: writing every node out is slow



def printable(text: str) -> str:
    """Spell out control, bidi and zero-width characters (\\x1b, \\u202e) so text prints as is.

    A label holding a terminal escape sequence must not recolour or retitle the terminal when the
    table is printed, nor a newline break the table's rows.
    """
    if text.isprintable():  # the usual case; every character below is unprintable to Python
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if code < 32 or 0x7F <= code < 0xA0:
            out.append(f"\\x{code:02x}")
        elif ch in INVISIBLE or 0xD800 <= code < 0xE000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def display_names(order: Sequence[Value], extra: Mapping[Value, str] | None = None,
                  infos: Mapping[Value, NodeInfo] | None = None) -> dict[Value, str]:
    """Each node's name: label, nn's name, extra[node] (source text), a number, an expression.

    naming.py gives every name but the expressions; a node it could only call vN is written
    as its expression when that is short and built on names that are not vN themselves.
    """
    infos = describe(order) if infos is None else infos
    names = node_names(order, extra, infos=infos)
    if len(order) > MAX_DERIVED_NODES:
        return names
    used = set(names.values())
    generated: set[Value] = set()  # still vN: an expression built on v17 says little
    for v in order:
        if v.label or (infos.get(v) and infos[v].name) or (extra and extra.get(v)) \
                or v.op is None:
            continue
        inputs = v.inputs
        operands = [names[x] for x in inputs]
        derived = ""
        if not any(x in generated for x in inputs) and \
                sum(map(len, operands)) < MAX_DERIVED_CHARS - 2:
            derived = expression(v.op, operands)
        if derived and len(derived) <= MAX_DERIVED_CHARS and derived not in used:
            used.add(derived)
            names[v] = derived
        else:
            generated.add(v)
    return names
