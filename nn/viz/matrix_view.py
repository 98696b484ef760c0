"""matrix_view(): one sample's backprop through a stack of Layers, in the tutorials' matrix form.

The derivation the tutorials write after the per-weight one, with actual numbers:

    net = W x + b,  out = act(net)                      forward, layer by layer
    δ_L = ∂E/∂out_L ⊙ act'(net_L)                        output layer
    ∂E/∂W = δ xᵀ,  ∂E/∂b = δ,  g = Wᵀ δ                  every layer; g is passed down
    δ = g ⊙ act'(net)                                    the layer below

It is computed here with plain Python lists (no second autodiff): only ∂E/∂out_L, the loss's
own derivative, comes from the scalar engine run on the loss alone.  Then every ∂E/∂W and ∂E/∂b
entry is compared with the gradient the scalar engine gives that parameter for the same sample,
so the view says whether the two are the same numbers -- and which entry is not.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import autograd
from autograd import Value
from autograd.core.fresh import held_elsewhere, held_lines
from autograd.core.ops import OPS

from .. import losses
from ..layers import Layer, as_inputs
from ..module import Module
from .matrix_render import LayerStep, MatrixView, Mismatch

# The relative tolerance of the check: both sides do the same arithmetic in a different order,
# so they agree to a few units in the last place, far inside this.
REL_TOL = 1e-9
ABS_TOL = 1e-12



def _activation(name: str) -> Callable[[float], tuple[float, ...]]:
    """act(net) and act'(net) as the engine computes them: the op table's forward."""
    return _identity if name == "linear" else OPS[name].forward


def _identity(z: float) -> tuple[float, float]:
    return z, 1.0


def matrix_view(model: Any, x: Sequence[float], target: Any,
                loss: Callable[[Any, Any], Value] = losses.half_sse) -> MatrixView:
    """Backprop of one sample through `model`'s Layers in matrix form, checked against .grad.

    `model` is an nn.MLP, a single nn.Layer, or any Module keeping its Layers in ``.layers``
    and applying them in order.  The check runs the model once more through the scalar engine
    with autograd.grad, so no parameter's ``.grad`` changes; frozen parameters are unfrozen for
    that pass only (their gradient is shown too) and frozen again.  Where the parameters' .grad
    hold other numbers (an earlier backward), the lines under the title say so.
    """
    layers = _layers_of(model)
    inputs = [v.data for v in as_inputs(x, layers[0].nin, "matrix_view")]
    if not callable(loss):
        raise TypeError(f"matrix_view: loss must be a function (outputs, targets) -> Value "
                        f"such as nn.half_sse, got {type(loss).__name__}")
    names = _parameter_names(model, layers)
    steps = _forward(layers, inputs, names)
    engine_out, engine_grads, shape = _engine_pass(model, layers, inputs, target, loss)
    out_leaves = [Value(o, label=f"out.{k}") for k, o in enumerate(steps[-1].out)]
    error = loss(out_leaves[0] if shape == "single" else out_leaves, target)
    # ∂E/∂out: the loss's own derivative, from the engine on a graph of the loss alone.
    output_grad = autograd.grad(error, out_leaves)
    _backward(steps, output_grad)
    mismatches, largest, entries = _compare(steps, layers, engine_grads)
    params = [p for layer in layers for p in layer.parameters()]
    differing = [d for d in held_elsewhere({p: engine_grads[id(p)] for p in params}, params)
                 if d[1] != 0.0]
    shown = {p: p.label or names.get(id(p), "a parameter") for p in params}
    return MatrixView(held=held_lines(differing, shown, ".6g"),
                      model=_describe(model, layers), loss=getattr(loss, "__name__", "loss"),
                      target=target, layers=steps, error=error.data, output_grad=output_grad,
                      mismatches=mismatches, largest_difference=largest, entries=entries,
                      forward_matches=_same(engine_out, steps[-1].out))


def _layers_of(model: Any) -> list[Layer]:
    if isinstance(model, Layer):
        return [model]
    layers = getattr(model, "layers", None)
    if not isinstance(layers, (list, tuple)) or not layers or \
            not all(isinstance(layer, Layer) for layer in layers):
        raise TypeError(f"matrix_view needs an nn.MLP, an nn.Layer or a Module with a list of "
                        f"nn.Layer in .layers, got {type(model).__name__}")
    for below, above in zip(layers, layers[1:]):
        if above.nin != below.nout:
            raise ValueError(f"matrix_view: a layer with {below.nout} outputs feeds one with "
                             f"{above.nin} inputs; the layers must chain")
    return list(layers)


def _parameter_names(model: Any, layers: list[Layer]) -> dict[int, str]:
    if isinstance(model, Module) and not isinstance(model, Layer):
        return {id(v): name for name, v in model.named_parameters()}
    return {id(v): name for name, v in layers[0].named_parameters()}


def _describe(model: Any, layers: list[Layer]) -> str:
    sizes = " → ".join(str(n) for n in [layers[0].nin, *(layer.nout for layer in layers)])
    return f"{type(model).__name__} {sizes}"


def _forward(layers: list[Layer], inputs: list[float], names: dict[int, str]) -> list[LayerStep]:
    """net = W x + b and out = act(net), layer by layer, in plain floats."""
    steps, x = [], inputs
    for i, layer in enumerate(layers):
        W = [[w.data for w in n.w] for n in layer.neurons]
        b = [n.b.data for n in layer.neurons]
        net = [sum(wk * xk for wk, xk in zip(row, x, strict=True)) + bj
               for row, bj in zip(W, b, strict=True)]
        act = _activation(layer.activation)
        out = [act(z)[0] for z in net]
        steps.append(LayerStep(
            name=f"layer {i}", activation=layer.activation, W=W, b=b, x=x, net=net, out=out,
            W_names=[[names.get(id(w), f"layer {i} w") for w in n.w] for n in layer.neurons],
            b_names=[names.get(id(n.b), f"layer {i} b") for n in layer.neurons]))
        x = out
    return steps


def _backward(steps: list[LayerStep], output_grad: list[float]) -> None:
    """δ, ∂E/∂W = δ xᵀ, ∂E/∂b = δ and Wᵀ δ for every layer, from the output layer down."""
    g = output_grad
    for step in reversed(steps):
        act = _activation(step.activation)
        step.slope = [act(z)[1] for z in step.net]
        step.delta = [gj * sj for gj, sj in zip(g, step.slope, strict=True)]
        step.dW = [[dj * xk for xk in step.x] for dj in step.delta]
        step.db = list(step.delta)
        step.passed_down = [sum(step.W[j][k] * step.delta[j] for j in range(len(step.delta)))
                            for k in range(len(step.x))]
        g = step.passed_down


def _engine_pass(model: Any, layers: list[Layer], inputs: list[float], target: Any,
                 loss: Callable[[Any, Any], Value]) -> tuple[list[float], dict[int, float], str]:
    """The scalar engine on the whole model: its outputs and every parameter's gradient.

    Uses autograd.grad, which leaves .grad alone; frozen parameters are unfrozen for the pass so
    that they get a gradient to compare too.
    """
    params = [p for layer in layers for p in layer.parameters()]
    frozen = [p for p in params if not p.requires_grad]
    try:
        for p in frozen:
            p.requires_grad = True
        out = model(inputs)
        error = loss(out, target)
        if not isinstance(error, Value):
            raise TypeError(f"matrix_view: the loss must return a Value, "
                            f"got {type(error).__name__}")
        grads = autograd.grad(error, params)
    finally:
        for p in frozen:
            p.requires_grad = False
    outs = [out] if isinstance(out, Value) else list(out)
    if not all(isinstance(o, Value) for o in outs):
        raise TypeError("matrix_view: the model must return a Value or a list of Values")
    return [o.data for o in outs], {id(p): g for p, g in zip(params, grads, strict=True)}, \
        "single" if isinstance(out, Value) else "list"


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def _same(a: list[float], b: list[float]) -> bool:
    return len(a) == len(b) and all(_close(p, q) for p, q in zip(a, b, strict=True))


def _compare(steps: list[LayerStep], layers: list[Layer], engine: dict[int, float]
             ) -> tuple[list[Mismatch], float, int]:
    """Every ∂E/∂W and ∂E/∂b entry against the engine's gradient of that parameter."""
    mismatches, largest, entries = [], 0.0, 0
    for i, (step, layer) in enumerate(zip(steps, layers, strict=True)):
        step.engine_dW = [[engine[id(w)] for w in n.w] for n in layer.neurons]
        step.engine_db = [engine[id(n.b)] for n in layer.neurons]
        for j, row in enumerate(step.dW):
            for k, mine in enumerate(row):
                entries += 1
                theirs = step.engine_dW[j][k]
                largest = max(largest, abs(mine - theirs))
                if not _close(mine, theirs):
                    mismatches.append(Mismatch(step.W_names[j][k], i, "W", (j, k), mine,
                                               theirs))
        for j, mine in enumerate(step.db):
            entries += 1
            largest = max(largest, abs(mine - step.engine_db[j]))
            if not _close(mine, step.engine_db[j]):
                mismatches.append(Mismatch(step.b_names[j], i, "b", (j,), mine,
                                           step.engine_db[j]))
    return mismatches, largest, entries
