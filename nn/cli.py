"""The `valuegrad` console script: autograd's commands plus `demo`, which needs nn.

The engine's command line (autograd.cli.main) imports nothing from nn; this entry adds the demo.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo(out=Path(args.out), steps=args.steps, seed=args.seed, samples=args.samples)


# Each moons point adds about 700 nodes (roughly 130 kB) to every training step's graph, so the
# demo's 100 points build 13 MB per step; 10,000 points build 1.3 GB and take minutes per step.
MAX_DEMO_SAMPLES = 10_000


def _demo_samples(positive: Callable[[str], int]) -> Callable[[str], int]:
    """The --samples parser: a positive whole number, at most MAX_DEMO_SAMPLES."""
    def parse(text: str) -> int:
        n = positive(text)
        if n > MAX_DEMO_SAMPLES:
            raise argparse.ArgumentTypeError(
                f"at most {MAX_DEMO_SAMPLES:,} points, got {n:,}: each point adds about 700 graph "
                f"nodes (130 kB) to every training step, so {n:,} would need about "
                f"{n * 130_000 / 1e9:,.0f} GB")
        return n

    return parse


def add_demo(sub: Any, positive: Callable[[str], int]) -> None:
    """Add the `demo` subcommand to the command's subparsers."""
    demo = sub.add_parser("demo", help="train a small MLP on two moons and save pictures")
    demo.add_argument("--out", default="valuegrad-demo", help="output folder")
    demo.add_argument("--steps", type=positive, default=None,
                      help="training steps (default: a short run of a few seconds)")
    demo.add_argument("--samples", type=_demo_samples(positive), default=100,
                      help=f"moons data points (at most {MAX_DEMO_SAMPLES:,})")
    demo.add_argument("--seed", type=int, default=0,
                      help="seed of the data and the initial weights (default 0)")
    demo.set_defaults(run=_cmd_demo)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `valuegrad` console script (and `python -m nn`); the exit code."""
    from autograd.cli.main import main as engine_main

    return engine_main(argv, extra_commands=(add_demo,))
