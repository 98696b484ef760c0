"""The `valuegrad` console script: autograd's commands plus `demo`, which needs nn.

The engine's command line (autograd.cli) imports nothing from nn; this entry adds the demo to it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo(out=Path(args.out), steps=args.steps, seed=args.seed, samples=args.samples)


def add_demo(sub: Any, positive: Callable[[str], int]) -> None:
    """Add the `demo` subcommand to the command's subparsers."""
    demo = sub.add_parser("demo", help="train a small MLP on two moons and save pictures")
    demo.add_argument("--out", default="valuegrad-demo", help="output folder")
    demo.add_argument("--steps", type=positive, default=None,
                      help="training steps (default: a short run of a few seconds)")
    demo.add_argument("--samples", type=positive, default=100, help="moons data points")
    demo.add_argument("--seed", type=int, default=0,
                      help="seed of the data and the initial weights (default 0)")
    demo.set_defaults(run=_cmd_demo)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `valuegrad` console script (and `python -m nn`); the exit code."""
    from autograd.cli import main as engine_main

    return engine_main(argv, extra_commands=(add_demo,))
