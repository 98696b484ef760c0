"""Pause Python's cyclic garbage collector while a big walk allocates many small objects.

Explaining a 100,000-node graph creates hundreds of thousands of tuples; each few hundred
allocations make the collector traverse every live object, Values included, which costs far more
than the walk itself.  The walks create no reference cycles, so nothing waits for the collector.
The same holds for ``compile`` (tracing and building a large replay: the collector took about
half the time) and ``nn.fit`` (a step allocates tens of thousands of Values: it about doubled
the time per step); memory is still freed by reference counting.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_depth = 0  # nested or concurrent pauses: only the outermost one switches the collector back on
_was_enabled = True


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Within the block the cyclic collector is off (unless it already was); restored after."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
