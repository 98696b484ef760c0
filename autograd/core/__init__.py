"""The engine's core: Value, the op table, the walk, backward, modes, the functional face.

The modules form one chain, each importing only those below it (tests/test_architecture.py):
checks, ieee, kernels < ops < value < modes < op_functions < graph < graphbreak < backward <
fresh < functional.
value.py names nothing above it (its operators are written out in it, from the op table); this
file wires what a Value's own methods reach up for: the node maker of no_grad and
detect_anomaly blocks (modes.py), the backward pass, and float()'s check for math.exp(x) & co.
(graphbreak.py).
"""

from .backward import backward as _backward
from .graphbreak import taken as _taken
from .modes import special_node as _special_node
from .value import connect as _connect

_connect(backward=_backward, special_node=_special_node, number_taken=_taken)
