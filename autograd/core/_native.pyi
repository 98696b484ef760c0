"""Types of the compiled core (_native.c), for the checkers that read native.py and value.py."""

from collections.abc import Callable
from typing import Any

class Node:
    """A Value's storage and arithmetic, in C (value.Value subclasses it)."""

# The op table's names the C core has a kernel for.
KERNELS: tuple[str, ...]
# The first 16 hex digits of the sha256 of the sources it was built from (setup.py).
SOURCE_HASH: str

def backward_pass(root: Any, seed: float, /) -> None: ...
def setup(value_class: type, special_modes: list[Any], special_node: Callable[..., Any],
          lift: Callable[[Any], Any], to_float: Callable[[Any], float], lifted: object,
          tracing: list[Any], trace_hook: Callable[..., None],
          data_number: Callable[[Any], float], /) -> None: ...
