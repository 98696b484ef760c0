"""One drawing, many frames: the step-through changes only texts and colours of a single layout.

Every frame starts from the same rendered SVG (so no box moves while the reader steps); a frame
fills in the values and gradients known at that moment (``?`` for the rest), colours the current
node and the edges its numbers flow along, and knows where that node sits so the page can keep it
in view.
"""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET

from ..core.value import Value
from ..explanations.rules import number
from ..viz.draw import _ACTIVE_EDGE, _ACTIVE_FILL

SVG = "{http://www.w3.org/2000/svg}"
ET.register_namespace("", SVG[1:-1])  # frames are written back as plain <svg>, not <ns0:svg>
PX_PER_PT = 4 / 3  # Graphviz measures in points; a browser shows 1pt as 4/3 px


def _number_pairs(text: str) -> list[tuple[float, float]]:
    values = [float(t) for t in re.findall(r"-?[0-9.]+(?:e-?\d+)?", text)]
    return list(zip(values[::2], values[1::2], strict=False))


class Layout:
    """The shared drawing; ``frame()`` makes one frame's SVG from it."""

    def __init__(self, svg: str, order: list[Value], number_format: str) -> None:
        self.root = ET.fromstring(svg)
        self.ids = {v: f"n{i}" for i, v in enumerate(order)}  # as draw() numbers them
        self.number_format = number_format
        # A fixed pixel size instead of the drawing's responsive width: the page zooms itself.
        width = float(self.root.get("data-natural-width", self.root.get("width", "100pt"))
                      .rstrip("pt") or 100)
        height = float(self.root.get("data-natural-height", self.root.get("height", "100pt"))
                       .rstrip("pt") or 100)
        self.width, self.height = width * PX_PER_PT, height * PX_PER_PT
        for attr in ("style", "data-natural-width", "data-natural-height"):
            self.root.attrib.pop(attr, None)
        self.root.set("width", f"{self.width:.0f}")
        self.root.set("height", f"{self.height:.0f}")
        self.centres = self._centres()

    def _centres(self) -> dict[str, tuple[float, float]]:
        """Each node box's centre in page pixels at zoom 1 (for keeping it in view)."""
        box = [float(t) for t in (self.root.get("viewBox") or "0 0 1 1").split()]
        scale = self.width / box[2] if box[2] else PX_PER_PT
        graph = self.root.find(SVG + "g")
        found = None if graph is None else re.search(r"translate\(([^)]*)\)",
                                                     graph.get("transform", ""))
        shift = _number_pairs(found.group(1)) if found is not None else [(0.0, 0.0)]
        dx, dy = shift[0] if shift else (0.0, 0.0)
        out = {}
        for g in self.root.iter(SVG + "g"):
            title = g.find(SVG + "title")
            shape = g.find(SVG + "polygon")
            if g.get("class") != "node" or title is None or shape is None:
                continue
            points = _number_pairs(shape.get("points", ""))
            if points:
                xs, ys = [p[0] for p in points], [p[1] for p in points]
                out[title.text or ""] = ((sum(xs) / len(xs) + dx) * scale,
                                         (sum(ys) / len(ys) + dy) * scale)
        return out

    def centre(self, v: Value) -> tuple[float, float]:
        """Where `v`'s box is, in pixels of the unzoomed drawing."""
        return self.centres.get(self.ids[v], (self.width / 2, self.height / 2))

    def page_svg(self, values: dict[Value, float | None], grads: dict[Value, float | None]
                 ) -> tuple[str, dict[str, list[str]]]:
        """The page's one drawing, showing these numbers, and the element ids of each edge title.

        Every node box gets id ``b<node>`` (its op ``b<node>op``), its data and grad texts
        ``d<node>`` and ``g<node>``, every edge ``e<k>``: a frame of the page names only what
        changes, so the page grows with the number of frames, not frames times nodes.
        """
        tree = copy.deepcopy(self.root)
        edges: dict[str, list[str]] = {}
        boxes: dict[str, ET.Element] = {}
        count = 0
        for g in tree.iter(SVG + "g"):
            g.attrib.pop("id", None)
            title = g.find(SVG + "title")
            if title is None:
                continue
            if g.get("class") == "edge":
                edges.setdefault(title.text or "", []).append(f"e{count}")
                g.set("id", f"e{count}")
                count += 1
            elif g.get("class") == "node" and (title.text or "") not in boxes:
                boxes[title.text or ""] = g
                g.set("id", f"b{title.text}")
        for v, node_id in self.ids.items():
            texts = boxes[node_id].findall(SVG + "text")
            if len(texts) < 3:
                continue
            texts[-2].set("id", f"d{node_id}")
            texts[-1].set("id", f"g{node_id}")
            texts[-2].text = self.data_text(values.get(v))
            if not (v.is_leaf and not v.requires_grad):
                texts[-1].text = self.grad_text(grads.get(v))
        return ET.tostring(tree, encoding="unicode"), edges

    def edge_titles(self, active: list[Value], edges: list[tuple[Value, Value]]) -> list[str]:
        """The titles of the drawn edges a frame colours: its inputs' and the op's own."""
        lit = [f"{self.ids[x]}->{self.ids[v]}op" for x, v in edges]
        return lit + [f"{self.ids[v]}op->{self.ids[v]}" for v in active
                      if v.op is not None and edges]

    def data_text(self, data: float | None) -> str:
        """What a box's data field says: the number, or ? while it is not known."""
        return f"data {'?' if data is None else number(data, self.number_format)}"

    def grad_text(self, grad: float | None) -> str:
        """What a box's grad field says: the gradient so far, or ? before backward reaches it."""
        return f"grad {'?' if grad is None else number(grad, self.number_format)}"

    def frame(self, values: dict[Value, float | None], grads: dict[Value, float | None],
              active: list[Value], edges: list[tuple[Value, Value]]) -> str:
        """The SVG of one frame: these numbers shown, `active` and its edges highlighted."""
        tree = copy.deepcopy(self.root)
        by_title: dict[str, list[ET.Element]] = {}  # x*x draws two edges with one title
        for g in tree.iter(SVG + "g"):
            title = g.find(SVG + "title")
            if title is not None and g.get("class") in ("node", "edge"):
                by_title.setdefault(title.text or "", []).append(g)
            g.attrib.pop("id", None)  # every frame has the same ids: the page holds them all
        for v, node_id in self.ids.items():
            texts = by_title[node_id][0].findall(SVG + "text")
            if len(texts) < 3:
                continue
            texts[-2].text = self.data_text(values.get(v))
            if not (v.is_leaf and not v.requires_grad):  # a constant's box says "no grad"
                texts[-1].text = self.grad_text(grads.get(v))
        for v in active:
            hot = self.ids[v]
            box = by_title[hot][0]
            box.set("class", "node active")
            for shape in (box.find(SVG + "polygon"),
                          *(g.find(SVG + "ellipse") for g in by_title.get(hot + "op", []))):
                if shape is not None:
                    shape.set("fill", _ACTIVE_FILL)
                    shape.set("stroke-width", "2")
        lit = self.edge_titles(active, edges)
        for part in (p for title in lit for edge in by_title.get(title, []) for p in edge):
            if part.tag in (SVG + "path", SVG + "polygon"):
                part.set("stroke", _ACTIVE_EDGE)
                part.set("stroke-width", "2.5")
                if part.tag == SVG + "polygon":  # the arrowhead
                    part.set("fill", _ACTIVE_EDGE)
        return ET.tostring(tree, encoding="unicode")
