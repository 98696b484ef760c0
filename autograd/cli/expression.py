"""Expressions typed on the command line: read with Python's `ast` against a whitelist, checked,
evaluated into Values.

Allowed: numbers, names, + - * / **, unary -, parentheses and calls of the op table's functions
(FUNCTIONS); nothing is ever passed to eval.  A mistake is an ExpressionError (a UsageError: exit
code 2) pointing at its column.
"""

from __future__ import annotations

import ast
import math
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from ..core.op_functions import apply
from ..core.ops import OPS, Op
from ..core.value import Value
from ..output.escape import INVISIBLE as _INVISIBLE
from .output import UsageError

MAX_EXPRESSION_CHARS = 500
MAX_EXPRESSION_NODES = 200  # ast nodes; keeps graphs drawable and evaluation shallow



def _callable_ops() -> dict[str, Op]:
    """The functions an expression may call, from the op table: each op's function name, or the
    name of an op written as a word (abs)."""
    table = {}
    for op in OPS.values():
        name = op.function or (op.name if op.name.isidentifier() and op.method else None)
        if name and name != "neg":  # -x is written with the operator
            table[name] = op
    return dict(sorted(table.items()))


# name -> the op table entry an expression's call of that name applies.
FUNCTIONS: dict[str, Op] = _callable_ops()
_BINARY: dict[type, Callable[[Value, Value], Value]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}
_SYMBOLS = {ast.BitXor: "^ (use ** for powers)", ast.FloorDiv: "//", ast.Mod: "%",
            ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|", ast.LShift: "<<",
            ast.RShift: ">>"}


class ExpressionError(UsageError):
    """The expression is not allowed or not valid; `column` (0-based) says where."""

    def __init__(self, message: str, text: str, column: int | None) -> None:
        self.message = message
        self.text = text
        self.column = column
        where = f"column {column + 1}: " if column is not None else ""
        pointer = f"\n  {text}\n  {' ' * column}^" if column is not None else ""
        super().__init__(f"in the expression, {where}{message}{pointer}")


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text, tree, and the variable names it uses (first use first)."""

    text: str
    tree: ast.expr
    names: tuple[str, ...]

    def evaluate(self, values: dict[str, Value],
                 sources: dict[Value, str] | None = None) -> Value:
        """Compute the expression on Values (every name in `names` must be given).

        `sources`, if given, receives each computed node's own text (``x*w`` of ``x*w + b``),
        so explanations and drawings can name nodes as the user wrote them.
        """
        return _evaluate(self.tree, values, sources, self.text)


def _chars(text: str, byte_offset: int | None) -> int:
    # ast gives byte offsets into the UTF-8 text; the pointer needs characters.
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "ignore"))


def _column(text: str, node: ast.expr) -> int:
    return _chars(text, node.col_offset)


def _operator_column(text: str, node: ast.BinOp) -> int:
    """Where the operator symbol of a binary operation sits (after the left operand's parens)."""
    i = _chars(text, node.left.end_col_offset)
    end = _column(text, node.right)
    while i < end and text[i] in " )":
        i += 1
    return i


def parse_expression(text: str) -> Expression:
    """Check an expression against the whitelist and return it, or raise ExpressionError."""
    if not isinstance(text, str):
        raise TypeError(f"expression must be a str, got {type(text).__name__}")
    if not text.strip():
        raise ExpressionError("the expression is empty", text, None)
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ExpressionError(f"the expression has {len(text)} characters; the limit is "
                              f"{MAX_EXPRESSION_CHARS}", text[:60] + "…", None)
    for i, ch in enumerate(text):
        # Control and bidi characters (an escape sequence in a comment) would reach the terminal
        # through the printed label or the error's own pointer line, so the text is not echoed.
        if ((ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0) and ch not in "\n\r\t") \
                or ch in _INVISIBLE:
            raise ExpressionError(f"column {i + 1}: the character U+{ord(ch):04X} is not allowed",
                                  "", None)
    if "\n" in text or "\r" in text:
        raise ExpressionError("the expression must be one line", text.replace("\n", " "),
                              min(i for i in (text.find("\n"), text.find("\r")) if i >= 0))
    try:
        with warnings.catch_warnings():
            # e.g. "invalid escape sequence" in a string literal: it is refused below anyway.
            warnings.simplefilter("ignore")
            tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        if exc.offset:
            column, where = max(0, min(exc.offset - 1, len(text))), ""
        else:  # Python reports offset 0 when the text ends too early ("x*")
            column, where = len(text), " (the expression ends too early)"
        raise ExpressionError(f"syntax error: {exc.msg}{where}", text, column) from None
    except (RecursionError, MemoryError, ValueError) as exc:  # absurd nesting, NUL bytes
        raise ExpressionError(f"cannot parse it: {type(exc).__name__}", text, None) from None
    count = sum(1 for _ in ast.walk(tree))
    if count > MAX_EXPRESSION_NODES:
        raise ExpressionError(f"the expression has {count} parts; the limit is "
                              f"{MAX_EXPRESSION_NODES}", text, None)
    names: list[str] = []
    _check(tree.body, text, names)
    return Expression(text, tree.body, tuple(names))


def _check(node: ast.expr, text: str, names: list[str]) -> None:
    """Walk the tree, allowing only whitelisted nodes; collect variable names."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Constant):
            if isinstance(n.value, bool) or not isinstance(n.value, (int, float)):
                raise ExpressionError(f"only numbers are allowed as constants, not "
                                      f"{n.value!r}"[:120], text, _column(text, n))
            if isinstance(n.value, int) and abs(n.value) > 10**300:
                raise ExpressionError("this number is too large", text, _column(text, n))
            if isinstance(n.value, float) and not math.isfinite(n.value):
                # Python reads 1e999 as inf without complaint; the table would be all inf/nan.
                raise ExpressionError("this number is too large", text, _column(text, n))
        elif isinstance(n, ast.Name):
            if n.id in FUNCTIONS:  # a called function is checked under Call, never reached here
                raise ExpressionError(f"{n.id} is a function: call it as {n.id}(...)", text,
                                      _column(text, n))
            names.append(n.id)
        elif isinstance(n, ast.BinOp):
            if type(n.op) not in _BINARY:
                symbol = _SYMBOLS.get(type(n.op), type(n.op).__name__)
                raise ExpressionError(f"the operator {symbol} is not allowed", text,
                                      _operator_column(text, n))
            stack += [n.right, n.left]
        elif isinstance(n, ast.UnaryOp):
            if not isinstance(n.op, (ast.USub, ast.UAdd)):
                raise ExpressionError("only unary - and + are allowed", text, _column(text, n))
            stack.append(n.operand)
        elif isinstance(n, ast.Call):
            if not isinstance(n.func, ast.Name):
                raise ExpressionError("only calls of the known functions are allowed ("
                                      + ", ".join(FUNCTIONS) + ")", text, _column(text, n))
            if n.func.id not in FUNCTIONS:
                raise ExpressionError(f"unknown function {n.func.id!r} (known: "
                                      + ", ".join(FUNCTIONS) + ")", text, _column(text, n))
            arity = FUNCTIONS[n.func.id].arity
            if (len(n.args) != arity or n.keywords
                    or any(isinstance(a, ast.Starred) for a in n.args)):
                count = "one argument" if arity == 1 else f"{arity} arguments"
                raise ExpressionError(f"{n.func.id}() takes exactly {count}", text,
                                      _column(text, n))
            stack += reversed(n.args)
        elif isinstance(n, ast.Attribute):
            raise ExpressionError("attribute access (.) is not allowed", text,
                                  _chars(text, n.value.end_col_offset))
        else:
            raise ExpressionError(f"{type(n).__name__} is not allowed here (only numbers, names, "
                                  "+ - * / **, parentheses and function calls)", text,
                                  _column(text, n))
    # Report variable names (not called functions) in the order they are written.
    called = {id(n.func) for n in ast.walk(node) if isinstance(n, ast.Call)}
    first: dict[str, int] = {}
    for name in ast.walk(node):
        if isinstance(name, ast.Name) and id(name) not in called:
            first[name.id] = min(first.get(name.id, name.col_offset), name.col_offset)
    names[:] = sorted(first, key=first.__getitem__)


def _evaluate(node: ast.expr, values: dict[str, Value], sources: dict[Value, str] | None = None,
              text: str = "") -> Value:
    if isinstance(node, ast.Constant):
        # _check let only real numbers through as constants.
        return Value(float(node.value), requires_grad=False)  # type: ignore[arg-type]
    if isinstance(node, ast.Name):
        return values[node.id]

    def sub(child: ast.expr) -> Value:
        return _evaluate(child, values, sources, text)

    if isinstance(node, ast.BinOp):
        out = _BINARY[type(node.op)](sub(node.left), sub(node.right))
    elif isinstance(node, ast.UnaryOp):
        operand = sub(node.operand)
        out = -operand if isinstance(node.op, ast.USub) else operand
    elif isinstance(node, ast.Call):
        # _check let only calls of a name through.
        out = apply(FUNCTIONS[node.func.id].name,  # type: ignore[attr-defined]
                    *[sub(a) for a in node.args])
    else:
        raise AssertionError(f"unchecked node {type(node).__name__}")  # _check rejects the rest
    if sources is not None and not out.is_leaf and out not in sources:
        segment = ast.get_source_segment(text, node)
        if segment:
            sources[out] = " ".join(segment.split())  # one line, single spaces
    return out


def parse_assignments(items: list[str], expression: Expression) -> dict[str, Value]:
    """Turn NAME=NUMBER words into labelled leaves; every expression name must get one."""
    values: dict[str, Value] = {}
    for item in items:
        name, sep, number = item.partition("=")
        # Python folds names to NFKC (the fullwidth ｘ is x), so the expression's names are folded.
        name = unicodedata.normalize("NFKC", name.strip())
        if not sep or not name:
            raise UsageError(f"expected NAME=NUMBER, got {item!r}")
        if not name.isidentifier():
            raise UsageError(f"{name!r} is not a valid variable name")
        if name in values:
            raise UsageError(f"{name} is given twice")
        try:
            data = float(number)
        except ValueError:
            raise UsageError(f"{name}={number!r}: not a number") from None
        if not math.isfinite(data):
            raise UsageError(f"{name}={number!r}: give a finite number (not nan or inf)")
        values[name] = Value(data, label=name)
    missing = [n for n in expression.names if n not in values]
    if missing:
        raise UsageError("no value for " + ", ".join(missing) + ": pass "
                         + " ".join(f"{n}=NUMBER" for n in missing))
    unused = [n for n in values if n not in expression.names]
    if unused:
        raise UsageError(", ".join(unused) + (" is" if len(unused) == 1 else " are")
                         + " not used in the expression " + repr(expression.text))
    return values


def build(expression_text: str, assignments: list[str],
          sources: dict[Value, str] | None = None) -> tuple[Value, dict[str, Value]]:
    """Parse, evaluate and label the result of an expression given on the command line.

    `sources`, if given, receives the source text of every sub-expression's node.
    """
    expression = parse_expression(expression_text)
    values = parse_assignments(assignments, expression)
    result = expression.evaluate(values, sources)
    if result.is_leaf:
        # A bare name or number: wrap it so there is one operation to draw and explain.
        result = result * 1.0
    text = expression.text.strip()
    result.label = text if len(text) <= 30 else "result"
    return result, values
