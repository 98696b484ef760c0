"""Compiled replay gives the eager path's numbers, bit for bit, for every op and random graphs."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import opmap
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd
from autograd import OPS, TraceMismatchError, Value
from autograd.replay.check import same_float

np = pytest.importorskip("numpy")
from autograd.core.ops import BACKENDS as KERNEL_BACKENDS  # noqa: E402
from autograd.core.ops import Inline  # noqa: E402
from autograd.replay.numpy_backend import kernel_for  # noqa: E402 (needs numpy)
from autograd.replay.python_backend import _inline  # noqa: E402

BACKENDS = ["python", "numpy", "loop"]
INF, NAN = math.inf, math.nan
# Edge cases of IEEE-754 float64: signed zeros, a subnormal, overflow thresholds of exp,
# huge and tiny numbers, infinities and nan, next to ordinary numbers.
EDGES = [0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 3.0, -3.0, 2.5, 5e-324, 1e-300, 1e300,
         -1e300, 710.0, -746.0, INF, -INF, NAN]



def apply_op(name: str, *xs: Any) -> Value:
    """Apply the op called `name` in the op table to Values (or numbers, for constants)."""
    if name in opmap.WITH_CONSTANT:  # x ** c: the exponent is a plain number
        xs = (xs[0], xs[1].data if isinstance(xs[1], Value) else xs[1])
    return opmap.on_values(name, *xs)


def eager(fn: Callable[..., Value], numbers: list[float], params: list[Value]
          ) -> tuple[float, list[float], list[float]]:
    """Value, input gradients and parameter gradients by the ordinary path."""
    for p in params:
        p.grad = 0.0
    xs = [Value(x) for x in numbers]
    out = fn(*xs)
    out.backward()
    result = out.data, [x.grad for x in xs], [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    return result


def replayed(step: autograd.CompiledFunction, numbers: list[float], params: list[Value]
             ) -> tuple[float, list[float], list[float]]:
    """The same three things by the compiled replay (parameters' grads zeroed first)."""
    for p in params:
        p.grad = 0.0
    value, grads = step(*numbers)
    result = value, list(grads), [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    return result


def assert_same(got: tuple[Any, ...], want: tuple[Any, ...], context: str) -> None:
    """Bit-identical floats (NaN matches NaN), value and every gradient."""
    gv, gi, gp = got
    wv, wi, wp = want
    assert same_float(gv, wv), f"{context}: value {gv!r} != eager {wv!r}"
    assert len(gi) == len(wi) and len(gp) == len(wp)
    for k, (a, b) in enumerate(zip(gi, wi, strict=True)):
        assert same_float(a, b), f"{context}: d/d input {k}: {a!r} != eager {b!r}"
    for k, (a, b) in enumerate(zip(gp, wp, strict=True)):
        assert same_float(a, b), f"{context}: d/d parameter {k}: {a!r} != eager {b!r}"


# --- every op, on IEEE edge cases ----------

def test_every_kernel_is_for_a_known_backend() -> None:
    """A kernel under a misspelt backend name would be silently unused: refuse it."""
    for name, op in OPS.items():
        unknown = set(op.kernels) - set(KERNEL_BACKENDS)
        assert not unknown, f"{name}: kernels for unknown backends {unknown}"
        python = op.kernels.get("python")
        assert python is None or (isinstance(python, Inline) and _inline(name) is python
                                  and len(python.locals) == op.arity), name


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", sorted(set(OPS) - set(opmap.WITH_CONSTANT)))  # x ** c: below
def test_single_op_matches_eager_on_edge_cases(name: str, backend: str) -> None:
    fn = lambda *xs: apply_op(name, *xs)
    arity = OPS[name].arity
    step = autograd.compile(fn, [1.0] * arity, backend=backend)
    points = [[x] for x in EDGES] if arity == 1 else [[x, y] for x in EDGES for y in EDGES]
    for xs in points:
        assert_same(replayed(step, xs, []), eager(fn, xs, []), f"{name}{tuple(xs)}")
        assert same_float(step.forward(*xs), eager(fn, xs, [])[0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_constant_exponent_matches_eager(backend: str) -> None:
    # x ** c with a plain number c: c is a constant leaf and receives no gradient.
    for c in EDGES:
        fn = lambda x, c=c: x ** c
        step = autograd.compile(fn, [1.5], backend=backend)
        for x in EDGES:
            assert_same(replayed(step, [x], []), eager(fn, [x], []), f"{x!r} ** {c!r}")


@pytest.mark.parametrize("name", sorted(OPS))
def test_kernels_match_the_op_table_elementwise(name: str) -> None:
    """Whole arrays through each backend's kernel equal the op table's float function."""
    arity = OPS[name].arity
    rows = [(x,) for x in EDGES] if arity == 1 else [(x, y) for x in EDGES for y in EDGES]
    columns = [np.array([r[k] for r in rows]) for k in range(arity)]
    with np.errstate(all="ignore"):
        results = kernel_for(name)(*columns)
    for r, row in enumerate(rows):
        want = OPS[name].forward(*row)
        for k, w in enumerate(want):
            if w is None:  # an input that takes no gradient: no derivative to compare
                continue
            got = results[k]
            got = got if isinstance(got, float) else float(got[r])
            assert same_float(got, w), f"{name}{row}: output {k} is {got!r}, op table {w!r}"


# --- random graphs: every op, constants, constant exponents, reused nodes ----------

NUMBERS = st.one_of(st.sampled_from(EDGES), st.floats(-4.0, 4.0))
# x ** c with a plain number c is the "** number" kind (its c is drawn, never read from a Value).
STEP_KINDS = sorted(set(OPS) - set(opmap.WITH_CONSTANT)) + ["** number", "number *", "number -"]


@st.composite
def programs(draw: Any) -> dict[str, Any]:
    """A random straight-line program over inputs, parameters and frozen constants."""
    return {
        "n_inputs": draw(st.integers(1, 3)),
        "params": draw(st.lists(NUMBERS, max_size=2)),
        "consts": draw(st.lists(NUMBERS, max_size=2)),
        # (kind, operand picks, a plain number for the kinds that take one)
        "steps": draw(st.lists(st.tuples(st.sampled_from(STEP_KINDS), st.integers(0, 99),
                                         st.integers(0, 99), NUMBERS), min_size=1, max_size=30)),
        "tail": draw(st.integers(1, 3)),
    }


def build(program: dict[str, Any], params: list[Value] | None = None, aux: bool = False
          ) -> tuple[Callable[..., Any], list[Value]]:
    """The program as a Python function of its inputs, and the parameters it captures.

    With `aux`, the function returns (output, every value it made), as for has_aux=True: many
    of those lie outside the output's graph or hang off it.
    """
    if params is None:
        params = [Value(p) for p in program["params"]]
    consts = [Value(c, requires_grad=False) for c in program["consts"]]

    def fn(*xs: Value) -> Value:
        pool: list[Any] = [*xs, *params, *consts]
        for kind, i, j, number in program["steps"]:
            # Picks index the pool as it grows, so values are reused, often several times.
            a, b = pool[-1 - i % len(pool)], pool[-1 - j % len(pool)]
            if kind == "** number":
                pool.append(a ** number)
            elif kind == "number *":
                pool.append(number * a)
            elif kind == "number -":
                pool.append(number - a)
            else:
                pool.append(apply_op(kind, a, b) if OPS[kind].arity == 2 else apply_op(kind, a))
        # Sum the last few values so several branches reach the output.
        out = pool[-1]
        for v in pool[-program["tail"]:-1]:
            out = out + v
        return (out, {"pool": pool, "more": out + pool[0]}) if aux else out

    return fn, params


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program=programs(), data=st.data())
def test_random_graphs_match_eager_bit_for_bit(program: dict[str, Any], data: Any) -> None:
    fn, params = build(program)
    n = program["n_inputs"]
    traced_at = data.draw(st.lists(NUMBERS, min_size=n, max_size=n))
    new = data.draw(st.lists(NUMBERS, min_size=n, max_size=n))
    want = eager(fn, new, params)
    with_aux, _ = build(program, params, aux=True)
    want_aux = [v.data for v in with_aux(*[Value(x) for x in new])[1]["pool"]]
    for backend in BACKENDS:
        step = autograd.compile(fn, traced_at, backend=backend)
        assert_same(replayed(step, new, params), want, backend)
        assert same_float(step.forward(*new), want[0])
        # has_aux: the same value and gradients, plus every intermediate number.
        step = autograd.compile(with_aux, traced_at, backend=backend, has_aux=True)
        for p in params:
            p.grad = 0.0
        value, grads, aux = step(*new)
        assert_same((value, list(grads), [p.grad for p in params]), want, f"{backend} aux")
        assert all(same_float(a, b) for a, b in zip(aux["pool"], want_aux, strict=True))
        assert same_float(step.forward(*new)[1]["more"], aux["more"])
        for p in params:
            p.grad = 0.0


def deep_wide_graph(x: Value, y: Value) -> Value:
    """Long sums, shared subexpressions and several levels: exercises the numpy chains."""
    terms = [(x * k + y).tanh() * (y - k) for k in range(40)]
    total = sum(terms[:20], Value(0.0, requires_grad=False))
    total = total + sum(t * t for t in terms[20:])
    shared = total.sigmoid()
    return shared * shared + shared.relu() + sum([shared] * 5) + x ** 3


@pytest.mark.parametrize("backend", BACKENDS)
def test_long_sums_and_shared_nodes(backend: str) -> None:
    step = autograd.compile(deep_wide_graph, [0.3, -0.2], backend=backend)
    for xs in ([0.3, -0.2], [1.7, 2.0], [-0.01, 0.0], [INF, 1.0]):
        assert_same(replayed(step, xs, []), eager(deep_wide_graph, xs, []), str(xs))


SCALES = [1e16, 1.0, -1e16, 3.0, 1e-3, -7e15, 0.1, 2.5e15, -1.0, 0.7]


def many_scales(x: Value) -> Value:
    """x reaches the output along paths of very different sizes: rounding shows the sum order."""
    products = [x * c for c in SCALES]
    return (products[0] + products[1] + products[2]) * 1.0 + sum(products[3:])


@pytest.mark.parametrize("backend", BACKENDS)
def test_gradient_sums_follow_backwards_order(backend: str) -> None:
    forwards = 0.0
    for c in SCALES:
        forwards += c
    backwards = 0.0
    for c in reversed(SCALES):
        backwards += c
    assert forwards != backwards  # so the order is visible in the result
    step = autograd.compile(many_scales, [1.0], backend=backend)
    assert_same(replayed(step, [1.0], []), eager(many_scales, [1.0], []), "scales")


# --- parameters: live .data, accumulated .grad, an SGD loop ----------

def tiny_model() -> tuple[list[Value], Callable[..., Value]]:
    w = [Value(0.3), Value(-0.7), Value(0.1)]

    def loss(x: Value, target: Value) -> Value:
        pred = (w[0] * x + w[1]).tanh() * w[2]
        return (pred - target) ** 2

    return w, loss


@pytest.mark.parametrize("backend", BACKENDS)
def test_sgd_loop_matches_eager_training(backend: str) -> None:
    w_eager, loss_eager = tiny_model()
    w_comp, loss_comp = tiny_model()
    step = autograd.compile(loss_comp, [0.0, 0.0], backend=backend)
    data = [(0.5, 0.2), (-1.0, 0.4), (2.0, -0.3)] * 3
    for x, t in data:
        out = loss_eager(Value(x), Value(t))
        out.backward()
        value, _ = step(x, t)
        assert same_float(value, out.data)
        for p_e, p_c in zip(w_eager, w_comp, strict=True):
            assert same_float(p_c.grad, p_e.grad)
            p_e.data -= 0.1 * p_e.grad
            p_c.data -= 0.1 * p_c.grad
            p_e.grad = p_c.grad = 0.0
    assert [p.data for p in w_comp] == [p.data for p in w_eager]
    assert w_comp[0].data != 0.3  # the loop did train


@pytest.mark.parametrize("backend", BACKENDS)
def test_parameter_grads_accumulate_like_backward(backend: str) -> None:
    w, loss = tiny_model()
    step = autograd.compile(loss, [0.5, 0.2], backend=backend)
    step(0.5, 0.2)
    once = [p.grad for p in w]
    step(0.5, 0.2)
    assert [p.grad for p in w] == [2 * g for g in once]
    assert all(g != 0.0 for g in once)


@pytest.mark.parametrize("backend", BACKENDS)
def test_forward_touches_no_grad(backend: str) -> None:
    w, loss = tiny_model()
    step = autograd.compile(loss, [0.5, 0.2], backend=backend)
    assert step.forward(1.0, 0.0) == loss(Value(1.0), Value(0.0)).data
    assert [p.grad for p in w] == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("backend", BACKENDS)
def test_frozen_leaves_are_constants_and_get_no_grad(backend: str) -> None:
    scale = Value(3.0, requires_grad=False)
    w = Value(2.0)
    step = autograd.compile(lambda x: w * x * scale, [1.0], backend=backend)
    assert step(2.0) == (12.0, (6.0,))
    assert w.grad == 6.0 and scale.grad == 0.0
    scale.data = 5.0  # read afresh by every call, as eager reads it
    assert step(2.0) == (20.0, (10.0,))
    step.check(2.0)
    scale.requires_grad = True  # unfrozen: eager would give it a gradient, so a call re-traces
    assert step(2.0) == (20.0, (10.0,)) and scale.grad == 4.0
    assert step.eager_calls == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_edge_graphs(backend: str) -> None:
    """Output is an input, a constant, or ignores an input."""
    assert autograd.compile(lambda x: x, [1.0], backend=backend)(4.0) == (4.0, (1.0,))
    assert autograd.compile(lambda x: 7, [1.0], backend=backend)(4.0) == (7.0, (0.0,))
    unused = autograd.compile(lambda x, y: y * y, [1.0, 2.0], backend=backend)
    assert unused(5.0, 3.0) == (9.0, (0.0, 6.0))
    w = Value(1.5)
    assert autograd.compile(lambda: w * w, [], backend=backend)() == (2.25, ())
    assert w.grad == 3.0


def test_has_aux_returns_numbers_in_the_same_nesting() -> None:
    w = Value(2.0)

    def loss_and_outputs(x: Value) -> tuple[Value, Any]:
        outs = [w * x, (w * x).exp()]
        # log(0) has local derivative inf: it must not leak into the gradients via the aux.
        return outs[0] * 3, {"outs": outs, "pair": (x.log(), 7), "off": x * 0}

    for backend in BACKENDS:
        step = autograd.compile(loss_and_outputs, [1.0], backend=backend, has_aux=True)
        value, grads, aux = step(0.0)
        assert (value, grads) == (0.0, (6.0,)) and w.grad == 0.0
        assert aux == {"outs": [0.0, 1.0], "pair": (-INF, 7), "off": 0.0}
        step.check(0.5)
        w.grad = 0.0
    with pytest.raises(TypeError, match="must return a pair"):
        autograd.compile(lambda x: x, [1.0], has_aux=True)
    with pytest.raises(TypeError, match="aux output .* got set"):
        autograd.compile(lambda x: (x, {x}), [1.0], has_aux=True)


def test_compile_inside_no_grad_still_records_the_graph() -> None:
    with autograd.no_grad():
        step = autograd.compile(lambda x: x * x, [3.0])
        assert step(3.0) == (9.0, (6.0,))
        step.check(4.0)


# --- control flow: guarded comparisons, and what only check() can see ----------

def branchy(x: Value) -> Value:
    if x > 0:  # a comparison of Values: a guard of the trace
        return x * 2
    return x.exp() + 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_guarded_branch_gives_eager_numbers_on_both_sides(backend: str) -> None:
    step = autograd.compile(branchy, [1.0], backend=backend)
    assert step(3.0) == (6.0, (2.0,)) and step.eager_calls == 0
    assert step(-1.0) == (math.exp(-1.0) + 1, (math.exp(-1.0),))  # eager's branch
    assert step.eager_calls == 1
    step.check(-1.0)
    step.check(3.0)
    checked = autograd.compile(branchy, [1.0], backend=backend, check=True)
    assert checked(2.0) == (4.0, (2.0,))
    assert checked(-1.0)[0] == math.exp(-1.0) + 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_control_flow_on_python_state_is_what_check_finds(backend: str) -> None:
    mode = {"double": True}  # a Python switch: no Value is compared, so no guard sees it

    def switched(x: Value) -> Value:
        return x * 2 if mode["double"] else x.exp() + 1

    step = autograd.compile(switched, [1.0], backend=backend)
    mode["double"] = False
    assert step(-1.0) == (-2.0, (2.0,))  # the traced path: the documented limit
    expected = r"slot 1: the trace has a captured constant there, the fresh run an? 'exp' node"
    with pytest.raises(TraceMismatchError, match=expected):
        step.check(-1.0)
    checked = autograd.compile(switched, [1.0], backend=backend, check=True)
    mode["double"] = True
    with pytest.raises(TraceMismatchError, match="no longer follows its trace"):
        checked(-1.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_values_made_outside_fn_are_recomputed_and_check_says_so(backend: str) -> None:
    w = Value(2.0)
    outside = w * 3.0  # built before compile: eager keeps its number, 6.0
    step = autograd.compile(lambda x: outside * x, [1.0], backend=backend)
    w.data = 5.0
    assert step(1.0) == (15.0, (15.0,))  # the replay recomputes it from w
    with pytest.raises(TraceMismatchError, match="computed outside"):
        step.check(1.0)


def test_check_names_a_changed_constant_and_a_changed_size() -> None:
    factor = [2.0]  # a Python number captured by fn: baked into the trace as a constant
    step = autograd.compile(lambda x: x * factor[0], [1.0])
    factor[0] = 3.0
    with pytest.raises(TraceMismatchError, match="constant that the replay reads as 2.0, now 3.0"):
        step.check(-1.0)
    count = [2]
    grow = autograd.compile(lambda x: sum([x] * count[0]), [2.0])
    count[0] = 4
    with pytest.raises(TraceMismatchError):
        grow.check(4.0)


# --- bad input ----------

def test_errors_name_the_problem() -> None:
    step = autograd.compile(lambda x, y: x * y, [1.0, 2.0])
    with pytest.raises(TypeError, match="takes 2 inputs, got 3"):
        step(1.0, 2.0, 3.0)
    with pytest.raises(TypeError, match="takes 2 inputs, got 1"):
        step.forward(1.0)
    with pytest.raises(TypeError, match="input 1 must be a real number.*str"):
        step(1.0, "2")
    with pytest.raises(TypeError, match="input 0 must be a real number.*bool"):
        step(True, 2.0)
    with pytest.raises(TypeError, match="example_inputs: input 0 must be a real number"):
        autograd.compile(lambda x: x, [None])
    with pytest.raises(ValueError, match="backend must be one of"):
        autograd.compile(lambda x: x, [1.0], backend="cuda")
    with pytest.raises(TypeError, match="must return a Value"):
        autograd.compile(lambda x: "nope", [1.0])
    with pytest.raises(TypeError, match="fn must be callable"):
        autograd.compile(3.0, [1.0])  # type: ignore[arg-type]
    assert step(np.float64(2.0), 3) == (6.0, (3.0, 2.0))  # NumPy scalars and ints are numbers


def test_python_source_is_built_from_indices_only() -> None:
    """No label or number of the user's reaches the generated text; numbers come as arguments."""
    secret = Value(123.456, label="__import__('os')")
    step = autograd.compile(lambda x: x * secret + 987.654, [1.0], backend="python")
    assert "123.456" not in step.source and "987.654" not in step.source
    assert "os" not in step.source and "import" not in step.source
    assert step(2.0) == (2.0 * 123.456 + 987.654, (123.456,))
