"""The `valuegrad` command (also `python -m autograd`): draw or explain an expression (+ nn demo).

    valuegrad graph "tanh(x*w + b)" x=2 w=-3 b=6.8813735870195432 -o neuron.svg
    valuegrad explain "tanh(x*w + b)" x=2 w=-3 b=6.8813735870195432 --paths w
    valuegrad demo --out demo-output

Expressions are read with Python's `ast` and a whitelist (numbers, names, + - * / **, unary -,
parentheses, calls of the functions below); nothing is ever passed to eval.  Exit codes: 0 done,
1 the work failed (no renderer, cannot write a file, ...), 2 the command line is wrong (unknown
option, bad expression, missing or unused variable).
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections.abc import Callable
from typing import Any

from ..core.value import Value
from .expression import (  # ExpressionError, parse_expression: re-exported, as before the split
    FUNCTIONS,
    ExpressionError,  # noqa: F401
    build,
    parse_expression,  # noqa: F401
)
from .output import PAGE_SUFFIXES, UsageError, check_output_path, say, silence_stdout

# --- subcommands ----------

OUTPUT_SUFFIXES = (".svg", ".png", ".dot", ".gv")


def _cmd_graph(args: argparse.Namespace) -> int:
    from ..viz.draw import draw

    if not args.dot:  # checked first: a wrong name is a usage error, not a failure after work
        check_output_path("-o", args.output, (".svg", ".png", ".dot"))
    sources: dict[Value, str] = {}
    root, _ = build(args.expression, args.values, sources)
    root.backward()
    graph = draw(root, rankdir=args.rankdir, names=sources)
    if args.dot:
        say(graph.source, end="")
        return 0
    target = graph.save(args.output)
    say(f"wrote {target} (value {root.data:.6g})")
    return 0


def _cmd_explain(args: argparse.Namespace) -> int:
    from ..explanations.explain import explain

    if args.step_through:
        check_output_path("--step-through", args.step_through, PAGE_SUFFIXES)
    sources: dict[Value, str] = {}
    root, values = build(args.expression, args.values, sources)
    for name in args.paths:  # before printing anything: a usage error leaves stdout empty
        if unicodedata.normalize("NFKC", name) not in values:
            raise UsageError(f"--paths {name}: not a variable of the expression")
    ex = explain(root, names=sources)
    if args.markdown:
        say(ex.to_markdown(), end="")
    else:
        say(ex.table(all=True))
    for name in args.paths:
        name = unicodedata.normalize("NFKC", name)
        say()
        say(str(ex.paths(values[name], max_paths=args.max_paths)))
    if args.step_through:
        from ..stepthrough.steps import step_through

        again: dict[Value, str] = {}
        root2, _ = build(args.expression, args.values, again)
        page = step_through(root2, names=again).save(args.step_through)
        say(f"\nwrote {page}")
    return 0


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}") \
            from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return n


CommandAdder = Callable[[Any, Callable[[str], int]], None]


def _parser(extra_commands: tuple[CommandAdder, ...] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="valuegrad", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="See every gradient: draw and explain backpropagation with actual numbers.",
        epilog="functions: " + ", ".join(FUNCTIONS) + "\n"
               "an expression starting with - goes after -- (options before it):\n"
               "  valuegrad explain --paths x -- \"-x*y\" x=1 y=2\n"
               "exit codes: 0 done, 1 failed, 2 wrong command line")
    from .. import __version__
    from ..core import native

    parser.add_argument("--version", action="version",
                        version=f"valuegrad {__version__}, on {native.DESCRIPTION}",
                        help="print the version and exit (and which core runs)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    values_help = "a number for each variable of the expression, e.g. x=2 w=-3"

    graph = sub.add_parser("graph", help="draw an expression's graph after backward")
    graph.add_argument("expression", help='e.g. "tanh(x*w + b)"')
    graph.add_argument("values", nargs="*", metavar="NAME=NUMBER", help=values_help)
    graph.add_argument("-o", "--output", default="graph.svg",
                       help="file to write: .svg, .png or .dot (default graph.svg; checked "
                            "before any work)")
    graph.add_argument("--rankdir", choices=["LR", "TB"], default="LR", help="layout direction")
    graph.add_argument("--dot", action="store_true", help="print DOT text instead (no renderer)")
    graph.set_defaults(run=_cmd_graph)

    expl = sub.add_parser("explain", help="print the backward pass step by step")
    expl.add_argument("expression", help='e.g. "tanh(x*w + b)"')
    expl.add_argument("values", nargs="*", metavar="NAME=NUMBER", help=values_help)
    expl.add_argument("--markdown", action="store_true", help="print a Markdown table")
    expl.add_argument("--paths", action="append", default=[], metavar="NAME",
                      help="also list every chain-rule path to this variable (repeatable)")
    expl.add_argument("--max-paths", type=_positive, default=100,
                      help="list at most this many paths per --paths (default 100; all are "
                           "counted)")
    expl.add_argument("--step-through", metavar="FILE.html",
                      help="also write a step-by-step HTML page (checked before any work)")
    expl.set_defaults(run=_cmd_explain)

    for add in extra_commands:  # commands from the layer above (nn adds `demo`)
        add(sub, _positive)
    return parser


def main(argv: list[str] | None = None, extra_commands: tuple[CommandAdder, ...] = ()) -> int:
    """Entry point of the command; returns the exit code.

    extra_commands: functions ``add(subparsers, positive_int)`` that add subcommands whose
    ``run`` default does the work (``nn.cli`` adds ``demo`` this way: the engine imports no nn).
    """
    from ..viz.draw import GraphTooLargeError
    from ..viz.render import RendererNotFoundError, RenderError

    parser = _parser(extra_commands)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed the problem (or the help)
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return args.run(args)
    except BrokenPipeError:
        # The reader went away (`valuegrad explain ... | head`): stop quietly.  Point stdout at
        # devnull so Python's final flush does not complain about the closed pipe either.
        silence_stdout()
        return 0
    except UsageError as exc:
        say(f"valuegrad {args.command}: error: {exc}", stream=sys.stderr)
        return 2
    except (RendererNotFoundError, RenderError, GraphTooLargeError, OSError) as exc:
        say(f"valuegrad {args.command}: error: {exc}", stream=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
