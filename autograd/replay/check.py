"""Trace comparison: does a fresh eager run of a compiled function still follow its trace?

``CompiledFunction.check`` (and ``check=True``) traces fn afresh and ``_check_program`` compares
it with the replay's program: slot by slot (kind, op, wiring, which leaf, constants' numbers),
the aux template, then the value, every gradient and aux output, bit for bit (``same_float``).
The first difference raises TraceMismatchError naming the slot or the number.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .trace import CONST, INPUT, PARAM, Trace, Traced

if TYPE_CHECKING:
    from .program import _Program


class TraceMismatchError(RuntimeError):
    """A fresh eager run of the function no longer follows the traced graph."""


def _check_program(program: _Program, fresh: Traced, result: tuple[Any, ...], name: str,
                   n_inputs: int) -> None:
    """Raise TraceMismatchError where `program` and the fresh eager run `fresh` differ."""
    from ..core.backward import grad

    _compare(program.trace, fresh.flatten(), name)
    if not _same_template(program.template, fresh.template):
        raise TraceMismatchError(
            f"{name}: its aux output no longer matches the trace: traced "
            f"{program.template!r}, now {fresh.template!r} (numbers show a Value's index among "
            f"the aux Values).  Plain numbers and the nesting in aux are kept from the "
            f"trace; return Values to have numbers recomputed."[:600])
    wanted = [*fresh.inputs, *program.grad_params]
    eager_grads = grad(fresh.root, wanted, create_graph=False) if wanted else []
    value, input_grads, param_grads, outputs = result
    # A parameter's total lands on its .grad; grad() starts its sums at 0.0 as a zeroed .grad
    # does, and 0.0 + -0.0 is 0.0: compare what a zeroed .grad would hold.
    got = [value, *input_grads, *(0.0 + g for g in param_grads), *outputs]
    want = [fresh.root._data, *eager_grads, *(v._data for v in fresh.extras)]
    labels = ["the value"] + [f"d/d input {k}" for k in range(n_inputs)] + [
        f"d/d parameter {k}" for k in range(len(program.grad_params))] + [
        f"aux output {k}" for k in range(len(outputs))]
    for what, a, b in zip(labels, got, want, strict=True):
        if not same_float(a, b):
            raise TraceMismatchError(
                f"{name}: replay gives {what} = {a!r}, eager gives {b!r} on the same "
                f"graph.  Does fn use Values computed outside it?  The replay recomputes them "
                f"from their leaves' current .data; eager reuses their stored numbers.")


def same_float(a: float, b: float) -> bool:
    """Equal bits up to NaN payload: 0.0 and -0.0 differ, any two NaNs agree."""
    if a != a or b != b:
        return a != a and b != b
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def _same_template(a: Any, b: Any) -> bool:
    """Whether two aux templates have the same nesting, keys, Value positions and numbers."""
    if type(a) is not type(b):  # also tells an aux Value (_Out) from a plain int
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same_template(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same_template(a[k], b[k]) for k in a)
    if isinstance(a, float):
        return same_float(a, b)
    return bool(a == b)


def _compare(traced: Trace, fresh: Trace, name: str) -> None:
    """Raise TraceMismatchError naming the first slot where the two graphs differ."""
    for i in range(min(traced.size, fresh.size)):
        why = _slot_difference(traced, fresh, i)
        if why:
            raise TraceMismatchError(
                f"{name} no longer follows its trace (a Python branch on .data took another "
                f"path?): first difference at slot {i}: {why}. Compile it again for this "
                f"control flow.")
    if traced.size != fresh.size:
        raise TraceMismatchError(f"{name} no longer follows its trace: the traced graph has "
                                 f"{traced.size} slots, the fresh one {fresh.size}")
    if (traced.root, traced.outputs) != (fresh.root, fresh.outputs):
        raise TraceMismatchError(f"{name} no longer follows its trace: the same graph, but its "
                                 f"output and aux Values are now slots {fresh.root} and "
                                 f"{fresh.outputs}, traced as {traced.root} and {traced.outputs}")


def _slot_difference(traced: Trace, fresh: Trace, i: int) -> str:
    """Why slot i differs between two traces ('' if it does not)."""
    if {traced.kind[i], fresh.kind[i]} == {PARAM, CONST}:
        return (f"the trace has {traced.what(i)} there, the fresh run {fresh.what(i)}: a "
                f"captured leaf's requires_grad changed since the trace")
    if traced.kind[i] != fresh.kind[i] or traced.op[i] != fresh.op[i]:
        return f"the trace has {traced.what(i)} there, the fresh run {fresh.what(i)}"
    this = traced.what(i)
    if traced.args[i] != fresh.args[i]:
        return f"{this} whose inputs were slots {traced.args[i]}, now {fresh.args[i]}"
    if traced.carries[i] != fresh.carries[i]:
        return f"{this} whose constant exponent became a Value (or the reverse)"
    kind = traced.kind[i]
    if kind == INPUT and traced.input_slots.index(i) != fresh.input_slots.index(i):
        return f"{this} there, the fresh run input {fresh.input_slots.index(i)}"
    if kind == PARAM:
        k = traced.param_slots.index(i)
        if traced.params[k] is not fresh.params[fresh.param_slots.index(i)]:
            return f"{this} there, the fresh run another parameter Value"
    if kind == CONST:
        # What a replay uses: the traced leaf's current number (a literal keeps its own).
        old = traced.consts[traced.const_slots.index(i)]._data
        new = fresh.const_values[fresh.const_slots.index(i)]
        if not same_float(old, new):
            return f"{this} that the replay reads as {old!r}, now {new!r}"
    return ""

