"""A griffe extension: the reference shows what the op table makes, read from the table itself.

Value's operator methods (``__add__``, ``tanh``, ...) and the module-level functions
(``autograd.exp``, ``autograd.maximum``, ...) are made from ``autograd.core.ops.OPS`` when the
package is imported, so griffe's static analysis of the source does not see them.  This extension
adds one entry per op to the loaded package, with the signature and the one-line doc the table
gives -- the same text ``help()`` shows -- and leaves alone any name the source already defines.
"""

from __future__ import annotations

from typing import Any

import griffe


def _parameters(names: list[str]) -> griffe.Parameters:
    return griffe.Parameters(*(
        griffe.Parameter(name, annotation="Value | float" if name != "self" else None,
                         kind=griffe.ParameterKind.positional_or_keyword) for name in names))


def _function(name: str, params: list[str], doc: str, parent: Any) -> griffe.Function:
    function = griffe.Function(name, parameters=_parameters(params), returns="Value",
                               docstring=griffe.Docstring(doc), parent=parent)
    function.runtime = False  # made from the op table at import, not written in the source
    return function


class OpTable(griffe.Extension):
    """Add the op table's methods to ``Value`` and its functions to ``autograd``."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        if pkg.name != "autograd":
            return
        from autograd.core import ops  # the table, as the package builds it

        value = pkg["core.value.Value"]
        for op in ops.OPS.values():
            operands = ["self"] if op.arity == 1 else ["self", "other"]
            for method, doc in ((op.method, op.doc),
                                (op.reflected, f"{op.doc}, with a plain number on the left.")):
                if method and method not in value.members:
                    value.set_member(method, _function(method, operands, doc, value))
            if op.function and op.function not in pkg.members:
                args = ["x"] if op.arity == 1 else ["x", "y"]
                pkg.set_member(op.function, _function(
                    op.function, args, f"{op.doc} For a Value or a number.", pkg))
