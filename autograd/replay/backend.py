"""Backend choice for compiled replay: python, numpy or loop, from the trace's size and shape.

``backend="auto"`` takes numpy when it is installed and a NumPy call would cover at least
AUTO_MIN_GROUP nodes on average, generated Python for other graphs up to AUTO_GENERATE_AT_ONCE
slots, the loop backend up to AUTO_MAX_GENERATED slots (generating Python once the function
has been called AUTO_GENERATE_AFTER times), and the loop backend beyond (or for graphs too deep
and narrow to group).  An explicit
backend is honoured; asking for numpy without NumPy installed is an ImportError.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .trace import Trace

if TYPE_CHECKING:
    from .numpy_plan import Plan

BACKENDS = ("auto", "python", "numpy", "loop")

# "auto" picks numpy when a NumPy call covers at least this many nodes on average.  Measured on
# 2 cores: a group costs about 8 us per call, a generated line about 80-300 ns per node.
AUTO_MIN_GROUP = 128


# "auto" generates Python for graphs up to this many slots and takes the loop backend beyond:
# compiling generated code costs some 50 us per line, so a 10^6-node graph would take minutes.
AUTO_MAX_GENERATED = 20_000

# Generating Python costs some 30 times what eager build + backward cost per node, and pays off
# only over many calls.  So beyond this many slots "auto" starts with the loop backend (built in
# one pass) and generates Python on the AUTO_GENERATE_AFTER-th call (replay_program): a replay
# of generated Python saves about 1 us a node per call over the loop, so some 40 calls repay it.
AUTO_GENERATE_AT_ONCE = 2_000
AUTO_GENERATE_AFTER = 32


def _choose_backend(backend: str, tr: Trace) -> tuple[str, Plan | None]:
    """The backend a trace is built with, and the numpy backend's plan when that is the one."""
    if backend == "loop" or (backend == "auto" and tr.size > AUTO_MAX_GENERATED
                             and _narrow(tr)):
        return "loop", None  # (a narrow graph is not worth grouping for NumPy at all)
    plan = _numpy_plan(backend, tr)
    if plan is not None:
        return "numpy", plan
    if backend == "auto" and tr.size > AUTO_GENERATE_AT_ONCE:
        return "loop", None  # and generated later if fn is called often (up to the maximum)
    return "python", None


def generates_later(backend: str, chosen: str, tr: Trace) -> bool:
    """Whether "auto" started this trace on the loop backend and is to generate Python later."""
    return backend == "auto" and chosen == "loop" and tr.size <= AUTO_MAX_GENERATED


def _narrow(tr: Trace) -> bool:
    """Whether the graph is so deep for its size that NumPy groups would hold a few nodes each."""
    first, second = tr.first.tolist(), tr.second.tolist()
    level = [0] * (tr.size + 1)  # NO_SLOT (-1) reads the spare last entry, 0
    for i, op in enumerate(tr.op):
        if op is not None:
            a, b = level[first[i]], level[second[i]]
            level[i] = 1 + (a if a >= b else b)
    return tr.size < 8 * (max(level) + 1)


def _numpy_plan(backend: str, tr: Trace) -> Plan | None:
    """The numpy backend's plan if that backend is to be used, else None (python backend)."""
    if backend == "python":
        return None
    try:
        from .numpy_plan import Plan, group_nodes, mean_group_size
    except ImportError as missing:  # NumPy is an optional dependency
        if backend == "numpy":
            raise ImportError("compile: backend='numpy' needs NumPy (pip install numpy)") \
                from missing
        return None
    groups = group_nodes(tr)
    if backend == "auto" and mean_group_size(tr, groups) < AUTO_MIN_GROUP:
        return None
    return Plan(tr, groups)
