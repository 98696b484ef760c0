"""Random programs over every op, run on whichever core this process has; every number as hex.

    VALUEGRAD_CORE=pure python tests/corerun.py PROGRAMS SEED    # prints one JSON document

tests/test_native_core.py runs this once per core and compares the two documents: every value,
every stored local derivative, every gradient of a backward pass (leaves and interior nodes), a
second derivative through create_graph and a value under no_grad, bit for bit.  Inputs mix
ordinary numbers with IEEE edge cases (signed zeros, subnormals, huge numbers, infinities, nan),
and each op is applied as a user writes it: operators with plain numbers on either side, ints,
methods, and the module functions.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # opmap, when run as a script

import opmap  # noqa: E402

import autograd  # noqa: E402
from autograd import OPS, Value, topological_order  # noqa: E402

EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -3.0, 1e-300, -1e-310, 5e-324, 1e300, -1e300,
         709.0, 710.0, -745.5, 36.0, -36.0, float("inf"), float("-inf"), float("nan")]
EXPONENTS = [2, 3, -1, 0.5, 1.5, -2.0, 0.0, 0, 1e300, -0.5]


def _hex(x: Any) -> str | None:
    return None if x is None else float(x).hex()


def _number(rng: random.Random) -> float:
    return rng.choice(EDGES) if rng.random() < 0.4 else rng.uniform(-4.0, 4.0)


def program(rng: random.Random) -> tuple[list[Value], Value]:
    """A random graph: leaves, then up to 12 ops on earlier nodes or plain numbers; its root."""
    leaves = [Value(_number(rng), label=f"x{k}") for k in range(rng.randint(1, 4))]
    nodes: list[Value] = list(leaves)
    for _ in range(rng.randint(1, 12)):
        name = rng.choice(opmap.NAMES)
        op = OPS[name]
        a = rng.choice(nodes)
        if op.arity == 1:
            nodes.append(opmap.on_values(name, a))
            continue
        if name == "**c":
            nodes.append(a ** rng.choice(EXPONENTS))
            continue
        kind = rng.random()
        if kind < 0.6:
            b: Any = rng.choice(nodes)
        elif kind < 0.8:
            b = _number(rng)
        else:
            b = rng.choice([2, -1, 0, 7])  # an int operand
        if not isinstance(b, Value) and rng.random() < 0.5:
            nodes.append(opmap.on_values(name, b, a))  # the number on the left
        else:
            nodes.append(opmap.on_values(name, a, b))
    return leaves, nodes[-1]


def record(leaves: list[Value], root: Value) -> dict[str, Any]:
    """Everything about one program's graph, as hex strings."""
    order = topological_order(root)
    root.backward()
    out: dict[str, Any] = {
        "nodes": [[v.op, _hex(v._data), [_hex(d) for d in v.local_grads], _hex(v.grad)]
                  for v in order],
        "leaves": [_hex(x.grad) for x in leaves],
    }
    first = autograd.grad(root, leaves[0], create_graph=True)
    out["second"] = [_hex(g) for g in autograd.grad(first, leaves)]
    with autograd.no_grad():
        frozen = opmap.on_values("*", root, leaves[0])
    out["no_grad"] = [_hex(frozen.data), frozen.is_leaf]
    return out


def main(count: int, seed: int) -> dict[str, Any]:
    """Run `count` programs from `seed`; the core's name and every program's record."""
    rng = random.Random(seed)
    return {"core": autograd.CORE,
            "programs": [record(*program(rng)) for _ in range(count)]}


if __name__ == "__main__":
    json.dump(main(int(sys.argv[1]), int(sys.argv[2])), sys.stdout)
