"""The traced program of ``autograd.compile`` as text: one line per op, like ``jax.make_jaxpr``.

Inputs are named ``x0, x1, ...`` in argument order, captured parameters ``p0, p1, ...`` (their
current numbers and labels listed at the top), nodes ``v<slot>`` by their slot in the trace, and
constants are written as the numbers they were at trace time, as the replay bakes them in.
"""

from __future__ import annotations

import re
from typing import Any

from ..core.ops import OPS

# An op whose table expression is "{x} <symbol> {y}" (+ - * / ** and x ** c) prints infix.
_INFIX = re.compile(r"^\{x\}\s*(\S+?)\s*\{y\}$")


def slot_names(trace: Any) -> list[str]:
    """What each slot is called in the printed program (a constant: its number)."""
    names = [f"v{i}" for i in range(trace.size)]
    for k, slot in enumerate(trace.input_slots):
        if slot is not None:
            names[slot] = f"x{k}"
    for k, slot in enumerate(trace.param_slots):
        names[slot] = f"p{k}"
    for slot, number in zip(trace.const_slots, trace.const_values, strict=True):
        names[slot] = repr(number) if number >= 0 else f"({number!r})"
    return names


def expression(op: str, args: list[str]) -> str:
    """One op applied to its argument names, as a reader would write it."""
    entry = OPS.get(op)
    infix = _INFIX.match(entry.expression) if entry is not None and len(args) == 2 else None
    if infix:
        return f"{args[0]} {infix.group(1)} {args[1]}"
    if op == "neg":
        return f"-{args[0]}"
    return f"{op}({', '.join(args)})"


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'s' * (n != 1)}"


def program_text(trace: Any, name: str, n_inputs: int) -> str:
    """The whole traced program: a header, the parameters, one line per node, the results."""
    names = slot_names(trace)
    counts = ", ".join(_count(n, what) for n, what in (
        (sum(k == "node" for k in trace.kind), "op"), (len(trace.params), "parameter"),
        (len(trace.const_slots), "constant")))
    lines = [f"def {name}({', '.join(f'x{k}' for k in range(n_inputs))}):"
             f"  # {trace.size} slots: {counts}"]
    for k, (slot, p) in enumerate(zip(trace.param_slots, trace.params, strict=True)):
        label = f"  # {trace.labels[slot]}" if trace.labels[slot] else ""
        lines.append(f"    p{k} = {p.data!r}{label}")
    for i in range(trace.size):
        if trace.kind[i] != "node":
            continue
        text = f"    {names[i]} = {expression(trace.op[i], [names[a] for a in trace.args[i]])}"
        if trace.labels[i]:
            text += f"  # {trace.labels[i]}"
        lines.append(text)
    result = names[trace.root]
    if trace.outputs:
        result += f", aux=({', '.join(names[s] for s in trace.outputs)})"
    lines.append(f"    return {result}")
    return "\n".join(lines)
