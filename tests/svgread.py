"""Reading rendered SVG in tests: the root element, Graphviz's node/edge/cluster groups, text."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def svg_root(graph) -> ET.Element:
    """The parsed SVG of a drawing object (anything with ``.svg()``)."""
    return ET.fromstring(graph.svg())


def groups(root: ET.Element, cls: str) -> list[ET.Element]:
    """Graphviz's ``<g class=cls>`` groups ('node', 'edge', 'cluster') under root."""
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == cls]


def node_text(group: ET.Element) -> str:
    """All text lines of one group, joined by newlines."""
    return "\n".join(t.text or "" for t in group.iter(f"{SVG}text"))


def titled(root: ET.Element, prefix: str) -> list[ET.Element]:
    """Node and edge groups whose hover title starts with prefix."""
    return [g for g in root.iter(f"{SVG}g") if g.get("class") in ("node", "edge")
            and (g.findtext(f"{SVG}title") or "").startswith(prefix)]


def text_box(text: ET.Element) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of one <text>, its width estimated from Helvetica's digits."""
    size = float(text.get("font-size", "14"))
    x, y = float(text.get("x")), float(text.get("y"))
    width = 0.56 * size * len(text.text or "")
    anchor = text.get("text-anchor", "start")
    left = x - {"start": 0.0, "middle": width / 2, "end": width}[anchor]
    return left, y - 0.8 * size, left + width, y + 0.2 * size


def path_points(d: str, steps: int = 24) -> list[tuple[float, float]]:
    """Points along a Graphviz path ("M x,y C x,y x,y x,y ..."), each cubic sampled finely."""
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", d)]
    pairs = list(zip(numbers[::2], numbers[1::2]))
    points = [pairs[0]]
    for i in range(1, len(pairs) - 2, 3):
        p0, p1, p2, p3 = pairs[i - 1], pairs[i], pairs[i + 1], pairs[i + 2]
        for s in range(1, steps + 1):
            t = s / steps
            a, b, c, e = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t ** 3
            points.append((a * p0[0] + b * p1[0] + c * p2[0] + e * p3[0],
                           a * p0[1] + b * p1[1] + c * p2[1] + e * p3[1]))
    return points


def box_distance(box: tuple[float, float, float, float], point: tuple[float, float]) -> float:
    """Distance from a point to a box (0 inside it)."""
    left, top, right, bottom = box
    dx = max(left - point[0], 0.0, point[0] - right)
    dy = max(top - point[1], 0.0, point[1] - bottom)
    return math.hypot(dx, dy)
