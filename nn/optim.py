"""Optimisers: SGD (with momentum and weight decay), Adam and AdamW, following PyTorch's formulas.

Each reads ``p.grad`` of its parameters and changes ``p.data``.  Frozen parameters
(``requires_grad=False``) are skipped.  The learning rate may be a number or a schedule: a
function of the step count (0 for the first step) returning the rate for that step, e.g.
micrograd's ``lambda k: 1.0 - 0.9 * k / 100``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from autograd import Value
from autograd.core.checks import nonnegative

from .module import Module

LearningRate = float | Callable[[int], float]


def ieee_divide(a: float, b: float) -> float:
    """a / b as IEEE-754 (and PyTorch) define it: ±inf for x / 0, nan for 0 / 0, never an error.

    Python raises ZeroDivisionError instead; an update with eps=0 and a zero gradient must give
    PyTorch's nan, not stop the training loop.
    """
    try:
        return a / b
    except ZeroDivisionError:
        if a != a or a == 0.0:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


class Optimizer:
    """What every optimiser shares: the parameter list, the learning rate, step counting."""

    def __init__(self, params: Module | Iterable[Value], lr: LearningRate) -> None:
        values = params.parameters() if isinstance(params, Module) else list(params)
        for k, p in enumerate(values):
            if not isinstance(p, Value):
                raise TypeError(f"parameter {k} given to {type(self).__name__} is "
                                f"{type(p).__name__}, not a Value")
            if not p.is_leaf:
                raise ValueError(f"parameter {k} given to {type(self).__name__} was computed by "
                                 f"an operation ({p.op!r}); only leaf Values can be trained")
        seen: dict[int, int] = {}
        for k, p in enumerate(values):
            # A parameter listed twice would be updated twice per step (PyTorch warns about it).
            first = seen.setdefault(id(p), k)
            if first != k:
                raise ValueError(f"parameter {k} given to {type(self).__name__} is the same "
                                 f"Value as parameter {first}; list each parameter once")
        if not any(p.requires_grad for p in values):
            raise ValueError(f"{type(self).__name__} was given no trainable parameters "
                             f"({len(values)} given, none with requires_grad=True)")
        self.params = values
        if not callable(lr):
            nonnegative(lr, "lr")
        self.lr = lr
        self.steps = 0

    def current_lr(self) -> float:
        """The learning rate the next step() will use."""
        if callable(self.lr):
            return nonnegative(self.lr(self.steps), f"lr schedule at step {self.steps}")
        return float(self.lr)

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 before the next backward()."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every trainable parameter from its gradient."""
        lr = self.current_lr()
        for i, p in enumerate(self.params):
            if p.requires_grad:
                self.update(i, p, lr)
        self.steps += 1

    def update(self, i: int, p: Value, lr: float) -> None:
        """Change parameter number `i` using its gradient (each optimiser defines this)."""
        raise NotImplementedError(f"{type(self).__name__} must define update()")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.params)} parameters, lr={self.lr!r})"


class SGD(Optimizer):
    """Stochastic gradient descent: p -= lr · g, with optional momentum and L2 weight decay.

    As in PyTorch: g = grad + weight_decay · p; with momentum the velocity is v = g on the first
    step and v = momentum · v + g after, and p -= lr · v.
    """

    def __init__(self, params: Module | Iterable[Value], lr: LearningRate, momentum: float = 0.0,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = nonnegative(momentum, "momentum", upper=1.0)
        self.weight_decay = nonnegative(weight_decay, "weight_decay")
        self.velocity: list[float | None] = [None] * len(self.params)

    def update(self, i: int, p: Value, lr: float) -> None:
        """One SGD update of parameter `i`."""
        g = p.grad
        if self.weight_decay:
            g = g + self.weight_decay * p.data
        if self.momentum:
            v = self.velocity[i]
            g = g if v is None else self.momentum * v + g
            self.velocity[i] = g
        p.data -= lr * g


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with bias correction; weight_decay adds weight_decay · p to g."""

    def __init__(self, params: Module | Iterable[Value], lr: LearningRate = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair of numbers, got {betas!r}"[:200])
        self.betas = (nonnegative(betas[0], "betas[0]", upper=1.0),
                      nonnegative(betas[1], "betas[1]", upper=1.0))
        self.eps = nonnegative(eps, "eps")
        self.weight_decay = nonnegative(weight_decay, "weight_decay")
        self.m = [0.0] * len(self.params)  # running mean of gradients
        self.v = [0.0] * len(self.params)  # running mean of squared gradients
        self.counts = [0] * len(self.params)  # steps taken by each parameter (frozen ones lag)

    def update(self, i: int, p: Value, lr: float) -> None:
        """One Adam update of parameter `i`."""
        g = p.grad
        if self.weight_decay:
            g = g + self.weight_decay * p.data
        self.adam_move(i, p, g, lr)

    def adam_move(self, i: int, p: Value, g: float, lr: float) -> None:
        """Move parameter `i` along gradient `g` by the bias-corrected Adam rule."""
        beta1, beta2 = self.betas
        self.counts[i] += 1
        t = self.counts[i]
        # Written in PyTorch's order of operations so results agree with it to the last bits.
        self.m[i] += (g - self.m[i]) * (1.0 - beta1)
        self.v[i] = self.v[i] * beta2 + (1.0 - beta2) * g * g
        step_size = lr / (1.0 - beta1 ** t)
        denom = math.sqrt(self.v[i]) / math.sqrt(1.0 - beta2 ** t) + self.eps
        p.data += -step_size * ieee_divide(self.m[i], denom)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019): p shrinks by lr·decay first."""

    def __init__(self, params: Module | Iterable[Value], lr: LearningRate = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2) -> None:
        super().__init__(params, lr, betas, eps, weight_decay)

    def update(self, i: int, p: Value, lr: float) -> None:
        """One AdamW update of parameter `i`."""
        p.data *= 1.0 - lr * self.weight_decay
        self.adam_move(i, p, p.grad, lr)
