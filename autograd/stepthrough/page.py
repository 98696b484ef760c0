"""The step-through page: every frame inline, with pan and zoom, in one file that fetches nothing.

The view opens at a legible scale (the whole drawing if it fits at a readable size, else 1:1
around the current node) and follows the current node from frame to frame.  Controls: previous /
next buttons, a slider and the arrow keys for frames; + / - buttons, the mouse wheel and the
+ - keys for zoom; dragging pans; the fit / 1:1 button (key f) switches between the whole
drawing and actual size.
"""

from __future__ import annotations

from ..output.escape import html_text

LEGIBLE_SCALE = 0.75  # below this the drawing's 12 pt text is under 12 px: open at 1:1 instead

_STYLE = """
body { font-family: sans-serif; margin: 0; }
header { padding: 8px 12px; border-bottom: 1px solid #ccc; background: #fafafa; }
h1 { font-size: 18px; margin: 0 0 6px 0; }
button { font-size: 15px; padding: 3px 10px; }
#slider { width: 260px; vertical-align: middle; }
#line { font-family: monospace; font-size: 16px; margin: 6px 0 0 0; min-height: 2.6em;
        white-space: pre-wrap; }
#phase { font-weight: bold; }
#view { position: relative; overflow: hidden; height: calc(100vh - 150px); cursor: grab;
        background: white; }
#stage { position: absolute; left: 0; top: 0; transform-origin: 0 0; }
.frame .caption { display: none; }
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
  function apply() {
    stage.style.transform = "translate(" + tx + "px," + ty + "px) scale(" + s + ")";
    document.getElementById("zoom").textContent = Math.round(s * 100) + "%";
  }
  function fitScale() {
    return Math.min(view.clientWidth / W, view.clientHeight / H, 1);
  }
  function centreOn(x, y) {
    tx = view.clientWidth / 2 - x * s; ty = view.clientHeight / 2 - y * s; apply();
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
    for (var k = 0; k !== frames.length; k++) { frames[k].hidden = (k !== i); }
    current = i;
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


def page(title: str, frames: list[tuple[str, str, str, tuple[float, float]]], width: float,
         height: float) -> str:
    """The whole page: frames are (phase, caption, svg, centre of the current node in px)."""
    blocks = []
    for i, (phase, caption, svg, (x, y)) in enumerate(frames):
        hidden = "" if i == 0 else ' hidden="hidden"'
        blocks.append(
            f'<div class="frame"{hidden} data-phase="{html_text(phase)}" '
            f'data-caption="{html_text(caption)}" data-x="{x:.1f}" data-y="{y:.1f}">'
            f'<p class="caption">{html_text(caption)}</p>{svg}</div>')
    last = len(frames) - 1
    safe_title = html_text(title)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<title>{safe_title}</title>
<style>{_STYLE}</style>
</head>
<body>
<header>
<h1>{safe_title}</h1>
<div>
<button id="prev" type="button" title="previous frame (left arrow)">&#9664; previous</button>
<input id="slider" type="range" min="0" max="{last}" value="0" aria-label="frame"/>
<button id="next" type="button" title="next frame (right arrow)">next &#9654;</button>
<span id="counter"></span>
&#160;&#160;
<button id="zoomout" type="button" title="zoom out (-, mouse wheel)">&#8722;</button>
<span id="zoom"></span>
<button id="zoomin" type="button" title="zoom in (+, mouse wheel)">+</button>
<button id="fit" type="button" title="whole drawing / actual size (f)">fit</button>
<span>(arrow keys step, drag to pan)</span>
</div>
<p id="line"><span id="phase"></span> <span id="caption"></span></p>
</header>
<div id="view">
<div id="stage" data-width="{width:.0f}" data-height="{height:.0f}" data-legible="{LEGIBLE_SCALE}">
{chr(10).join(blocks)}
</div>
</div>
<script>{_SCRIPT}</script>
</body>
</html>
"""
