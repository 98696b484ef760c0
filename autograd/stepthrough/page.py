"""The step-through page: one drawing and the frames' changes, in one file that fetches nothing.

The page holds the drawing once; each frame names only the texts it changes and the boxes and
edges it lights, so the page grows linearly with the graph.  The view opens at a legible scale
(the whole drawing if it fits at a readable size, else 1:1 around the current node, the drawing
kept against the view's edges rather than a blank band) and follows the current node from frame
to frame.  Controls: previous / next buttons, a slider and the arrow keys for frames; + / -
buttons, the mouse wheel and the + - keys for zoom; dragging pans; the fit / 1:1 button (key f)
switches between the whole drawing and actual size.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

from ..output.escape import html_text
from ..viz.draw import _ACTIVE_EDGE, _ACTIVE_FILL

LEGIBLE_SCALE = 0.75  # below this the drawing's 12 pt text is under 12 px: open at 1:1 instead
EMBED_HEIGHT = 620  # px: the frame a notebook shows the page in


@dataclass(frozen=True)
class PageFrame:
    """What one frame of the page changes: texts by element id, and the ids it lights."""

    phase: str
    caption: str
    focus: tuple[float, float]  # the current node's centre, px at zoom 1
    texts: list[str]  # element id, new text, element id, new text, ...
    lit: list[str]  # ids of the boxes and edges drawn highlighted


_STYLE = """
html, body { height: 100%; }
body { font-family: sans-serif; margin: 0; display: flex; flex-direction: column; }
header { padding: 6px 10px; border-bottom: 1px solid #ccc; background: #fafafa; flex: none; }
h1 { font-size: 16px; margin: 0 0 4px 0; white-space: nowrap; overflow: hidden;
     text-overflow: ellipsis; }
#bar { display: flex; align-items: center; gap: 6px; flex-wrap: nowrap; white-space: nowrap; }
button { font-size: 14px; padding: 2px 8px; }
#slider { flex: 1 1 auto; min-width: 60px; }
#counter { min-width: 7.5em; }
#zoom { min-width: 3em; text-align: center; }
#line { font-family: monospace; font-size: 15px; margin: 4px 0 0 0; min-height: 2.4em;
        max-height: 4.8em; overflow-y: auto; white-space: pre-wrap; }
#phase { font-weight: bold; }
#view { position: relative; overflow: hidden; flex: 1 1 auto; min-height: 240px;
        cursor: grab; background: white; }
#stage { position: absolute; left: 0; top: 0; transform-origin: 0 0; }
.frame { display: none; }
"""

_LIT = f"""
g.lit > polygon, g.lit > ellipse {{ fill: {_ACTIVE_FILL}; stroke-width: 2px; }}
g.edge.lit > path, g.edge.lit > polygon {{ stroke: {_ACTIVE_EDGE}; stroke-width: 2.5px; }}
g.edge.lit > polygon {{ fill: {_ACTIVE_EDGE}; }}
"""

_SCRIPT = """
(function () {
  var frames = document.getElementsByClassName("frame");
  var slider = document.getElementById("slider");
  var counter = document.getElementById("counter");
  var caption = document.getElementById("caption");
  var phase = document.getElementById("phase");
  var view = document.getElementById("view");
  var stage = document.getElementById("stage");
  var fitButton = document.getElementById("fit");
  var W = Number(stage.dataset.width), H = Number(stage.dataset.height);
  var LEGIBLE = Number(stage.dataset.legible);
  var s = 1, tx = 0, ty = 0, current = 0;
  // Each frame's changes (id, text, id, text, ...) and lit ids, and every changed text's start.
  var changes = [], lit = [], start = {}, nodes = {};
  function el(id) {
    if (!(id in nodes)) { nodes[id] = document.getElementById(id); }
    return nodes[id];
  }
  for (var k = 0; k !== frames.length; k++) {
    changes.push(JSON.parse(frames[k].dataset.texts));
    lit.push(JSON.parse(frames[k].dataset.lit));
    for (var j = 0; j !== changes[k].length; j += 2) {
      var id = changes[k][j];
      if (!(id in start)) { if (el(id)) { start[id] = el(id).textContent; } }
    }
  }
  var shownLit = [];
  function paint(i) {
    for (var id in start) { el(id).textContent = start[id]; }
    for (var k = 0; k !== i + 1; k++) {
      for (var j = 0; j !== changes[k].length; j += 2) {
        var t = el(changes[k][j]);
        if (t) { t.textContent = changes[k][j + 1]; }
      }
    }
    shownLit.forEach(function (e) { e.classList.remove("lit"); });
    shownLit = lit[i].map(el).filter(function (e) { return e; });
    shownLit.forEach(function (e) { e.classList.add("lit"); });
  }
  function apply() {
    stage.style.transform = "translate(" + tx + "px," + ty + "px) scale(" + s + ")";
    document.getElementById("zoom").textContent = Math.round(s * 100) + "%";
  }
  function fitScale() {
    return Math.min(view.clientWidth / W, view.clientHeight / H, 1);
  }
  function clampAxis(t, size, room) {
    // A drawing larger than the view keeps its edges at or beyond the view's: no blank band.
    if (size > room) { return Math.min(0, Math.max(room - size, t)); }
    return (room - size) / 2;
  }
  function centreOn(x, y) {
    tx = clampAxis(view.clientWidth / 2 - x * s, W * s, view.clientWidth);
    ty = clampAxis(view.clientHeight / 2 - y * s, H * s, view.clientHeight);
    apply();
  }
  function keepInView() {
    var f = frames[current], x = Number(f.dataset.x), y = Number(f.dataset.y);
    var px = x * s + tx, py = y * s + ty, m = 60;
    // (no less-than sign anywhere in this script: the page stays well-formed XML)
    if (m > px || m > py || px > view.clientWidth - m || py > view.clientHeight - m) {
      centreOn(x, y);
    }
  }
  function fit() {
    s = fitScale();
    tx = (view.clientWidth - W * s) / 2; ty = (view.clientHeight - H * s) / 2;
    fitButton.textContent = "1:1"; apply();
  }
  function actual() {
    s = 1; fitButton.textContent = "fit";
    var f = frames[current]; centreOn(Number(f.dataset.x), Number(f.dataset.y));
  }
  function zoom(factor, cx, cy) {
    var next = Math.max(0.05, Math.min(8, s * factor));
    if (cx === undefined) { cx = view.clientWidth / 2; cy = view.clientHeight / 2; }
    tx = cx - (cx - tx) * (next / s); ty = cy - (cy - ty) * (next / s); s = next;
    fitButton.textContent = "fit"; apply();
  }
  function show(i) {
    i = Math.max(0, Math.min(frames.length - 1, i));
    frames[current].hidden = true; frames[i].hidden = false;
    current = i;
    paint(i);
    slider.value = String(i);
    counter.textContent = "frame " + i + " of " + (frames.length - 1);
    caption.textContent = frames[i].dataset.caption;
    phase.textContent = frames[i].dataset.phase;
    keepInView();
  }
  document.getElementById("prev").onclick = function () { show(current - 1); };
  document.getElementById("next").onclick = function () { show(current + 1); };
  document.getElementById("zoomin").onclick = function () { zoom(1.25); };
  document.getElementById("zoomout").onclick = function () { zoom(0.8); };
  fitButton.onclick = function () {
    if (fitButton.textContent === "fit") { fit(); } else { actual(); }
  };
  slider.oninput = function () { show(Number(slider.value)); };
  view.addEventListener("wheel", function (e) {
    e.preventDefault();
    var r = view.getBoundingClientRect();
    zoom(0 > e.deltaY ? 1.15 : 1 / 1.15, e.clientX - r.left, e.clientY - r.top);
  }, { passive: false });
  var drag = null;
  view.onmousedown = function (e) { drag = [e.clientX - tx, e.clientY - ty]; };
  window.onmouseup = function () { drag = null; };
  window.onmousemove = function (e) {
    if (drag) { tx = e.clientX - drag[0]; ty = e.clientY - drag[1]; apply(); }
  };
  document.onkeydown = function (e) {
    if (e.target === slider) {
      if (e.key === "ArrowLeft" || e.key === "ArrowRight") { return; }  // the slider moves itself
    }
    if (e.key === "ArrowLeft") { show(current - 1); }
    else if (e.key === "ArrowRight") { show(current + 1); }
    else if (e.key === "Home") { show(0); }
    else if (e.key === "End") { show(frames.length - 1); }
    else if (e.key === "+" || e.key === "=") { zoom(1.25); }
    else if (e.key === "-") { zoom(0.8); }
    else if (e.key === "f") { fitButton.onclick(); }
    else if (e.key === "1") { actual(); }
    else { return; }
    e.preventDefault();
  };
  if (fitScale() >= LEGIBLE) { fit(); } else { actual(); }
  show(0);
})();
"""


def _json(items: list[str]) -> str:
    return html.escape(json.dumps(items, ensure_ascii=False), quote=True)


def page(title: str, svg: str, frames: list[PageFrame], width: float, height: float) -> str:
    """The whole page: the drawing once, then per frame its caption and changes."""
    blocks = []
    for i, f in enumerate(frames):
        hidden = "" if i == 0 else ' hidden="hidden"'
        x, y = f.focus
        blocks.append(
            f'<div class="frame"{hidden} data-phase="{html_text(f.phase)}" '
            f'data-caption="{html_text(f.caption)}" data-x="{x:.1f}" data-y="{y:.1f}" '
            f'data-texts="{_json(f.texts)}" data-lit="{_json(f.lit)}"></div>')
    last = len(frames) - 1
    safe_title = html_text(title)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<title>{safe_title}</title>
<style>{_STYLE}{_LIT}</style>
</head>
<body>
<header>
<h1>{safe_title}</h1>
<div id="bar">
<button id="prev" type="button" title="previous frame (left arrow)">&#9664;</button>
<input id="slider" type="range" min="0" max="{last}" value="0" aria-label="frame"/>
<button id="next" type="button" title="next frame (right arrow)">&#9654;</button>
<span id="counter"></span>
<button id="zoomout" type="button" title="zoom out (-, mouse wheel)">&#8722;</button>
<span id="zoom"></span>
<button id="zoomin" type="button" title="zoom in (+, mouse wheel)">+</button>
<button id="fit" type="button" title="whole drawing / actual size (f)">fit</button>
<span title="arrow keys step, + and - zoom, drag to pan">keys &#8592; &#8594; + &#8722;</span>
</div>
<p id="line"><span id="phase"></span> <span id="caption"></span></p>
</header>
<div id="view" title="drag to pan, wheel to zoom">
<div id="stage" data-width="{width:.0f}" data-height="{height:.0f}" data-legible="{LEGIBLE_SCALE}">
{svg}
</div>
{chr(10).join(blocks)}
</div>
<script>{_SCRIPT}</script>
</body>
</html>
"""


def embed(page_html: str, height: int = EMBED_HEIGHT) -> str:
    """The page inside a frame a notebook column wide (its script runs there, not in Jupyter)."""
    return (f'<iframe class="vg-steps" title="step-through" srcdoc="{html.escape(page_html)}" '
            f'style="width:100%;max-width:100%;height:{height}px;border:1px solid #ccc" '
            f'sandbox="allow-scripts"></iframe>')
