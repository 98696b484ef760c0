"""Reading rendered SVG in tests: the root element, Graphviz's node/edge/cluster groups, text."""

from __future__ import annotations

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
