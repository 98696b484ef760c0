"""The exploration widget: an anywidget around a session (session.py, nn/viz/explore.py).

Importing this module needs anywidget (and so ipywidgets); explore.show() falls back to the
static drawing when it cannot.  The front-end is explore.js next to this file, an ES module that
fetches nothing: it puts the session's SVG on the page, draws a slider per knob, and writes the
texts Python sends into the SVG's marked text nodes.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import anywidget
import traitlets

from .replay import finite_number

_HERE = resources.files(__package__)


class Explorer(anywidget.AnyWidget):
    """Sliders, a drawing whose numbers follow them, a node's explanation; a step for networks."""

    _esm = (_HERE / "explore.js").read_text(encoding="utf-8")
    _css = (_HERE / "explore.css").read_text(encoding="utf-8")

    svg = traitlets.Unicode("").tag(sync=True)
    # Knob.as_dict() per slider
    knobs: traitlets.List[dict[str, Any]] = traitlets.List().tag(sync=True)
    values = traitlets.Dict().tag(sync=True)  # knob key -> number; the front-end writes it
    texts = traitlets.Dict().tag(sync=True)  # text key -> text now
    summary = traitlets.Unicode("").tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)  # the node clicked (its key)
    detail = traitlets.Dict().tag(sync=True)  # title, header, rows, paths of the selected node
    can_step = traitlets.Bool(False).tag(sync=True)
    lr = traitlets.Float(0.1).tag(sync=True)
    step_log = traitlets.Dict().tag(sync=True)  # the last step: the weights before and after
    error = traitlets.Unicode("").tag(sync=True)

    def __init__(self, session: Any, static: dict[str, Any]) -> None:
        self._session = session
        self._static = static
        super().__init__(svg=session.svg, knobs=[k.as_dict() for k in session.knobs],
                         values=dict(session.values), texts=session.texts(),
                         summary=session.summary(), can_step=session.can_step,
                         lr=getattr(session, "lr", 0.1))
        self.observe(self._moved, names="values")
        self.observe(self._clicked, names="selected")
        self.on_msg(self._message)

    # --- what the front-end changes ----------

    def _moved(self, change: dict[str, Any]) -> None:
        try:
            texts = self._session.update(change["new"])
        except (TypeError, ValueError, KeyError) as exc:
            self.error = str(exc)
            return
        self.error = ""
        self.texts = texts
        self.summary = self._session.summary()
        if self.selected:
            self.detail = self._session.detail(self.selected)

    def _clicked(self, change: dict[str, Any]) -> None:
        self.detail = self._session.detail(change["new"]) if change["new"] else {}

    def _message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("kind") == "step":
            self.step()

    # --- the same from Python ----------

    def set(self, node: str, value: float) -> None:
        """Move the slider of the leaf shown as `node` (a name or key) to `value`."""
        key = self._session.key_of(node)
        if key not in self.values:
            raise KeyError(f"{node!r} has no slider (a constant or an interior node)")
        self.values = {**self.values, key: finite_number(value, f"the number for {node!r}")}
        if self.error:
            raise ValueError(self.error)

    def select(self, node: str) -> dict[str, Any]:
        """Show the explanation of the node shown as `node`, as a click does; returns it."""
        self.selected = self._session.key_of(node)
        return self.detail

    def numbers(self) -> dict[str, tuple[float, float]]:
        """Each node's (data, grad) as the widget shows them now, by name."""
        return self._session.numbers()

    def step(self) -> dict[str, Any]:
        """One gradient-descent step with the widget's learning rate (networks only)."""
        try:
            rate = finite_number(self.lr, "the learning rate")
            if not rate > 0:
                raise ValueError(f"the learning rate must be positive, got {rate!r}")
            log, values = self._session.step(rate)
        except (TypeError, ValueError) as exc:
            self.error = str(exc)
            return {}
        self.values = values  # moves the sliders and recomputes (_moved)
        self.step_log = log
        return log

    # --- display ----------

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The widget, with the static drawing for front-ends that cannot show widgets."""
        found = super()._repr_mimebundle_(**kwargs)
        if found is None:
            return self._static
        data, metadata = found if isinstance(found, tuple) else (found, {})
        return {**self._static, **data}, metadata

    def __repr__(self) -> str:
        return f"<explore: {self.summary}>" if self.summary else "<explore>"
