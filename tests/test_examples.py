"""The worked examples users compare against, to the published digit."""

import pytest

from autograd import Value


def micrograd_readme_expression():
    a = Value(-4.0, label="a")
    b = Value(2.0, label="b")
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return a, b, g


def test_micrograd_readme_example():
    a, b, g = micrograd_readme_expression()
    g.backward()
    assert round(g.data, 4) == 24.7041
    assert round(a.grad, 4) == 138.8338
    assert round(b.grad, 4) == 645.5773


def test_two_two_two_network_by_hand():
    i1, i2 = Value(0.05, label="i1"), Value(0.10, label="i2")
    w = [None] + [Value(x, label=f"w{k}") for k, x in
                  enumerate([0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55], start=1)]
    b1, b2 = Value(0.35, label="b1"), Value(0.60, label="b2")
    out_h1 = (w[1] * i1 + w[2] * i2 + b1).sigmoid()
    out_h2 = (w[3] * i1 + w[4] * i2 + b1).sigmoid()
    out_o1 = (w[5] * out_h1 + w[6] * out_h2 + b2).sigmoid()
    out_o2 = (w[7] * out_h1 + w[8] * out_h2 + b2).sigmoid()
    error = 0.5 * (0.01 - out_o1) ** 2 + 0.5 * (0.99 - out_o2) ** 2
    error.backward()
    assert error.data == pytest.approx(0.298371109, abs=5e-10)
    assert out_h1.data == pytest.approx(0.593269992, abs=5e-10)
    assert out_o1.data == pytest.approx(0.75136507, abs=5e-9)
    assert w[5].grad == pytest.approx(0.082167041, abs=5e-10)
    assert w[1].grad == pytest.approx(0.000438568, abs=5e-10)
