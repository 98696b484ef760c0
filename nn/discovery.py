"""Parameter discovery: the walk from a Module to every Value it keeps, with unique dotted names.

A Module's parameters are the Values kept in its public attributes, directly or inside lists,
tuples, deques, dicts (by key), NumPy object arrays (by index) and other Modules.  Each object is
visited once, so a module that refers back to itself (``self.child.owner = self``) or a list that
contains itself is walked without recursion errors.  Containers that cannot give stable names (sets
and frozensets have no order) are refused when they hold Values, rather than skipped silently.
"""

from __future__ import annotations

import numbers
import sys
from collections import deque
from collections.abc import Mapping
from typing import Any

from autograd import Value

# (dotted name, where it lives in Python, the Value): what the walk reports for each parameter.
Found = tuple[str, str, Value]


class ParameterHolder:
    """An object whose public attributes the walk enters, naming them: nn.Module derives from it.

    Defined here, not in module.py, so that the walk knows a Module without importing module.py
    (which imports the walk).
    """

    __slots__ = ()


class _BackReference(Exception):
    """Raised inside the walk when it reaches the object it was told to avoid."""


def walk(root: Any, name: str = "", place: str = "self", avoid: Any = None) -> list[Found]:
    """Every Value reachable from `root` in depth-first order, each container visited once.

    Iterative, so deep nesting cannot hit the recursion limit.  With `avoid`, reaching that object
    raises _BackReference (used to tell a back-reference from a new sub-module).
    """
    found: list[Found] = []
    seen: set[int] = set()
    stack: list[tuple[Any, str, str]] = [(root, name, place)]
    while stack:
        obj, name, place = stack.pop()
        if isinstance(obj, Value):
            found.append((name, place, obj))
            continue
        if avoid is not None and obj is avoid:
            raise _BackReference
        if id(obj) in seen:
            continue
        children = _children(obj, name, place)
        if children:
            seen.add(id(obj))
            stack.extend(reversed(children))
    return found


def _children(obj: Any, name: str, place: str) -> list[tuple[Any, str, str]]:
    """The parts of `obj` that may hold parameters, with their dotted names and Python places."""
    if isinstance(obj, ParameterHolder):
        return [(attr, join(name, key), f"{place}.{key}") for key, attr in vars(obj).items()
                if not key.startswith("_")]
    if isinstance(obj, (list, tuple, deque)):
        return [(item, join(name, str(i)), f"{place}[{i}]") for i, item in enumerate(obj)]
    if isinstance(obj, Mapping):
        return [(item, join(name, _key_name(key, item, place)), f"{place}[{key!r}]")
                for key, item in obj.items()]
    if isinstance(obj, (set, frozenset)):
        if any(holds_parameters(item) for item in obj):
            raise TypeError(f"{place} keeps Values in a {type(obj).__name__}, which has no order, "
                            f"so its parameters could not be named, trained and saved reliably; "
                            f"use a list or a dict instead")
        return []
    if _is_object_array(obj):
        return [(obj[index], join(name, ".".join(map(str, index))) if index else name,
                 f"{place}[{', '.join(map(str, index))}]") for index in _indices(obj.shape)]
    return []


def holds_parameters(obj: Any) -> bool:
    """Whether `obj` is or contains a Value that the walk would find (sets included)."""
    if isinstance(obj, Value):
        return True
    if isinstance(obj, (set, frozenset)):
        return any(holds_parameters(item) for item in obj)
    try:
        return bool(walk(obj))
    except TypeError:
        return True  # it holds Values in a way the walk refuses: that is worth reporting


def may_hold_parameters(obj: Any) -> bool:
    """A cheap test: could `obj` hold parameters at all (so an attribute assignment walks it)?"""
    return isinstance(obj, (Value, ParameterHolder, list, tuple, deque, Mapping, set, frozenset)) \
        or _is_object_array(obj)


def _key_name(key: Any, item: Any, place: str) -> str:
    if isinstance(key, str) or (isinstance(key, numbers.Integral) and not isinstance(key, bool)):
        return str(key)
    if not holds_parameters(item):
        return repr(key)  # no parameter will carry this name, so any key is fine
    raise TypeError(f"{place}: parameter dict keys must be str or int, "
                    f"got {type(key).__name__}: {key!r}"[:200])


def _is_object_array(obj: Any) -> bool:
    numpy = sys.modules.get("numpy")  # no NumPy imported: no NumPy array can exist
    return numpy is not None and isinstance(obj, numpy.ndarray) and obj.dtype == object


def _indices(shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    import numpy

    return list(numpy.ndindex(*shape))


def join(path: str, name: str) -> str:
    """The dotted name of `name` inside `path`."""
    return f"{path}.{name}" if path else name


def unique_parameters(found: list[Found]) -> list[tuple[str, Value]]:
    """(name, Value) once per Value, refusing two different Values that share a dotted name."""
    by_value: set[int] = set()
    by_name: dict[str, tuple[str, Value]] = {}
    result = []
    for name, place, value in found:
        if id(value) in by_value:
            continue  # the same Value kept in two places: one parameter, under its first name
        other = by_name.get(name)
        if other is not None:
            raise ValueError(f"two different parameters are both named {name!r}: {other[0]} and "
                             f"{place}; rename one so that state_dict() and save() keep both")
        by_value.add(id(value))
        by_name[name] = (place, value)
        result.append((name, value))
    return result
