"""jacobian, hessian, hvp: closed forms, and PyTorch float64 on random functions of every op."""

from __future__ import annotations

import math
import random

import pytest
from conftest import require_torch
from opcases import ops_used, random_program, run_torch, run_values

import autograd
from autograd import OPS, Value


def rosenbrock(x, y):
    return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2


def softmax(xs):
    exps = [x.exp() for x in xs]
    total = sum(exps[1:], exps[0])
    return [e / total for e in exps]


def test_rosenbrock_gradient_and_hessian_equal_their_formulas():
    x, y = 1.2, 0.7
    grad = autograd.jacobian(rosenbrock, argnums=(0, 1))(x, y)
    assert grad[0] == pytest.approx(-2 * (1 - x) - 400 * x * (y - x * x), rel=1e-14)
    assert grad[1] == pytest.approx(200 * (y - x * x), rel=1e-14)
    h = autograd.hessian(rosenbrock, argnums=(0, 1))(x, y)
    expected = ((2 - 400 * (y - x * x) + 800 * x * x, -400 * x), (-400 * x, 200.0))
    for a in range(2):
        for b in range(2):
            assert h[a][b] == pytest.approx(expected[a][b], rel=1e-13)


def test_hessian_of_a_list_argument_is_a_matrix():
    h = autograd.hessian(lambda p: rosenbrock(p[0], p[1]))([1.2, 0.7])
    expected = [[2 - 400 * (0.7 - 1.2 ** 2) + 800 * 1.2 ** 2, -480.0], [-480.0, 200.0]]
    for row, want in zip(h, expected, strict=True):
        assert row == pytest.approx(want, rel=1e-13)


@pytest.mark.parametrize("mode", ["auto", "forward", "reverse"])
def test_softmax_jacobian_is_diag_s_minus_s_s_transposed(mode):
    xs = [0.3, -1.2, 2.0, 0.5]
    z = [math.exp(x) for x in xs]
    s = [e / sum(z) for e in z]
    jac = autograd.jacobian(softmax, mode=mode)(xs)
    for i in range(4):
        for j in range(4):
            assert jac[i][j] == pytest.approx((s[i] if i == j else 0.0) - s[i] * s[j],
                                              rel=1e-12, abs=1e-16)


def test_exp_of_x_times_y_hessian_and_hvp():
    x, y = 0.6, -1.1
    e = math.exp(x * y)
    h = autograd.hessian(lambda x, y: (x * y).exp(), argnums=(0, 1))(x, y)
    expected = ((y * y * e, (1 + x * y) * e), ((1 + x * y) * e, x * x * e))
    for a in range(2):
        for b in range(2):
            assert h[a][b] == pytest.approx(expected[a][b], rel=1e-14)
    value, hv = autograd.hvp(lambda x, y: (x * y).exp(), (x, y), (2.0, -3.0))
    assert value == pytest.approx(e, rel=1e-15)
    assert hv[0] == pytest.approx(2 * expected[0][0] - 3 * expected[0][1], rel=1e-13)
    assert hv[1] == pytest.approx(2 * expected[1][0] - 3 * expected[1][1], rel=1e-13)


def test_shapes_follow_the_output_then_the_input():
    f = lambda x, ys: [x * ys[0], x + ys[1], ys[0] * ys[1]]  # noqa: E731
    jx, jy = autograd.jacobian(f, argnums=(0, 1))(2.0, [3.0, 5.0])
    assert jx == [3.0, 1.0, 0.0]
    assert jy == [[2.0, 0.0], [0.0, 1.0], [5.0, 3.0]]
    assert autograd.jacobian(lambda ys: ys[0] * ys[1])([3.0, 5.0]) == [5.0, 3.0]
    assert autograd.jacobian(lambda x: [x, 2 * x])(1.0) == [1.0, 2.0]


def test_jacobian_passes_other_arguments_and_keywords_through():
    f = lambda x, data, scale=1.0: x * sum(data) * scale  # noqa: E731
    assert autograd.jacobian(f)(2.0, [1, 2, 3], scale=0.5) == 3.0


def test_create_graph_gives_values_that_differentiate_again():
    jac = autograd.jacobian(lambda x: [x ** 3, x.exp()], create_graph=True)
    column = jac(2.0)
    assert all(isinstance(c, Value) for c in column)
    assert autograd.grad(column[0], column[0].inputs[0]) is not None
    nested = autograd.derivative(lambda x: autograd.jacobian(lambda y: y ** 3)(x))
    assert nested(2.0) == pytest.approx(12.0)
    h = autograd.hessian(lambda x: x ** 4, create_graph=True)
    assert isinstance(h(2.0), Value)
    assert autograd.derivative(lambda x: autograd.hessian(lambda y: y ** 4)(x))(2.0) == 48.0


def test_bad_arguments_are_refused_clearly():
    with pytest.raises(TypeError, match="argnums"):
        autograd.jacobian(rosenbrock, argnums="0")
    with pytest.raises(ValueError, match="mode"):
        autograd.jacobian(rosenbrock, mode="sideways")
    with pytest.raises(ValueError, match="argnums names argument 2"):
        autograd.jacobian(rosenbrock, argnums=2)(1.0, 2.0)
    with pytest.raises(TypeError, match="scalar"):
        autograd.hessian(softmax)([1.0, 2.0])
    with pytest.raises(TypeError, match="numbers or Values"):
        autograd.jacobian(rosenbrock)("1", 2.0)
    with pytest.raises(TypeError, match="must return"):
        autograd.jacobian(lambda x: {"y": x})(1.0)


# --- random functions of every op against PyTorch ----------

PROGRAMS = [random_program(random.Random(seed), 1 + seed % 4, 10 + seed % 7) for seed in range(60)]


def test_the_random_functions_use_every_op():
    assert ops_used(PROGRAMS) >= set(OPS)


def _max_abs(rows):
    return max((abs(e) for row in rows for e in row), default=0.0)


def assert_close(ours, theirs, what):
    # Relative to the matrix's size: entries that cancel to near 0 carry the rounding of the big
    # ones.  The floor keeps an all-zero matrix exact.
    scale = max(_max_abs(theirs), 1e-300)
    error = max((abs(a - b) for ra, rb in zip(ours, theirs) for a, b in zip(ra, rb)), default=0.0)
    assert error <= 1e-9 * scale, (what, error / scale, ours, theirs)


@pytest.mark.parametrize("k", range(len(PROGRAMS)))
def test_jacobian_hessian_hvp_jvp_match_pytorch(k):
    torch = require_torch()
    from torch.autograd import functional as F

    leaves, steps = PROGRAMS[k]
    n, m = len(leaves), 3
    point = torch.tensor(leaves, dtype=torch.float64)
    vector = lambda xs: run_values(steps, xs, m)  # noqa: E731
    scalar = lambda xs: sum(run_values(steps, xs, m)[1:], run_values(steps, xs, m)[0])  # noqa: E731
    t_vector = lambda x: run_torch(torch, steps, x, m)  # noqa: E731
    t_scalar = lambda x: run_torch(torch, steps, x, m).sum()  # noqa: E731

    expected = F.jacobian(t_vector, point).tolist()
    for mode in ("forward", "reverse", "auto"):
        assert_close(autograd.jacobian(vector, mode=mode)(leaves), expected, f"jacobian {mode}")
    assert_close(autograd.hessian(scalar)(leaves), F.hessian(t_scalar, point).tolist(), "hessian")

    direction = [math.cos(3.0 * i + k) for i in range(n)]
    v = torch.tensor(direction, dtype=torch.float64)
    t_value, t_hv = F.hvp(t_scalar, point, v)
    value, hv = autograd.hvp(scalar, (leaves,), (direction,))
    assert value == pytest.approx(t_value.item(), rel=1e-12)
    assert_close([hv[0]], [t_hv.tolist()], "hvp")
    # jvp of the gradient is the same Hessian-vector product, forward over reverse.
    gradient = autograd.jacobian(scalar, mode="reverse")  # the gradient, as a list of Values
    assert_close([autograd.jvp(gradient, (leaves,), (direction,))[1]], [t_hv.tolist()], "jvp∘grad")
    t_out, t_tangent = F.jvp(t_vector, point, v)
    out, tangent = autograd.jvp(vector, (leaves,), (direction,))
    assert_close([out], [t_out.tolist()], "jvp value")
    assert_close([tangent], [t_tangent.tolist()], "jvp tangent")


def test_vjp_is_the_cotangent_times_the_jacobian():
    f = lambda x, ys: [x * ys[0], x + ys[1], ys[0] * ys[1]]  # noqa: E731
    value, pullback = autograd.vjp(f, 2.0, [3.0, 5.0])
    assert value == [6.0, 7.0, 15.0]
    jx, jy = autograd.jacobian(f, argnums=(0, 1))(2.0, [3.0, 5.0])
    c = [1.0, -2.0, 0.5]
    gx, gy = pullback(c)
    assert gx == pytest.approx(sum(ci * j for ci, j in zip(c, jx)))
    assert gy == pytest.approx([sum(c[i] * jy[i][k] for i in range(3)) for k in range(2)])
    assert pullback([0.0, 0.0, 0.0]) == (0.0, [0.0, 0.0])  # reusable: one pass per call
    value, pullback = autograd.vjp(rosenbrock, 1.2, 0.7)
    assert pullback(1.0) == autograd.jacobian(rosenbrock, argnums=(0, 1))(1.2, 0.7)


def test_vjp_nests_and_checks_the_cotangent_shape():
    x = Value(2.0)
    _, pullback = autograd.vjp(lambda y: y ** 3, x)
    (g,) = pullback(1.0)
    assert isinstance(g, Value) and g.data == 12.0 and autograd.grad(g, x) == 12.0
    _, pullback = autograd.vjp(softmax, [1.0, 2.0])
    with pytest.raises(ValueError, match="shape of f's output"):
        pullback(1.0)
    with pytest.raises(ValueError, match="a list of 2"):
        pullback([1.0])
    with pytest.raises(TypeError):
        pullback(["a", 1.0])


@pytest.mark.parametrize("k", range(0, len(PROGRAMS), 3))
def test_vjp_matches_pytorch(k):
    torch = require_torch()
    from torch.autograd import functional as F

    leaves, steps = PROGRAMS[k]
    point = torch.tensor(leaves, dtype=torch.float64)
    c = [0.5, -1.0, 2.0]
    t_out, t_vjp = F.vjp(lambda x: run_torch(torch, steps, x, 3), point,
                         torch.tensor(c, dtype=torch.float64))
    out, pullback = autograd.vjp(lambda xs: run_values(steps, xs, 3), leaves)
    assert_close([out], [t_out.tolist()], "vjp value")
    assert_close([pullback(c)[0]], [t_vjp.tolist()], "vjp")
