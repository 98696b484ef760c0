"""Every edge of a drawing runs one way, from the inputs to the output, with both renderers."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from autograd import Value, draw
from nn.demo import readme_expression

SVG = "{http://www.w3.org/2000/svg}"


def centres(svg: str) -> dict[str, tuple[float, float]]:
    """Each node's centre (box or op), by its title."""
    out = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        title = g.find(f"{SVG}title")
        if g.get("class") != "node" or title is None:
            continue
        ellipse = g.find(f"{SVG}ellipse")
        if ellipse is not None:
            out[title.text] = (float(ellipse.get("cx")), float(ellipse.get("cy")))
            continue
        numbers = [float(t) for t in re.findall(r"-?[0-9.]+", g.find(f"{SVG}polygon")
                                                .get("points"))]
        xs, ys = numbers[::2], numbers[1::2]
        out[title.text] = (sum(xs) / len(xs), sum(ys) / len(ys))
    return out


def against_the_flow(svg: str, rankdir: str) -> list[str]:
    """The edges whose head is not further along the flow than their tail."""
    at = centres(svg)
    axis = 1 if rankdir == "TB" else 0
    wrong = []
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        if g.get("class") != "edge":
            continue
        tail, head = g.find(f"{SVG}title").text.split("->")
        if at[head][axis] <= at[tail][axis]:
            wrong.append(f"{tail}->{head}")
    return wrong


@pytest.mark.parametrize("rankdir", ["TB", "LR"])
def test_micrograds_readme_expression_flows_one_way(renderer, rankdir):
    _, _, g = readme_expression()
    g.backward()
    assert against_the_flow(draw(g, rankdir=rankdir).svg(), rankdir) == []


def test_an_op_with_a_constant_and_a_deep_input_sits_below_that_input(renderer):
    x = Value(2.0, label="x")
    deep = x
    for _ in range(4):
        deep = deep * 1.5 + x
    y = 1 + deep + x
    y.label = "y"
    assert against_the_flow(draw(y, rankdir="TB").svg(), "TB") == []
