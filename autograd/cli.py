"""The `valuegrad` command (also `python -m autograd`)."""

from __future__ import annotations

import argparse
import sys

from .value import Value


def _demo() -> int:
    """Build micrograd's README expression, run backward, print the gradients."""
    a = Value(-4.0, label="a")
    b = Value(2.0, label="b")
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    print(f"g = {g.data:.4f}")
    print(f"dg/da = {a.grad:.4f}")
    print(f"dg/db = {b.grad:.4f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `valuegrad` console script."""
    parser = argparse.ArgumentParser(prog="valuegrad", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="run the demo")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return _demo()
    return 2


if __name__ == "__main__":
    sys.exit(main())
