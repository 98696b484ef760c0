"""The engine's core: Value, the op table, the walk, backward, modes, the functional face.

The modules form one chain, each importing only those below it (tests/test_architecture.py):
checks, ieee, kernels < ops < value < modes < methods < graph < backward < functional.
value.py names nothing above it; this file wires the two things a Value's own methods reach up
for: its operators (methods.py installs them on import) and its backward pass.
"""

from . import methods as methods  # gives Value its operators (x + y, x.tanh(), ...)
from .backward import backward as _backward
from .value import connect as _connect

_connect(backward=_backward)
