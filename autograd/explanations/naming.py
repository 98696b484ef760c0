"""Display names and groups for graph nodes, and the hook a layer above the engine uses to add them.

The engine knows nothing about networks.  A library that builds graphs (valuegrad's ``nn``) can
say what its nodes are by registering a *describer*: a function that receives the Values about to
be drawn or explained (inputs first) and returns, for the nodes it recognises, a ``NodeInfo`` --
a derived display name (``layers.0.neurons.1.out``) and a group path (the nested boxes a drawing
puts the node in, outermost first).  Describers run only when a picture or an explanation is
made, so building graphs pays nothing for them.

Display names never change a Value: ``Value.label`` stays what the user set.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ..core.value import Value


@dataclass(frozen=True)
class NodeInfo:
    """What a describer knows about one node: a derived display name and its group path.

    name: shown when the Value has no label of its own (None: no derived name).
    group: nested group names, outermost first, e.g. ("layers.0", "layers.0.neurons.1");
    () means the node belongs to no group.  A leaf with a group is drawn as a parameter.
    """

    name: str | None = None
    group: tuple[str, ...] = ()


Describer = Callable[[Sequence[Value]], Mapping[Value, NodeInfo]]

_describers: list[Describer] = []


def register_describer(fn: Describer) -> Describer:
    """Add a describer (once; registering the same function again does nothing); returns fn."""
    if not callable(fn):
        raise TypeError(f"a describer must be callable, got {type(fn).__name__}")
    if fn not in _describers:
        _describers.append(fn)
    return fn


def unregister_describer(fn: Describer) -> None:
    """Remove a describer added with register_describer (no error if it is not registered)."""
    if fn in _describers:
        _describers.remove(fn)


def describe(order: Sequence[Value]) -> dict[Value, NodeInfo]:
    """Merge every registered describer's answer for these nodes (earlier describers win)."""
    wanted = set(order)
    merged: dict[Value, NodeInfo] = {}
    for fn in _describers:
        found = fn(order)
        if not isinstance(found, Mapping):
            raise TypeError(f"describer {getattr(fn, '__name__', fn)!r} returned "
                            f"{type(found).__name__}, not a mapping of Value -> NodeInfo")
        for v, info in found.items():
            if not isinstance(info, NodeInfo):
                raise TypeError(f"describer {getattr(fn, '__name__', fn)!r} gave a "
                                f"{type(info).__name__} instead of a NodeInfo")
            if v in wanted and v not in merged:
                merged[v] = info
    return merged


def node_names(order: Sequence[Value], extra: Mapping[Value, str] | None = None,
               infos: Mapping[Value, NodeInfo] | None = None) -> dict[Value, str]:
    """Each node's display name: its label, else a derived name, else `extra`, else a number.

    Order of preference: the user's label; the name a describer derived; ``extra`` (for instance
    the source text of a sub-expression); a constant's number; ``v<index>`` as the last resort.
    Generated names never repeat a label (a variable may well be called v2 or ...net).
    infos: describe(order) when the caller has it already.
    """
    infos = describe(order) if infos is None else infos
    extra = {} if extra is None else extra
    taken = {v.label for v in order if v.label}
    names: dict[Value, str] = {}
    for i, v in enumerate(order):
        if v.label:
            names[v] = v.label
            continue
        info = infos.get(v)
        if info is not None and info.name:
            name = info.name
        elif extra.get(v):
            name = extra[v]
        elif v.is_leaf and not v.requires_grad:
            names[v] = f"{v.data:g}"  # numbers may repeat: two 2s are both called 2
            continue
        else:
            name = f"v{i}"
        while name in taken:
            name += "'"
        taken.add(name)
        names[v] = name
    return names
