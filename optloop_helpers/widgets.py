"""Widgets: the controls, the step explorer (notebook 05) and the shared display plumbing.

Controls are plain ipywidgets that exist in both ipywidgets 7.8 (Google Colab) and 8.1 (JupyterLab 4);
pictures are PNG frames pushed through display handles (see :mod:`optloop_helpers.live`), so a saved
notebook shows them without a kernel. The playground itself lives in :mod:`optloop_helpers.playground_widget`.

Stable names for browser tests (CSS classes set with ``add_class``, same in ipywidgets 7 and 8):

- ``optloop-playground`` / ``optloop-step-explorer``: the box holding a tool's controls;
- ``optloop-control-<name>``: each control, e.g. ``optloop-control-lr``, ``optloop-control-epochs``,
  ``optloop-control-optimizer``, ``optloop-control-loss``, ``optloop-control-noise``,
  ``optloop-control-seed``, ``optloop-control-preset``, ``optloop-control-log_scale``; each also has the
  ``description`` listed in ``DESCRIPTIONS`` (e.g. "learning rate");
- ``optloop-status``: the one-line status under the controls (epoch counter, final numbers, messages).

The picture is the ``display_data`` output right after the controls: a PNG whose text/plain is
``<optloop playground view>`` or ``<optloop step explorer view>``.

Example::

    >>> explorer = step_explorer()
    >>> explorer.controls["lr"].value = 0.1
    >>> [round(explorer.history.param(name)[0], 4) for name in ("weights", "bias")]
    [0.3757, 0.2288]
"""

from __future__ import annotations

import threading
from typing import Any

import torch

from ._validate import LINE, check_between, check_choice, check_data
from .coalesce import Coalescer
from .experiment import LOSSES, LR_RANGE, OPTIMIZERS, make_data, make_loss_fn, start_model
from .loop import History, fit

DESCRIPTIONS = {
    "preset": "preset",
    "lr": "learning rate",
    "epochs": "epochs",
    "optimizer": "optimizer",
    "loss": "loss",
    "noise": "data noise",
    "seed": "seed",
    "log_scale": "log scale",
}
PRESET_NAMES = ("custom", "too small", "about right", "too big: diverges")
_STYLE = {"description_width": "initial"}


def make_control(name: str, value: Any) -> Any:
    """A widget for one setting (``name`` from ``DESCRIPTIONS``), with bounds, description and CSS class."""
    import ipywidgets as widgets

    check_choice("name", name, tuple(DESCRIPTIONS))
    common = {"description": DESCRIPTIONS[name], "style": _STYLE}
    if name == "lr":
        control = widgets.FloatLogSlider(value=value, base=10, min=-4, max=1, step=0.05, readout_format=".4g",
                                         layout=widgets.Layout(width="380px"), **common)
    elif name == "epochs":
        control = widgets.IntSlider(value=value, min=10, max=5000, step=10, layout=widgets.Layout(width="380px"),
                                    **common)
    elif name == "optimizer":
        control = widgets.Dropdown(options=[(label, key) for key, label in OPTIMIZERS.items()], value=value, **common)
    elif name == "loss":
        control = widgets.Dropdown(options=[(label, key) for key, label in LOSSES.items()], value=value, **common)
    elif name == "noise":
        control = widgets.FloatSlider(value=value, min=0.0, max=0.5, step=0.01, readout_format=".2f", **common)
    elif name == "seed":
        control = widgets.BoundedIntText(value=value, min=0, max=9999, layout=widgets.Layout(width="160px"),
                                         **common)
    elif name == "preset":
        control = widgets.Dropdown(options=list(PRESET_NAMES), value=value, **common)
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


class StepExplorer:
    """A learning-rate slider and a picture of where ONE optimizer step from the seeded start lands."""

    def __init__(self, data: Any = None, loss: str = "l1", lr: float = 0.01) -> None:
        import ipywidgets as widgets

        from .step_view import StepView

        check_choice("loss", loss, tuple(LOSSES))
        check_between("lr", lr, *LR_RANGE)
        self.data = make_data() if data is None else check_data("data", data, LINE)
        if hasattr(self.data, "to"):
            self.data = self.data.to("cpu")  # the explorer's model lives on the CPU
        self.loss = loss
        model = start_model(42)
        self.start = (model.weights.item(), model.bias.item())
        self.view = StepView(self.data, loss, start=self.start)
        self.controls = {"lr": make_control("lr", lr)}
        self.box = widgets.VBox(list(self.controls.values()))
        self.box.add_class("optloop-step-explorer")
        self.history: History | None = None
        self.error: BaseException | None = None
        self._run_lock = threading.RLock()  # one step at a time, whichever thread asks
        self._coalescer = Coalescer(self._run_safely)
        self.controls["lr"].observe(lambda change: self._coalescer.request(), names="value")

    def run(self) -> History:
        """Take one SGD step with the slider's learning rate from the seeded start; draw it; return the History."""
        with self._run_lock:
            self._coalescer.cancel()
            lr = self.controls["lr"].value
            model = start_model(42)
            optimizer = torch.optim.SGD(model.parameters(), lr=lr)
            history = fit(model, self.data, make_loss_fn(self.loss), optimizer, epochs=1, eval_every=1)
            after = (history.param("weights")[0], history.param("bias")[0])
            self.view.draw_step(self.start, after, lr)
            self.history = history
            return history

    def _run_safely(self) -> None:
        try:
            self.error = None
            self.run()
        except Exception as error:  # a widget callback must never raise into the notebook
            self.error = error
            self.view.show_message(error_text(error))

    def _ipython_display_(self) -> None:
        if self.history is None:
            self._run_safely()
        display_widget(self.box, "<optloop step explorer: learning rate>")
        self.view.live.show()

    def __repr__(self) -> str:
        return f"StepExplorer(lr={self.controls['lr'].value:.4g}, loss={self.loss!r})"


def step_explorer(data: Any = None, loss: str = "l1", lr: float = 0.01) -> StepExplorer:
    """A learning-rate slider showing where ONE optimizer step from the seeded start lands.

    The picture shows the line before and after the step on the data, and the step as an arrow on
    the loss landscape. Returns a :class:`StepExplorer`: ``.controls["lr"]`` is the slider, ``.run()``
    takes the step now and returns the ``History`` (one epoch).
    """
    return StepExplorer(data, loss, lr)
