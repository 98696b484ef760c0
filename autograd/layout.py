"""Layout decisions for drawings: which Values to draw, in which nested groups, in what order.

Nothing here writes DOT: draw.py turns these decisions into a graphviz Digraph.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .graph import topological_order
from .naming import NodeInfo
from .value import Value


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


def natural_key(key: str) -> list[tuple[int, int | str]]:
    """Sort key putting layers.2 before layers.10."""
    return [(0, int(p)) if p.isdigit() else (1, p) for p in key.split(".")]


def short_name(name: str, info: NodeInfo | None) -> str:
    """A name without its group's prefix: in box layers.0.neurons.1, '...neurons.1.w.0' is w.0."""
    if info is not None and info.group and name.startswith(info.group[-1] + "."):
        return name[len(info.group[-1]) + 1:]
    return name
