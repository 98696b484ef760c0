"""Module: the base of every network -- finds its parameters, names them, freezes and loads them."""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from autograd import Value

from .discovery import (
    ParameterHolder,
    _BackReference,
    may_hold_parameters,
    unique_parameters,
    walk,
)
from .io import load_state_dict, parameter_number, save_state_dict

_M = TypeVar("_M", bound="Module")  # __new__ returns the subclass it makes (MLP(...) is an MLP)


class Module(ParameterHolder):
    """Base class for networks: parameters, dotted names, zero_grad, freeze, state_dict, save/load.

    A Module's parameters are the Values it keeps in its public attributes, directly or in lists,
    tuples, deques, dicts (by key) and NumPy object arrays, plus those of the Modules it keeps the
    same way (see nn/discovery.py).  Their dotted names follow that path: attribute ``w`` of
    neuron 1 of layer 0 is ``layers.0.neurons.1.w.0``.  Attributes are visited in the order they
    were first assigned, so names and order are stable.  A subclass that defines ``forward`` is
    callable, as in PyTorch: ``model(x)`` runs ``model.forward(x)``.
    """

    def __new__(cls: type[_M], *args: Any, **kwargs: Any) -> _M:
        """Create the module and note it (weakly) so drawings can name its nodes later."""
        module = super().__new__(cls)
        try:
            with _live_lock:
                _LIVE[id(module)] = module
        except TypeError:
            pass  # a subclass with __slots__ and no __weakref__: drawn without module names
        return module

    def __setattr__(self, name: str, value: Any) -> None:
        # Label the parameters of what is assigned at once, so that a sub-module's parameters
        # carry their dotted names (``mlp.layers.0...``) without a label_parameters() call.
        if not name.startswith("_") and may_hold_parameters(value):
            try:
                found = walk(value, name, f"self.{name}", avoid=self)
            except _BackReference:
                found = []  # e.g. ``self.child.owner = self``: its labels come from the outside
            # A Value kept in several places is named after the first (as named_parameters()
            # names it), so it is labelled after that one too: not after this attribute if
            # another one holds it already, and after its first place within this one.
            taken = self._held_by_others(name) if found else set()
            for dotted, _, param in found:
                if id(param) not in taken:
                    param.label = dotted
                    taken.add(id(param))
        object.__setattr__(self, name, value)

    def _held_by_others(self, name: str) -> set[int]:
        """ids of the Values this module keeps in public attributes other than `name`."""
        held: set[int] = set()
        for key, attr in vars(self).items():
            if key != name and not key.startswith("_") and may_hold_parameters(attr):
                try:
                    held.update(id(p) for _, _, p in walk(attr, key, f"self.{key}", avoid=self))
                except _BackReference:
                    pass
        return held

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` (PyTorch's convention); MLP, Layer and Neuron define their own call."""
        forward = getattr(self, "forward", None)
        if forward is None:
            raise TypeError(f"{type(self).__name__} is not callable: define a forward() method "
                            f"(as in PyTorch) or __call__")
        return forward(*args, **kwargs)

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(dotted name, Value) for every parameter, each shared Value listed once.

        Two different Values with the same dotted name (``{1: a, "1": b}``) raise a ValueError
        naming both places.  A parameter found under a longer name than its label (a module
        appended to a list after it was built) takes that name as its label; a shorter one, as
        from a sub-module, leaves the fuller label alone.  A Value kept in several places is
        named, and labelled, after the first.
        """
        places = walk(self)
        found = unique_parameters(places)
        # Every dotted name each Value is kept under: a label naming one of its other places
        # (set before the first place was assigned, say) gives way to the name it is listed by.
        aliases: dict[int, set[str]] = {}
        for name, _, value in places:
            aliases.setdefault(id(value), set()).add(name)
        for name, value in found:
            label = value.label
            if label != name and (not label or name.endswith("." + label)
                                  or label in aliases[id(value)]):
                value.label = name
        return found

    def parameters(self) -> list[Value]:
        """Every parameter Value, in the order of named_parameters()."""
        return [value for _, value in self.named_parameters()]

    def label_parameters(self) -> None:
        """Set each parameter's label to its dotted name within this module (overwriting)."""
        for name, value in self.named_parameters():
            value.label = name

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 (leaf gradients accumulate across backward())."""
        for value in self.parameters():
            value.grad = 0.0

    def freeze(self, names: Iterable[str] | None = None) -> None:
        """Stop gradients (and optimiser updates) for the named parameters, or for all of them."""
        for value in self._select(names):
            value.requires_grad = False

    def unfreeze(self, names: Iterable[str] | None = None) -> None:
        """Let the named parameters (or all of them) take gradients again."""
        for value in self._select(names):
            value.requires_grad = True

    def _select(self, names: Iterable[str] | None) -> list[Value]:
        params = dict(self.named_parameters())
        if names is None:
            return list(params.values())
        if isinstance(names, str):  # a lone name would otherwise be split into characters
            names = [names]
        chosen = []
        for name in names:
            if name not in params:
                raise ValueError(f"{type(self).__name__} has no parameter named {name!r}; "
                                 f"names look like {next(iter(params), '(none)')!r}")
            chosen.append(params[name])
        return chosen

    # --- weights as data ----------

    def state_dict(self) -> dict[str, float]:
        """Every parameter's number by dotted name (a plain dict, ready for JSON)."""
        return {name: value.data for name, value in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Set every parameter from `state` (as made by state_dict()); nothing changes on error.

        The keys must be exactly this model's parameter names and every entry a finite number;
        otherwise a ValueError names the offending parameter.
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict needs a dict of name -> number, "
                            f"got {type(state).__name__}")
        params = self.named_parameters()
        names = {name for name, _ in params}
        missing = [name for name, _ in params if name not in state]
        unexpected = [name for name in state if name not in names]
        if missing or unexpected:
            raise ValueError(_key_mismatch(type(self).__name__, missing, unexpected))
        # Check everything before writing anything, so a bad entry leaves the model untouched.
        numbers_ = [(value, parameter_number(name, state[name])) for name, value in params]
        for value, number in numbers_:
            value.data = number

    def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> None:
        """Write the weights to a JSON file (atomically: an interrupted save keeps the old file).

        A read-only file at `path` is replaced only with ``overwrite=True``; see nn/io.py.
        """
        save_state_dict(self.state_dict(), path, overwrite=overwrite)

    def load(self, path: str | os.PathLike[str]) -> None:
        """Read weights written by save() into this model (same architecture required)."""
        self.load_state_dict(load_state_dict(path))

    def diagram(self, x: Any = None, target: Any = None, loss: Any = None,
                names: Mapping[str, str] | None = None, lr: float | None = None) -> Any:
        """The network diagram of this model on sample `x` (see nn.diagram)."""
        return _pictures.diagram(self, x, target, loss=loss, names=names, lr=lr)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """Jupyter display: the network diagram of the parameters (no made-up inputs)."""
        return _pictures.mimebundle(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.parameters())} parameters)"


# Every Module alive, held weakly: nn.viz.describe reads it when a graph is drawn or explained.
# Why it must exist: a drawing starts from Values, and a Value keeps no reference to the modules
# holding it (slots only, no back-pointers, so a graph costs nothing extra per node and is freed
# by reference counting); the only way from a parameter to its name ``layers.0.neurons.1.w.0`` is
# from the modules to their parameters.  Why it is bounded: weak references, so it holds exactly
# the modules the program still holds, never keeps one alive, and costs one dict insertion per
# Module made (none per operation).  Keyed by id, so a Module that defines __eq__ or __hash__ is
# never asked for them.  The lock makes a snapshot safe while other threads build modules.
_LIVE: weakref.WeakValueDictionary[int, Module] = weakref.WeakValueDictionary()
_live_lock = threading.Lock()


def live_modules() -> list[Module]:
    """Every Module object that still exists (for naming the nodes of drawn graphs)."""
    with _live_lock:
        return list(_LIVE.values())


def _key_mismatch(model: str, missing: list[str], unexpected: list[str]) -> str:
    parts = []
    if missing:
        parts.append(f"missing parameter(s) {_short_list(missing)}")
    if unexpected:
        parts.append(f"unexpected parameter(s) {_short_list(unexpected)}")
    return (f"weights do not fit this {model} (wrong shape or a different architecture): "
            + "; ".join(parts))


def _short_list(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


# --- the pictures a Module shows, from nn.viz above this module ----------
# module.py imports nothing from nn.viz (tests/test_architecture.py): nn/__init__.py hands it the
# diagram functions when nn loads (they import nn.viz, with graphviz, on first use).

class _Pictures:
    """What Module.diagram() and Module._repr_mimebundle_() call."""

    diagram: Callable[..., Any]
    mimebundle: Callable[[Module], dict[str, Any]]


def _not_connected(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("nn.viz is not connected: import nn (its __init__ connects it)")


_pictures = _Pictures()
_pictures.diagram = _pictures.mimebundle = _not_connected


def connect(*, diagram: Callable[..., Any], mimebundle: Callable[[Module], dict[str, Any]]
            ) -> None:
    """Give Module its diagram and its Jupyter display (nn/__init__.py does, when nn loads)."""
    _pictures.diagram = diagram
    _pictures.mimebundle = mimebundle
