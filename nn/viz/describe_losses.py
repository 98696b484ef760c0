"""Name the nodes of a loss drawn above a network: E.diff.0, E.sq.0, E.term.0, ..., E.

nn/viz/describe.py calls this at draw or explain time with the neurons' outputs it found.  A loss is
recognised by its shape in the graph, so building it (nn.half_sse, nn.mse, nn.hinge,
nn.bce_with_logits, nn.bce, nn.cross_entropy, or the same terms written by hand) pays nothing, and
nothing is read from label strings.  Per model output k, with o its neuron's output and t a
constant (the target):

* squared error: ``target.k`` the constant t; ``diff.k`` t - o (half_sse's order) or o - t
  (mse's); ``sq.k`` diff.k ** 2; ``term.k`` 0.5 * sq.k, half_sse's ½(t - o)² (in mse the term
  is sq.k itself);
* hinge, relu(1 - y·s): ``neg_ys.k`` the product -y * s, ``margin.k`` 1 + neg_ys.k (how far s
  still is from the margin), ``term.k`` its relu;
* logistic (bce_with_logits), softplus(z) - t·z: ``softplus.k``, ``target.k``, ``tz.k`` t * z
  and ``term.k``;
* bce of a probability p, -(t·log p + (1 - t)·log(1 - p)), each half present when its weight is
  not 0: ``target.k`` t, ``log_p.k``, ``ll1.k`` t·log p; ``q.k`` 1 - p, ``log_q.k``, ``ll0.k``
  (1 - t)·log q; ``ll.k`` their sum, the log-likelihood, and ``term.k`` its negative;
* cross-entropy of a sample's scores z (log Σ exp(z.j - m) + m - z.t, m the largest score):
  ``shift.j`` z.j - m, ``exp.j``, ``sumexp.j`` their running sum, ``log``, ``logsumexp`` and
  ``term``; the parts carry the class number j, so the sample's number comes in brackets
  (``L.exp.1[3]``), and only for a batch;
* ``sum.k``: the running sum of the terms up to k, when the terms are added one after the other;
* the loss itself: the top of that sum, or the sum divided by a constant (a mean).

nn.l2's penalty alpha·Σ p² is named by name_penalties: see there.

Every name starts with the loss's own label when it has one (``E.diff.0`` under a root labelled
``E``, as Mazur's tutorial writes E = Σ ½(target - out)²), else with ``loss``; so a graph's
names read as the tutorial's algebra in the drawing and in explain's text, and a second loss in
one graph can be told apart by its label.  The names are words, not formulas (``neg_ys``, not
``-y*s``): explain writes its rules with operators, and a name holding one would read as two.
The loss node is given the name ``loss`` only when it has no label; a label always wins
(autograd.explanations.naming).  A single term is named only when it is the loss itself (the
graph's root, or divided by a constant): a square inside a sum of other shapes is left alone
rather than named as a part of a loss that is not one.  A loss's nodes are drawn outside every
module's box (l2's squares excepted: each stays beside its parameter).
"""

from __future__ import annotations

from collections.abc import Container, Sequence

from autograd import Value
from autograd.explanations.naming import NodeInfo

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


def _squared(v: Value, outs: set[Value]) -> Parts | None:
    """The parts of a squared error ending at v: diff ** 2, or 0.5 * (diff ** 2); else None."""
    if v.op == "**c" and len(v.inputs) == 2 and _constant(v.inputs[1], 2.0):
        parts = _diff(v.inputs[0], outs)
        return None if parts is None else [*parts, (v, "sq")]
    if v.op == "*" and len(v.inputs) == 2:
        a, b = v.inputs
        square = b if _constant(a, 0.5) else a if _constant(b, 0.5) else None
        if square is not None and square.op == "**c":
            parts = _squared(square, outs)
            return None if parts is None else [*parts, (v, "term")]
    return None


def _scaled(v: Value, outs: set[Value]) -> tuple[Value, Value] | None:
    """(the constant c, the output o) when v is c * o or o * c for a neuron output o."""
    if v.op != "*" or len(v.inputs) != 2:
        return None
    a, b = v.inputs
    if b in outs and _constant(a):
        return a, b
    if a in outs and _constant(b):
        return b, a
    return None


def _hinge(v: Value, outs: set[Value]) -> Parts | None:
    """The parts of nn.hinge's relu(1 + -y * s) ending at v; else None."""
    if v.op != "relu" or v.inputs[0].op != "+":
        return None
    margin = v.inputs[0]
    one, product = margin.inputs
    if not _constant(one, 1.0) or _scaled(product, outs) is None:
        return None
    return [(product, "neg_ys"), (margin, "margin"), (v, "term")]


def _logistic(v: Value, outs: set[Value]) -> Parts | None:
    """The parts of nn.bce_with_logits' softplus(z) - t * z ending at v; else None."""
    if v.op != "-" or len(v.inputs) != 2:
        return None
    soft, product = v.inputs
    scaled = _scaled(product, outs)
    if soft.op != "softplus" or scaled is None or soft.inputs[0] is not scaled[1]:
        return None
    return [(scaled[0], "target"), (soft, "softplus"), (product, "tz"), (v, "term")]


def _log_part(v: Value, outs: set[Value]) -> Parts | None:
    """The parts of bce's t * log(p) ("ll1") or (1 - t) * log(1 - p) ("ll0") ending at v."""
    if v.op != "*" or len(v.inputs) != 2 or not _constant(v.inputs[0]) \
            or v.inputs[1].op != "log":
        return None
    log = v.inputs[1]
    inner = log.inputs[0]
    if inner in outs:
        return [(v.inputs[0], "target"), (log, "log_p"), (v, "ll1")]
    if inner.op == "-" and _constant(inner.inputs[0], 1.0) and inner.inputs[1] in outs:
        return [(inner, "q"), (log, "log_q"), (v, "ll0")]
    return None


def _bce(v: Value, outs: set[Value]) -> Parts | None:
    """The parts of nn.bce's -(t·log p + (1 - t)·log(1 - p)) ending at v; else None."""
    if v.op != "neg":
        return None
    inner = v.inputs[0]
    one = _log_part(inner, outs)
    if one is not None:
        return [*one, (v, "term")]
    if inner.op != "+" or len(inner.inputs) != 2:
        return None
    first, second = (_log_part(x, outs) for x in inner.inputs)
    if first is None or second is None:
        return None
    return [*first, *second, (inner, "ll"), (v, "term")]


def _cross_entropy(v: Value, outs: set[Value]) -> Parts | None:
    """The parts of nn.cross_entropy's log Σ exp(z.j - m) + m - z.t ending at v; else None.

    m is the largest score (one of the outputs, or a constant 0 where a score is not finite).
    """
    if v.op != "-" or len(v.inputs) != 2 or v.inputs[1] not in outs \
            or v.inputs[0].op != "+" or len(v.inputs[0].inputs) != 2:
        return None
    logsumexp = v.inputs[0]
    log, top = logsumexp.inputs
    if log.op != "log" or not (top in outs or _constant(top)):
        return None
    sums = []  # the running sum of the exponentials, last first
    node = log.inputs[0]
    while node.op == "+" and len(node.inputs) == 2:
        sums.append(node)
        node = node.inputs[0]
    sums.reverse()
    parts: Parts = []
    for j, exp in enumerate([node, *(s.inputs[1] for s in sums)]):
        shift = exp.inputs[0] if exp.op == "exp" else None
        if shift is None or shift.op != "-" or shift.inputs[0] not in outs \
                or shift.inputs[1] is not top:
            return None
        parts += [(shift, f"shift.{j}"), (exp, f"exp.{j}")]
    parts += [(s, f"sumexp.{j}") for j, s in enumerate(sums, start=1)]
    return [*parts, (log, "log"), (logsumexp, "logsumexp"), (v, "term")]


def _term_parts(v: Value, outs: set[Value]) -> Parts | None:
    """The parts of a loss term ending at v (squared error, hinge, logistic, bce, cross-entropy)."""
    return _squared(v, outs) or _hinge(v, outs) or _logistic(v, outs) or _bce(v, outs) \
        or _cross_entropy(v, outs)


def name_losses(order: Sequence[Value], outs: set[Value], infos: dict[Value, NodeInfo]) -> None:
    """Add the names of every loss recognised on the outputs `outs` to `infos` (module doc)."""
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
    # A node nn named already (a neuron's) or a parameter (a frozen one is a constant leaf too)
    # is no part of a loss.
    terms = {v: parts for v, parts in terms.items()
             if not any(n in infos and (infos[n].name or n.is_leaf) for n, _ in parts)}
    if not terms:
        return
    below = _running_sums(order, terms)  # a running sum -> what it adds its term to
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


def _running_sums(order: Sequence[Value], addends: Container[Value]) -> dict[Value, Value]:
    """Each sum a + b that adds one of `addends` (b) to another or to such a sum (a): sum -> a."""
    below: dict[Value, Value] = {}
    for v in order:
        if v.op == "+" and len(v.inputs) == 2 and v.inputs[1] in addends \
                and (v.inputs[0] in addends or v.inputs[0] in below):
            below[v] = v.inputs[0]
    return below


def _name_loss(members: list[Value], sums: list[Value], mean: Value | None,
               terms: dict[Value, Parts], infos: dict[Value, NodeInfo]) -> None:
    """Name one loss: its terms' parts, its running sums and (a sum or a mean) the loss itself."""
    top = mean if mean is not None else sums[-1] if sums else members[0]
    prefix = top.label or "loss"
    for k, term in enumerate(members):
        parts = terms[term]
        # A cross-entropy term's parts carry the class number (exp.2): the sample's goes in
        # brackets, as a neuron's run does, and only when there are several samples.
        per_class = parts[-2][1] == "logsumexp"
        for node, role in parts:
            sample = (f"[{k}]" if len(members) > 1 else "") if per_class else f".{k}"
            _rename(infos, node, f"{prefix}.{role}{sample}")
    for k, node in enumerate(sums, start=1):
        _rename(infos, node, f"{prefix}.sum.{k}")
    if top is not members[0]:  # a lone term keeps its part's name: it is not a sum of terms
        _rename(infos, top, prefix)


def _rename(infos: dict[Value, NodeInfo], v: Value, name: str) -> None:
    """Give `v` a loss's name, outside every module's box (softplus(out) would join its neuron)."""
    infos[v] = NodeInfo(name, ())


def name_penalties(order: Sequence[Value], infos: dict[Value, NodeInfo]) -> None:
    """Name nn.l2's alpha · Σ p²: each square ``<parameter>²``, ``l2.sum.k``, the penalty ``l2``.

    A square keeps its parameter's box (it is drawn beside the parameter); the sums and the
    penalty, which mix every module's parameters, are outside all boxes.  ``l2`` is replaced by
    the penalty's own label when it has one.
    """
    squares = {v for v in order if v.op == "*" and len(v.inputs) == 2
               and v.inputs[0] is v.inputs[1] and v.inputs[0].is_leaf
               and v.inputs[0] in infos and infos[v.inputs[0]].name}
    if not squares:
        return
    below = _running_sums(order, squares)  # a running sum -> what it adds its square to
    for v in order:
        if not (v.op == "*" and len(v.inputs) == 2 and _constant(v.inputs[0])
                and v.inputs[0] not in infos
                and (v.inputs[1] in below or v.inputs[1] in squares)):
            continue
        prefix = v.label or "l2"
        sums = [v.inputs[1]]
        while sums[-1] in below:
            sums.append(below[sums[-1]])
        first = sums.pop()
        sums.reverse()
        for node in [first, *(s.inputs[1] for s in sums)]:
            param = node.inputs[0]
            infos[node] = NodeInfo(f"{infos[param].name}²", infos.get(node, NodeInfo()).group)
        for k, node in enumerate(sums, start=1):
            _rename(infos, node, f"{prefix}.sum.{k}")
        _rename(infos, v, prefix)
