"""The worked examples users compare against, to the published digit."""

import pytest
from handwritten import two_two_two

from nn.demo import readme_expression as micrograd_readme_expression


def test_micrograd_readme_example():
    a, b, g = micrograd_readme_expression()
    g.backward()
    assert round(g.data, 4) == 24.7041
    assert round(a.grad, 4) == 138.8338
    assert round(b.grad, 4) == 645.5773


def test_two_two_two_network_by_hand():
    net = two_two_two()
    net.error.backward()
    assert net.error.data == pytest.approx(0.298371109, abs=5e-10)
    assert net.out_h1.data == pytest.approx(0.593269992, abs=5e-10)
    assert net.out_o1.data == pytest.approx(0.75136507, abs=5e-9)
    assert net.w[5].grad == pytest.approx(0.082167041, abs=5e-10)
    assert net.w[1].grad == pytest.approx(0.000438568, abs=5e-10)
