"""Name the nodes of a squared-error loss drawn above a network: E.diff.0, E.sq.0, E.term.0, E.

nn/describe.py calls this at draw or explain time with the neurons' outputs it found.  The loss is
recognised by its shape in the graph, so building it (nn.half_sse, nn.mse or the same sum written
by hand) pays nothing, and nothing is read from label strings.  Per model output k, with o its
neuron's output and t a constant (the target):

* ``target.k``: the constant t;
* ``diff.k``: t - o (half_sse's order) or o - t (mse's);
* ``sq.k``: diff.k ** 2;
* ``term.k``: 0.5 * sq.k, half_sse's ½(t - o)² (in mse the term is sq.k itself);
* ``sum.k``: the running sum of the terms up to k, when the terms are added one after the other;
* the loss itself: the top of that sum, or the sum divided by a constant (mse's mean).

Every name starts with the loss's own label when it has one (``E.diff.0`` under a root labelled
``E``, as Mazur's tutorial writes E = Σ ½(target - out)²), else with ``loss``; so a graph's
names read as the tutorial's algebra in the drawing and in explain's text, and a second loss in
one graph can be told apart by its label.  The loss node is given the name ``loss`` only when it
has no label; a label always wins (autograd.naming).  A single term is named only when it is the
loss itself (the graph's root, or divided by a constant): a square inside a sum of other shapes
is left alone rather than named as a part of a loss that is not one.  Losses of another shape
(cross-entropy, bce, hinge) keep the engine's names.
"""

from __future__ import annotations

from collections.abc import Sequence

from autograd import Value
from autograd.naming import NodeInfo

Parts = list[tuple[Value, str]]  # the nodes of one term and their roles, e.g. (t - o, "diff")


def _constant(v: Value, number: float | None = None) -> bool:
    """Whether `v` is a constant leaf (holding `number`, when given)."""
    return v.is_leaf and not v.requires_grad and (number is None or v.data == number)


def _diff(v: Value, outs: set[Value]) -> Parts | None:
    """[(target, "target"), (v, "diff")] when v is t - o or o - t for a neuron output o."""
    if v.op != "-" or len(v.inputs) != 2:
        return None
    a, b = v.inputs
    if a in outs and _constant(b):
        return [(b, "target"), (v, "diff")]
    if b in outs and _constant(a):
        return [(a, "target"), (v, "diff")]
    return None


def _term_parts(v: Value, outs: set[Value]) -> Parts | None:
    """The parts of a loss term ending at v: diff ** 2, or 0.5 * (diff ** 2); else None."""
    if v.op == "**c" and len(v.inputs) == 2 and _constant(v.inputs[1], 2.0):
        parts = _diff(v.inputs[0], outs)
        return None if parts is None else [*parts, (v, "sq")]
    if v.op == "*" and len(v.inputs) == 2:
        a, b = v.inputs
        square = b if _constant(a, 0.5) else a if _constant(b, 0.5) else None
        if square is not None and square.op == "**c":
            parts = _term_parts(square, outs)
            return None if parts is None else [*parts, (v, "term")]
    return None


def name_losses(order: Sequence[Value], outs: set[Value], infos: dict[Value, NodeInfo]) -> None:
    """Add the names of every squared-error loss on the outputs `outs` to `infos` (module doc)."""
    if not outs:
        return
    terms: dict[Value, Parts] = {}
    for v in order:
        parts = _term_parts(v, outs)
        if parts is not None:
            terms[v] = parts
    for parts in list(terms.values()):  # a square inside ½·square is not a term of its own
        for node, _role in parts[:-1]:
            terms.pop(node, None)
    if not terms:
        return
    below: dict[Value, Value] = {}  # a running sum -> what it adds its term to
    for v in order:
        if v.op == "+" and len(v.inputs) == 2 and v.inputs[1] in terms \
                and (v.inputs[0] in terms or v.inputs[0] in below):
            below[v] = v.inputs[0]
    means = {v.inputs[0]: v for v in order
             if v.op == "/" and len(v.inputs) == 2 and _constant(v.inputs[1])
             and (v.inputs[0] in terms or v.inputs[0] in below)}
    inner = set(below.values())
    named: set[Value] = set()
    for top in (v for v in below if v not in inner):
        sums = [top]
        while sums[-1] in below:
            sums.append(below[sums[-1]])
        first = sums.pop()  # the walk ends at the first term
        sums.reverse()  # sums[i] adds term i + 1
        members = [first, *(s.inputs[1] for s in sums)]
        _name_loss(members, sums, means.get(top), terms, infos)
        named.update(members)
    root = order[-1] if order else None
    for term in terms:  # a loss of one term, when it is the loss: the root, or its mean
        if term not in named and (term is root or term in means):
            _name_loss([term], [], means.get(term), terms, infos)


def _name_loss(members: list[Value], sums: list[Value], mean: Value | None,
               terms: dict[Value, Parts], infos: dict[Value, NodeInfo]) -> None:
    """Name one loss: its terms' parts, its running sums and (a sum or a mean) the loss itself."""
    top = mean if mean is not None else sums[-1] if sums else members[0]
    prefix = top.label or "loss"
    for k, term in enumerate(members):
        for node, role in terms[term]:
            _rename(infos, node, f"{prefix}.{role}.{k}")
    for k, node in enumerate(sums, start=1):
        _rename(infos, node, f"{prefix}.sum.{k}")
    if top is not members[0]:  # a lone term keeps its part's name: it is not a sum of terms
        _rename(infos, top, prefix)


def _rename(infos: dict[Value, NodeInfo], v: Value, name: str) -> None:
    """Give `v` a derived name, keeping the group it has (a loss node normally has none)."""
    info = infos.get(v)
    infos[v] = NodeInfo(name, () if info is None else info.group)
