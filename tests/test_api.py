"""Every public function and method of both packages has a docstring.

That each is typed is mypy's job (pyproject.toml: disallow_untyped_defs; tests/test_typing.py).
"""

import importlib
import inspect
import pkgutil

import autograd
import nn


def _public_callables():
    for package in (autograd, nn):
        prefix = f"{package.__name__}."
        modules = [package] + [importlib.import_module(info.name)
                               for info in pkgutil.walk_packages(package.__path__, prefix)
                               if not info.name.endswith("__main__")]
        for module in modules:
            for name, obj in vars(module).items():
                if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                    continue
                if inspect.isfunction(obj):
                    yield f"{module.__name__}.{name}", obj
                elif inspect.isclass(obj):
                    for attr, member in vars(obj).items():
                        member = member.fget if isinstance(member, property) else member
                        if inspect.isfunction(member) and (not attr.startswith("_")
                                                           or attr == "__call__"):
                            yield f"{module.__name__}.{name}.{attr}", member


CALLABLES = dict(_public_callables())


def test_public_callables_are_found():
    assert {"autograd.core.value.Value.backward", "autograd.core.op_functions.maximum",
            "autograd.core.backward.grad", "nn.training.train.fit"} <= CALLABLES.keys()


def test_every_public_callable_has_a_docstring():
    undocumented = [name for name, fn in sorted(CALLABLES.items())
                    if not (fn.__doc__ or "").strip()]
    assert not undocumented, f"no docstring: {undocumented}"
