"""Every public function and method of both packages is typed and has a docstring."""

import importlib
import inspect
import pkgutil

import pytest

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


@pytest.mark.parametrize("name", sorted(CALLABLES))
def test_public_callable_is_typed_and_documented(name):
    fn = CALLABLES[name]
    assert (fn.__doc__ or "").strip(), f"{name} has no docstring"
    signature = inspect.signature(fn)
    untyped = [p for p, v in signature.parameters.items()
               if v.annotation is inspect.Parameter.empty and p not in ("self", "cls")]
    assert not untyped, f"{name}: parameters without a type hint: {untyped}"
    assert signature.return_annotation is not inspect.Signature.empty, f"{name}: no return type"
