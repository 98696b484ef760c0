"""Rendering: find a Graphviz program, turn DOT into SVG/PNG, and the drawing object users get.

A renderer is found in this order: the program named by the ``VALUEGRAD_DOT`` environment
variable, the system ``dot``, then the static ``graphviz-pure`` program that pip installs with
valuegrad (located from the installed package, so an unactivated virtualenv works too).
SVG comes out responsive: it scales down to its container (a notebook column) instead of
overflowing it, and never grows past its natural size.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import graphviz

from ..output.files import check_target, write_file
from .placement import Plan, place

RENDERER_ENV = "VALUEGRAD_DOT"
RENDER_TIMEOUT_S = 120

_INSTALL_ADVICE = (
    "valuegrad draws with Graphviz but found no renderer. Fix one of:\n"
    "  * pip install graphviz-pure   (a static dot port; a dependency of valuegrad)\n"
    "  * install Graphviz so `dot` is on PATH (apt-get install graphviz, brew install graphviz)\n"
    f"  * set {RENDERER_ENV}=/path/to/dot\n"
    "DOT text needs no renderer: use graph.source or autograd.draw(...).source."
)


class RendererNotFoundError(RuntimeError):
    """No Graphviz renderer (dot or graphviz-pure) was found; the message says how to get one."""


class RenderError(RuntimeError):
    """The renderer ran but failed; the message holds what it printed."""


def _graphviz_pure_executable() -> str | None:
    """The graphviz-pure program installed with this Python's packages, or None."""
    import importlib.metadata  # slow to import; only needed when rendering

    try:
        dist = importlib.metadata.distribution("graphviz-pure")
    except importlib.metadata.PackageNotFoundError:
        return None
    for entry in dist.files or ():
        if entry.name in ("graphviz-pure", "graphviz-pure.exe"):
            path = Path(str(dist.locate_file(entry))).resolve()
            if path.is_file() and os.access(path, os.X_OK):
                return str(path)
    return None


def find_renderer() -> str:
    """Path of the program that turns DOT into SVG/PNG (env override, system dot, graphviz-pure)."""
    override = os.environ.get(RENDERER_ENV)
    if override:
        found = shutil.which(override)
        if found is None:
            raise RendererNotFoundError(
                f"{RENDERER_ENV}={override!r} is not an executable program.\n" + _INSTALL_ADVICE)
        return found
    system_dot = shutil.which("dot")
    if system_dot is not None:
        return system_dot
    pure = _graphviz_pure_executable()
    if pure is not None:
        return pure
    raise RendererNotFoundError(_INSTALL_ADVICE)


def render(source: str, fmt: str = "svg") -> bytes:
    """Run the renderer on DOT text and return the output bytes (fmt: 'svg' or 'png')."""
    if fmt not in ("svg", "png"):
        raise ValueError(f"fmt must be 'svg' or 'png', got {fmt!r}")
    return _run(source, ["-Kdot", f"-T{fmt}"])


def _run(source: str, args: list[str]) -> bytes:
    """Run the renderer with these arguments on DOT text; its output, or a RenderError."""
    program = find_renderer()
    try:
        done = subprocess.run([program, *args], input=source.encode("utf-8"),
                              capture_output=True, timeout=RENDER_TIMEOUT_S, check=False)
    except OSError as exc:
        raise RenderError(f"could not run the renderer {program!r}: {exc}") from exc
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"the renderer {program!r} took over {RENDER_TIMEOUT_S} s") from exc
    if done.returncode != 0 or not done.stdout:
        message = done.stderr.decode("utf-8", "replace").strip()[:2000]
        raise RenderError(f"{program} exited with {done.returncode}: {message}")
    return done.stdout


def measure(source: str) -> dict[str, tuple[float, float]]:
    """Width and height in points of every node of a DOT graph, as the renderer draws them."""
    sizes: dict[str, tuple[float, float]] = {}
    for line in _run(source, ["-Kdot", "-Tplain"]).decode("utf-8", "replace").splitlines():
        parts = line.split(" ", 6)
        if parts[0] == "node" and len(parts) >= 6:
            sizes[parts[1].strip('"')] = (float(parts[4]) * 72, float(parts[5]) * 72)
    return sizes


@dataclass
class Pinning:
    """A drawing valuegrad places and routes itself (placement.py): the renderer only draws it.

    base: the DOT text without dot's ordering hints; sizing: the same nodes alone, plus one
    plaintext node per group title and edge label, for measuring; plan: the graph as placement
    reads it.
    """

    base: str
    sizing: str
    plan: Plan


def pinned_source(pinning: Pinning) -> str | None:
    """The DOT text with every node's position and every box fixed; None to leave it to dot."""
    sizes = measure(pinning.sizing)
    titles = {g: sizes[f"title{g}"] for g in range(len(pinning.plan.groups))
              if f"title{g}" in sizes}
    placed = place(pinning.plan, sizes, titles)
    if placed is None:
        return None
    body: list[str] = []
    edge = 0
    for line in pinning.base.rstrip().splitlines()[:-1]:  # all but the closing brace
        if line.startswith("\t") and not line.startswith("\t\t") and " -> " in line:
            spline = f'pos="{placed.routes[edge]}"'  # edges come in the plan's order
            if edge in placed.labels:
                spline += ' lp="{:.2f},{:.2f}"'.format(*placed.labels[edge])
            edge += 1
            line = line[:-1] + f" {spline}]" if line.endswith("]") else line + f" [{spline}]"
        body.append(line)
    lines = [f'\t{n} [pos="{x:.2f},{y:.2f}"]' for n, (x, y) in placed.pos.items()]
    for g, (x0, y0, x1, y1) in placed.boxes.items():
        tx, ty = placed.titles[g]
        lines.append(f'\tsubgraph cluster_{g} {{ graph [bb="{x0:.2f},{y0:.2f},{x1:.2f},'
                     f'{y1:.2f}" lp="{tx:.2f},{ty:.2f}"] }}')
    lines.append('\tgraph [bb="{:.2f},{:.2f},{:.2f},{:.2f}"]'.format(*placed.bb))
    return "\n".join(body + lines) + "\n}\n"


_SVG_SIZE = re.compile(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"')


def responsive(svg: str) -> str:
    """Let an SVG shrink to its container's width (keeping its shape) but not grow past its size.

    Graphviz writes a fixed width and height in points plus a viewBox; with width 100% and the
    natural width as max-width, a browser scales the drawing to fit a notebook column.
    """
    match = _SVG_SIZE.search(svg)
    if match is None:
        return svg
    width, height = match.groups()
    return svg.replace(
        match.group(0),
        f'<svg width="100%" style="max-width:{width}pt;height:auto" '
        f'data-natural-width="{width}pt" data-natural-height="{height}pt"', 1)


# A drawing shown in a notebook never shrinks below this scale (its 12 pt text stays about
# 9.6 px tall): a wider one scrolls inside its own box instead of turning into a thumbnail.
LEGIBLE_SCALE = 0.6


def legible_html(svg: str, max_height: int | None = None) -> str:
    """The drawing as HTML for a notebook: fit to the column, but never below LEGIBLE_SCALE.

    A drawing that would have to shrink further keeps its legible size and scrolls inside a box
    of its own (both ways when `max_height` px is given).  The SVG goes in as an image, so two
    drawings in one notebook never share element ids.
    """
    match = re.search(r'data-natural-width="([0-9.]+)pt"', svg)
    width = float(match.group(1)) if match else 0.0
    floor = f"min-width:{width * LEGIBLE_SCALE:.0f}pt;" if width else ""
    cap = f"max-height:{max_height}px;overflow-y:auto;" if max_height else ""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f'<div class="vg-graph" style="max-width:100%;overflow-x:auto;{cap}">'
            f'<img alt="graph" src="data:image/svg+xml;base64,{data}" '
            f'style="display:block;width:100%;{floor}max-width:{width or 100000:.0f}pt;'
            'height:auto"/></div>')


class ValueGraph(graphviz.Digraph):
    """A graphviz.Digraph of Values that renders with valuegrad's renderer and shows in Jupyter."""

    pinning: Pinning | None = None  # set by autograd.draw for drawings it places itself

    def svg(self) -> str:
        """The drawing as SVG text."""
        return responsive(self._drawn("svg").decode("utf-8"))

    def png(self) -> bytes:
        """The drawing as PNG bytes."""
        return self._drawn("png")

    def placed_source(self) -> str:
        """The DOT text as rendered: with valuegrad's positions where it places the nodes itself.

        Render it with ``neato -n2`` (positions and edge splines kept); ``.source`` is the same
        drawing with ordering hints for ``dot``, which dot follows as far as its heuristics let it.
        """
        pinned = None if self.pinning is None else pinned_source(self.pinning)
        return self.source if pinned is None else pinned

    def _drawn(self, fmt: str) -> bytes:
        """The drawing rendered: placed by valuegrad where it can, else laid out by dot."""
        if fmt not in ("svg", "png"):
            raise ValueError(f"fmt must be 'svg' or 'png', got {fmt!r}")
        pinned = None if self.pinning is None else pinned_source(self.pinning)
        if pinned is None:
            return render(self.source, fmt)
        return _run(pinned, ["-Kneato", "-n2", f"-T{fmt}"])

    def save(self, path: str | os.PathLike[str] | None = None,
             directory: str | os.PathLike[str] | None = None, *,
             skip_existing: bool | None = False) -> Path | str:
        """Write the drawing to a .svg, .png or .dot/.gv file (chosen by the extension).

        Called the way graphviz calls it (with directory= or skip_existing=, or no path, as its
        render() does) it keeps graphviz's meaning: save the DOT source and return its path.
        """
        if path is None or directory is not None or skip_existing is not False:
            check_target(os.path.join(self.directory if directory is None else directory,
                                      self.filename if path is None else path), "a drawing")
            return super().save(path, directory=directory, skip_existing=skip_existing)
        target = Path(path)
        suffix = target.suffix.lower()
        if suffix not in (".svg", ".png", ".dot", ".gv"):
            raise ValueError(f"cannot tell the format from {str(path)!r}: use .svg, .png or .dot")
        check_target(target, "a drawing")  # before rendering: a FIFO would block forever
        data = (self.svg().encode("utf-8") if suffix == ".svg" else self.png()
                if suffix == ".png" else self.source.encode("utf-8"))
        write_file(target, data, what="a drawing")
        return target

    def _ours(self, fmt: str | None, engine: str | None, extra: Mapping[str, Any]) -> bool:
        """Whether a graphviz pipe()/render() call is plain dot to svg/png, which we can run."""
        return (fmt in ("svg", "png") and (engine or self.engine) == "dot"
                and not any(extra.values()))

    def pipe(self, format: str | None = None, renderer: str | None = None,  # noqa: A002
             formatter: str | None = None, neato_no_op: bool | int | None = None,
             quiet: bool = False, *, engine: str | None = None,
             encoding: str | None = None) -> bytes | str:
        """graphviz's pipe(); svg and png go through valuegrad's renderer (no dot on PATH)."""
        fmt = format or self.format
        if self._ours(fmt, engine, {"renderer": renderer, "formatter": formatter,
                                    "neato_no_op": neato_no_op}):
            out = self._drawn(fmt)
            return out.decode(encoding) if encoding is not None else out
        return super().pipe(format, renderer, formatter, neato_no_op, quiet, engine=engine,
                            encoding=encoding)

    def render(self, filename: str | os.PathLike[str] | None = None,
               directory: str | os.PathLike[str] | None = None, view: bool = False,
               cleanup: bool = False, format: str | None = None,  # noqa: A002
               **kwargs: Any) -> str:
        """graphviz's render(); svg and png go through valuegrad's renderer (no dot on PATH).

        Like graphviz it saves the DOT source as `filename` and writes `filename.svg` next to it.
        """
        fmt = format or self.format
        engine = kwargs.get("engine")
        extra = {k: v for k, v in kwargs.items() if k not in ("engine", "quiet")}
        if not self._ours(fmt, engine, extra):
            return super().render(filename, directory, view, cleanup, format, **kwargs)
        check_target(os.path.join(self.directory if directory is None else directory,
                                  self.filename if filename is None else filename), "a drawing")
        source_path = super().save(filename, directory=directory)
        rendered = f"{source_path}.{fmt}"
        write_file(rendered, self._drawn(fmt), what="a drawing")
        if cleanup:
            os.remove(source_path)
        if view:
            self._view(rendered, format=fmt, quiet=False)
        return rendered

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None,
                          **kwargs: Any) -> dict[str, Any]:
        """Jupyter display: inline SVG, or a text note when no renderer is installed."""
        try:
            svg = self.svg()
            return {"image/svg+xml": svg, "text/html": legible_html(svg)}
        except (RendererNotFoundError, RenderError) as exc:
            return {"text/plain": f"[graph not rendered: {exc}]"}


