"""Layout decisions for drawings: which Values to draw, in which nested groups, in what order.

Nothing here writes DOT: draw.py turns these decisions into a graphviz Digraph.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..core.graph import topological_order
from ..core.value import Value
from ..explanations.naming import NodeInfo


def as_roots(roots: Value | Iterable[Value], who: str = "draw()") -> list[Value]:
    """Check that `roots` is a Value or a non-empty iterable of Values and return them as a list."""
    if isinstance(roots, Value):
        return [roots]
    if isinstance(roots, (str, bytes)) or not isinstance(roots, Iterable):
        raise TypeError(f"{who} needs a Value or Values, got {type(roots).__name__}")
    out = list(roots)
    for r in out:
        if not isinstance(r, Value):
            raise TypeError(f"{who} needs Values, got a {type(r).__name__} among them")
    if not out:
        raise ValueError(f"{who} needs at least one Value")
    return out


def graph_order(roots: Value | Iterable[Value]) -> list[Value]:
    """All Values the roots depend on, inputs first (one shared order for several roots)."""
    order: list[Value] = []
    seen: set[Value] = set()
    for root in as_roots(roots):
        for v in topological_order(root):
            if v not in seen:
                seen.add(v)
                order.append(v)
    return order


def paths_from(order: Sequence[Value], target: Value) -> list[Value]:
    """The Values `target` flows into (in `order`'s order), target included: paths to the roots."""
    feeds = {target}
    for v in order:  # inputs come first, so one pass finds everything `target` flows into
        if v is not target and any(x in feeds for x in v.inputs):
            feeds.add(v)
    return [v for v in order if v in feeds]


@dataclass
class Group:
    """One nested box of a drawing: its name, the Values directly in it, and the groups inside."""

    name: str
    values: list[Value] = field(default_factory=list)
    children: dict[str, Group] = field(default_factory=dict)

    def sorted_children(self) -> list[Group]:
        """Inner groups in natural order: layers.2 before layers.10."""
        return sorted(self.children.values(), key=lambda g: natural_key(g.name))

    def all_values(self) -> list[Value]:
        """The Values of this group and of every group inside it."""
        return self.values + [v for child in self.sorted_children() for v in child.all_values()]


def group_tree(order: Sequence[Value], infos: dict[Value, NodeInfo]) -> Group:
    """The nested groups the Values belong to; the returned top group holds ungrouped Values."""
    top = Group("")
    for v in order:
        info = infos.get(v)
        level = top
        for name in (info.group if info is not None else ()):
            level = level.children.setdefault(name, Group(name))
        level.values.append(v)
    return top


def boxes(top: Group) -> list[Group]:
    """The groups that hold Values, outermost first and in natural order: one box each.

    Boxes are drawn side by side, not nested: no renderer keeps boxes nested in another box in a
    given order (see order_hints).
    """
    found: list[Group] = []
    for child in top.sorted_children():
        if child.values:
            found.append(child)
        found += boxes(child)
    return found


@dataclass
class OrderHints:
    """What a drawing pins so that groups and weights read in index order across the flow.

    anchors: runs of sibling groups no data flows between (the neurons of a layer), each given
    by its first Value; the drawing hangs each run from a chain of invisible points.
    chains: in a group, the operations its own leaves feed first (w.0·x, w.1·x, ...), to be
    kept on one rank in this order.
    """

    anchors: list[list[Value]] = field(default_factory=list)
    chains: list[list[Value]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.anchors or self.chains)


def order_hints(order: Sequence[Value], top: Group) -> OrderHints:
    """Where renderers need help to keep groups (and each group's leaves) in index order.

    A dot-like renderer orders the nodes of a rank by crossing heuristics, which put neuron 1
    before neuron 0 as readily as after, since every neuron of a layer connects alike.
    """
    hints = OrderHints()
    position = {v: i for i, v in enumerate(order)}
    _collect_hints(top, order, position, hints)
    return hints


def _collect_hints(group: Group, order: Sequence[Value], position: dict[Value, int],
                   hints: OrderHints) -> None:
    fed = _leaf_fed(group)
    if len(fed) > 1:
        hints.chains.append(fed)
    children = group.sorted_children()
    run: list[Value] = []
    for a, b in zip(children, children[1:]):
        a_values, b_values = a.all_values(), b.all_values()
        if _flows(order, position, a_values, b_values) or \
                _flows(order, position, b_values, a_values):
            run = []  # one feeds the other (layers): the flow orders them
            continue
        if not run:
            run = [a_values[0]]
            hints.anchors.append(run)
        run.append(b_values[0])
    for child in children:
        _collect_hints(child, order, position, hints)


def _leaf_fed(group: Group) -> list[Value]:
    """The first operation each leaf of the group feeds, while they are alike and independent."""
    mine = set(group.values)
    fed: list[Value] = []
    for v in group.values:
        if v.op is None or not any(x.is_leaf and x in mine for x in v.inputs):
            continue
        # An input computed inside the group puts v further down (micrograd's `1 + c`, with c
        # five operations deep): on the first rank its edge from c would run upwards.
        if any(not x.is_leaf and x in mine for x in v.inputs):
            continue
        if fed and (v.op != fed[0].op or any(x in fed for x in v.inputs)):
            continue
        fed.append(v)
    return fed


def _flows(order: Sequence[Value], position: dict[Value, int], source: list[Value],
           target: list[Value]) -> bool:
    """Whether data flows from any of `source` into any of `target` (through anything drawn)."""
    reached = set(source)
    wanted = set(target)
    for v in order[min(position[v] for v in source):]:
        if v not in reached and any(x in reached for x in v.inputs):
            if v in wanted:
                return True
            reached.add(v)
    return False


def natural_key(key: str) -> list[tuple[int, int | str]]:
    """Sort key putting layers.2 before layers.10."""
    return [(0, int(p)) if p.isdigit() else (1, p) for p in key.split(".")]


def short_name(name: str, info: NodeInfo | None) -> str:
    """A name without its group's prefix: in box layers.0.neurons.1, '...neurons.1.w.0' is w.0."""
    if info is not None and info.group and name.startswith(info.group[-1] + "."):
        return name[len(info.group[-1]) + 1:]
    return name
