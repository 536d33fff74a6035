"""The controls, built from the settings' specs, and :class:`Tool`, the base both interactive tools share.

Controls are plain ipywidgets that exist in both ipywidgets 7.8 (Google Colab) and 8.1 (JupyterLab 4);
pictures are PNG frames pushed through display handles (see :mod:`.live`), so a saved notebook shows them
without a kernel.

Stable names for browser tests (CSS classes set with ``add_class``, same in ipywidgets 7 and 8):

- ``optloop-playground`` / ``optloop-step-explorer``: the box holding a tool's controls;
- ``optloop-control-<name>``: each control, e.g. ``optloop-control-lr``, ``optloop-control-epochs``,
  ``optloop-control-optimizer``, ``optloop-control-momentum``, ``optloop-control-loss``,
  ``optloop-control-batch_size``, ``optloop-control-noise``, ``optloop-control-seed``, ``optloop-control-preset``,
  ``optloop-control-log_scale``; each also has its spec's ``label`` as its description (e.g. "learning
  rate"); a control whose setting does not matter with the others' values is ``disabled`` (greyed out);
- ``optloop-status``: the line under the controls: "training N epochs..." while a run is going, and errors
  (how a run ended is the picture's headline, in the PNG).

The picture is the ``display_data`` output right after the controls: a PNG whose text/plain is
``<optloop playground view>`` or ``<optloop step explorer view>``.

Example::

    >>> slider = make_control("lr", 0.01)
    >>> slider.description, slider.min, slider.max
    ('learning rate', -4.0, 1.0)
"""

from __future__ import annotations

import html
import math
import threading
from typing import Any

from .._validate import check_choice
from ..loop import History
from .coalesce import Coalescer
from .settings import CONTROL_NAMES, SPECS

_STYLE = {"description_width": "initial"}


def make_control(name: str, value: Any) -> Any:
    """A widget for the setting ``name`` (from ``SPECS``) showing ``value``: its spec's kind, bounds and label."""
    import ipywidgets as widgets

    spec = SPECS[check_choice("name", name, CONTROL_NAMES)]
    common: dict[str, Any] = {"layout": widgets.Layout(width=spec.width)} if spec.width else {}
    common.update(description=spec.label, style=_STYLE)
    readout = {"readout_format": spec.readout} if spec.readout else {}
    if spec.kind == "log":
        control = widgets.FloatLogSlider(value=value, base=10, min=math.log10(spec.low), max=math.log10(spec.high),
                                         step=spec.step, **readout, **common)
    elif spec.kind == "float":
        control = widgets.FloatSlider(value=value, min=spec.low, max=spec.high, step=spec.step, **readout, **common)
    elif spec.kind == "int":
        control = widgets.IntSlider(value=value, min=spec.low, max=spec.high, step=spec.step, **common)
    elif spec.kind == "int_text":
        control = widgets.BoundedIntText(value=value, min=spec.low, max=spec.high, **common)
    elif spec.kind in ("choice", "int_choice"):
        control = widgets.Dropdown(options=[(label, spec.widget_value(key)) for key, label in spec.choices.items()],
                                   value=spec.widget_value(value), **common)
    else:
        control = widgets.Checkbox(value=value, **common)
    control.add_class(f"optloop-control-{name}")
    return control


def display_widget(widget: Any, text: str) -> None:
    """Display ``widget`` with a fixed text/plain (the same in ipywidgets 7 and 8, so nbval stays stable)."""
    from IPython.display import display

    view = {"version_major": 2, "version_minor": 0, "model_id": widget.model_id}
    display({"application/vnd.jupyter.widget-view+json": view, "text/plain": text}, raw=True)


def error_text(error: BaseException) -> str:
    """A one-line message for the view when something failed, instead of a traceback."""
    return f"something went wrong: {type(error).__name__}: {error}"


def red_html(text: str) -> str:
    """``text`` as red HTML, for the status line."""
    return f'<span style="color:#b71c1c">{html.escape(text)}</span>'


class Tool:
    """What both interactive tools share: controls in a box, a view, one run at a time, rapid changes
    coalesced into one run (latest values win), errors shown as a message, display with a fixed text.

    A subclass names itself (``name``), calls ``__init__`` with its view and controls, and implements
    ``_run()``: one run with the controls' current values, drawn on the view, returning its ``History``.
    """

    name = "tool"

    def __init__(self, view: Any, controls: dict[str, Any], status: bool = False) -> None:
        import ipywidgets as widgets

        self.view = view
        self.controls = controls
        self.status = widgets.HTML(value="") if status else None  # a line under the controls
        if self.status is not None:
            self.status.add_class("optloop-status")
        self.history: History | None = None
        self.error: BaseException | None = None
        self._run_lock = threading.RLock()  # one run at a time, whichever thread asks
        self._coalescer = Coalescer(self._run_safely)

    def _box(self, children: list[Any]) -> Any:
        import ipywidgets as widgets

        box = widgets.VBox(children)
        box.add_class("optloop-" + self.name.replace(" ", "-"))
        return box

    def run(self) -> History:
        """Run now, synchronously, with the current values; update the view; return the ``History``."""
        with self._run_lock:
            self._coalescer.cancel()  # this run uses the latest values: a pending one would be stale
            self.history = self._run()
            self.error = None
            return self.history

    def _run(self) -> History:
        raise NotImplementedError

    def _run_safely(self) -> None:
        try:
            self.run()
        except Exception as error:  # a widget callback must never raise into the notebook
            self._show_error(error)

    def _show_error(self, error: BaseException) -> None:
        self.error = error
        message = error_text(error)
        if self.status is not None:
            self.status.value = red_html(message)
        try:
            self.view.show_message(message)
        except Exception:  # the view itself failed: the status line still says what happened
            pass

    def _ipython_display_(self) -> None:
        if self.history is None:
            self._run_safely()
        labels = ", ".join(SPECS[name].label for name in self.controls)
        display_widget(self.box, f"<optloop {self.name}: {labels}>")
        self.view.show()
