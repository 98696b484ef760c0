"""The python replay backend: one generated line of straight-line Python per node of a trace.

``python_source`` writes ``replay(xs, param_values, consts)`` for a Trace: the forward pass (an
op's Python expression inline where the op table gives one, else a call of its float function),
the guard checks, then the backward pass summing each gradient in the order ``backward()`` does,
so the numbers are eager's bit for bit.  ``_build_python`` compiles that source into the
function a replay program calls; ``CompiledFunction.source`` shows it.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

from ..core.ops import OPS, Inline
from .trace import NODE, Trace

# An op whose table entry has a "python" kernel (ops.Inline) is written as its Python expression
# instead of a call of its float function.  A local derivative that is 1.0, -1.0 or a bare operand
# is folded into the gradient line (x * 1.0 is x, x * -1.0 is -x, exactly); any other is kept in
# a variable (relu's step: 0 * inf must still give nan).  Every op, inline or called, is checked
# against eager on IEEE edge cases by the replay tests.


def _inline(op: str | None) -> Inline | None:
    kernel = OPS[op].kernels.get("python") if op is not None else None
    return kernel if isinstance(kernel, Inline) else None


_FOLDED = ("1.0", "-1.0", "{x}", "{y}")  # local derivatives written into the gradient line


def _gradient_term(local: str, names: dict[str, str], stored: str, g: str) -> str:
    """The contribution of one edge: upstream gradient `g` times the local derivative."""
    if local == "1.0":
        return g
    if local == "-1.0":
        return f"-{g}"
    if local in ("{x}", "{y}"):
        return f"{local.format(**names)} * {g}"
    return f"{stored} * {g}"


def _forward_lines(tr: Trace, i: int, with_grad: bool, called: list[str]) -> list[str]:
    """The generated lines computing slot i (a node) and, if needed, its stored derivatives."""
    op, args, carries = tr.op[i], tr.args[i], tr.carries[i]
    names = dict(zip("xy", (f"v{a}" for a in args), strict=False))
    inline = _inline(op)
    if inline is not None:
        lines = [f"    v{i} = {inline.value.format(**names)}"]
        for k, local in enumerate(inline.locals):
            if with_grad and carries[k] and local not in _FOLDED:
                lines.append(f"    d{i}_{k} = {local.format(**names)}")
        return lines
    assert op is not None
    if op not in called:
        called.append(op)
    call = f"F{called.index(op)}({', '.join(names.values())})"
    if with_grad and any(carries):
        targets = [f"v{i}"] + [f"d{i}_{k}" if c else "_" for k, c in enumerate(carries)]
        return [f"    {', '.join(targets)} = {call}"]
    return [f"    v{i} = {call}[0]"]


def python_source(tr: Trace, with_grad: bool) -> tuple[str, list[str]]:
    """Source of ``replay(xs, param_values, consts)`` and the op names it calls.

    The function returns (value, input grads, param grads, aux values), or without gradients
    (value, aux values).

    Every name in the source is built from an integer slot or op index, never from user text;
    numbers enter only through the arguments.
    """
    called: list[str] = []  # op names called through the table; F{k} is OPS[called[k]].forward
    lines = _argument_lines(tr)
    for i in range(tr.size):
        if tr.kind[i] == NODE:
            lines += _forward_lines(tr, i, with_grad, called)
    lines += guard_lines(tr)
    outputs = f"({''.join(f'v{s}, ' for s in tr.outputs)})"  # the aux outputs' values
    if not with_grad:
        lines.append(f"    return v{tr.root}, {outputs}")
        return "\n".join(lines) + "\n", called
    grad_name, received = _backward_lines(tr, lines)
    # backward() adds into leaves that start at 0.0; adding 0.0 reproduces that (it turns a
    # total of -0.0 into 0.0, exactly as 0.0 + -0.0 does).
    input_grads = [f"{grad_name[s]} + 0.0" if s is not None and s in received else "0.0"
                   for s in tr.input_slots]
    param_grads = [grad_name[s] for s in tr.param_slots if s in received]
    lines.append(f"    return v{tr.root}, ({''.join(g + ', ' for g in input_grads)}), "
                 f"({''.join(g + ', ' for g in param_grads)}), {outputs}")
    return "\n".join(lines) + "\n", called


def _argument_lines(tr: Trace) -> list[str]:
    """The def line and the unpacking of inputs, parameters and constants into slot names."""
    lines = ["def replay(xs, param_values, consts):"]
    used_inputs = [f"v{s}" if s is not None else "_" for s in tr.input_slots]
    if used_inputs:
        lines.append(f"    {', '.join(used_inputs)}, = xs")
    if tr.param_slots:
        lines.append(f"    {', '.join(f'v{s}' for s in tr.param_slots)}, = param_values")
    if tr.const_slots:
        lines.append(f"    {', '.join(f'v{s}' for s in tr.const_slots)}, = consts")
    return lines


def _backward_lines(tr: Trace, lines: list[str]) -> tuple[dict[int, str], set[int]]:
    """Append the backward pass to `lines`; each slot's gradient name, and the slots reached.

    Consumers before inputs (reverse topological order), each input's contributions summed in
    the order backward() adds them, so the sums round the same way.
    """
    received: set[int] = set()
    contributions = _contribution_counts(tr)
    grad_name = {tr.root: f"g{tr.root}"}
    if tr.needs_grad[tr.root]:
        lines.append(f"    g{tr.root} = 1.0")
        received.add(tr.root)
    for i in reversed(range(tr.size)):
        if tr.kind[i] != NODE or i not in received:
            continue
        op, args, g = tr.op[i], tr.args[i], grad_name[i]
        names = dict(zip("xy", (f"v{a}" for a in args), strict=False))
        inline = _inline(op)
        for k, (a, carries) in enumerate(zip(args, tr.carries[i], strict=True)):
            if not carries:
                continue
            local = inline.locals[k] if inline is not None else ""
            term = _gradient_term(local, names, f"d{i}_{k}", g)
            # A slot whose only contribution is another slot's gradient unchanged (through +)
            # shares that variable instead of copying it.
            if term == g and contributions[a] == 1:
                grad_name[a] = g
            else:
                grad_name[a] = f"g{a}"
                lines.append(f"    g{a} {'+=' if a in received else '='} {term}")
            received.add(a)
    return grad_name, received


def _contribution_counts(tr: Trace) -> list[int]:
    """How many carrying edges send a gradient to each slot."""
    contributions = [0] * tr.size
    for i in range(tr.size):
        for a, carries in zip(tr.args[i], tr.carries[i], strict=True):
            contributions[a] += carries
    return contributions


def guard_lines(tr: Trace) -> list[str]:
    """Lines that return None (meaning: re-trace) when a guard's outcome differs from the trace's.

    A guard's constant side is G[k]: numbers are never written into the source.
    """
    tests = []
    for k, (a, op, b, _, outcome) in enumerate(tr.guards):
        right = f"G[{k}]" if b is None else f"v{b}"
        tests.append(f"not v{a} {op} {right}" if outcome else f"v{a} {op} {right}")
    # One `if` per 100 tests keeps the lines readable.
    return [f"    if {' or '.join(tests[k:k + 100])}: return None"
            for k in range(0, len(tests), 100)]


def _build_python(tr: Trace, with_grad: bool) -> Callable[..., Any]:
    """Compile the generated source into a function."""
    source, called = python_source(tr, with_grad)
    namespace: dict[str, Any] = {f"F{k}": OPS[name].forward for k, name in enumerate(called)}
    namespace["G"] = tuple(const for *_, const, _ in tr.guards)
    # builtins.compile: this module's own compile() is the public tracer.
    exec(builtins.compile(source, "<valuegrad replay>", "exec"), namespace)
    return namespace["replay"]
