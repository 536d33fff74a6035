"""The playground: move the learning rate, the epochs and more, and watch training live.

``playground()`` wires controls (see :mod:`optloop_helpers.widgets` for their names and CSS classes) to
:func:`~optloop_helpers.experiment.run_experiment` (which calls ``fit``) and a
:class:`~optloop_helpers.training_view.TrainingView`. Rapid control changes are coalesced by one
:class:`~optloop_helpers.coalesce.Coalescer`: the last value wins. Anything that goes wrong in a control's
callback shows as a message in the view; no exception escapes into the notebook.

Scripting contract (for tests and instructors): ``.controls`` maps names (``"lr"``, ``"epochs"``,
``"optimizer"``, ...) to the widgets; ``.run()`` runs now, synchronously, with the current values,
updates the view and returns the ``History``; ``.history`` is the last completed run (and ``.last_run``
the same run with its final numbers: ``weights``, ``bias``, ``train_loss``, ``test_loss``).

Example::

    >>> pg = playground(controls=("lr", "epochs"))
    >>> sorted(pg.controls)
    ['epochs', 'lr']
    >>> pg.controls["lr"].value = 0.1
    >>> pg.controls["epochs"].value = 100
    >>> history = pg.run()
    >>> history is pg.history, history.epochs_run, len(history.epochs)  # tested every 2 epochs: 50 points
    (True, 100, 50)
"""

from __future__ import annotations

import dataclasses
import html
import threading
from collections.abc import Sequence
from typing import Any

from ._validate import check_bool
from .coalesce import Coalescer
from .experiment import Run, Settings, run_experiment
from .loop import History, Progress
from .training_view import TrainingView
from .widgets import DESCRIPTIONS, PRESET_NAMES, display_widget, error_text, make_control

CONTROL_NAMES = tuple(DESCRIPTIONS)
SETTING_NAMES = tuple(field.name for field in dataclasses.fields(Settings))
# name -> the settings a preset applies (to the controls and to the fixed settings alike)
PRESETS: dict[str, dict[str, Any]] = {
    "too small": {"lr": 0.0001, "epochs": 300, "optimizer": "sgd", "loss": "l1"},
    "about right": {"lr": 0.01, "epochs": 300, "optimizer": "sgd", "loss": "l1"},
    # L1's gradient never grows, so SGD only bounces; MSE's grows with the error, so a big step blows up.
    "too big: diverges": {"lr": 10.0, "epochs": 300, "optimizer": "sgd", "loss": "mse"},
}


def _check_controls(controls: Any) -> tuple[str, ...]:
    if isinstance(controls, str) or not isinstance(controls, Sequence):
        raise TypeError(f"controls must be a tuple of control names such as ('lr', 'epochs'), got {controls!r}")
    allowed = ", ".join(repr(name) for name in CONTROL_NAMES)
    for name in controls:
        if name not in CONTROL_NAMES:
            raise ValueError(f"controls must only hold names from {allowed}, got {name!r}")
    if not controls:
        raise ValueError(f"controls must name at least one control from {allowed}, got {controls!r}")
    if len(set(controls)) != len(controls):
        raise ValueError(f"controls must not repeat a name, got {tuple(controls)!r}")
    return tuple(controls)


def _preset_for(values: dict[str, Any]) -> str:
    for name, preset in PRESETS.items():
        if all(values[key] == value for key, value in preset.items()):
            return name
    return "custom"


class Playground:
    """Controls + a live view of one training run; see the module docstring for the scripting contract."""

    def __init__(self, settings: Settings, log_scale: bool, controls: tuple[str, ...]) -> None:
        import ipywidgets as widgets

        self._values: dict[str, Any] = {**dataclasses.asdict(settings), "log_scale": log_scale}
        self._values["preset"] = _preset_for(self._values)
        self.controls = {name: make_control(name, self._values[name]) for name in controls}
        self.status = widgets.HTML(value="")
        self.status.add_class("optloop-status")
        self.view = TrainingView(log_scale=log_scale)
        self.history: History | None = None
        self.last_run: Run | None = None  # the history plus the final numbers (weights, bias, losses)
        self.error: BaseException | None = None
        self._applying_preset = False
        self._run_lock = threading.RLock()  # one run at a time, whichever thread asks
        self._coalescer = Coalescer(self._run_safely)
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        names = list(self.controls)
        rows = [widgets.HBox([self.controls[n] for n in names[i:i + 2]]) for i in range(0, len(names), 2)]
        self.box = widgets.VBox([*rows, self.status])
        self.box.add_class("optloop-playground")

    # -- values -------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """Every setting: the controls' current values, and the fixed ones for settings without a control."""
        return {**self._values, **{name: control.value for name, control in self.controls.items()}}

    def settings(self) -> Settings:
        """The current values as a checked :class:`~optloop_helpers.experiment.Settings`."""
        values = self.values()
        return Settings(**{name: values[name] for name in SETTING_NAMES})

    def set(self, **values: Any) -> None:
        """Change several settings at once (controls and fixed settings alike); one run follows.

        ``pg.set(lr=0.1, epochs=100)`` is like moving both sliders, but trains once, not twice.
        """
        allowed = ", ".join(repr(name) for name in (*SETTING_NAMES, "log_scale"))
        for key in values:
            if key not in (*SETTING_NAMES, "log_scale"):
                raise ValueError(f"settings must only use names from {allowed}, got {key!r}")
        Settings(**{name: values.get(name, self.values()[name]) for name in SETTING_NAMES})  # check them all first
        self._applying_preset = True
        try:
            with self._coalescer.hold():
                for key, value in values.items():
                    self._values[key] = value
                    if key in self.controls:
                        self.controls[key].value = value
                if "preset" in self.controls:
                    self.controls["preset"].value = _preset_for(self.values())
                self._coalescer.request()
        finally:
            self._applying_preset = False

    def apply_preset(self, name: str) -> None:
        """Set the controls (and fixed settings) to a preset, e.g. ``"too big: diverges"``; one run follows."""
        if name not in PRESETS:
            allowed = ", ".join(repr(p) for p in PRESETS)
            raise ValueError(f"preset must be one of {allowed}, got {name!r}")
        self.set(**PRESETS[name])

    def _on_change(self, change: dict[str, Any]) -> None:
        try:
            if self._applying_preset:
                return  # apply_preset asks for one run at its end
            if change["owner"] is self.controls.get("preset"):
                if change["new"] != "custom":
                    self.apply_preset(change["new"])
                return
            if "preset" in self.controls:
                self._applying_preset = True
                try:
                    self.controls["preset"].value = _preset_for(self.values())
                finally:
                    self._applying_preset = False
            self._coalescer.request()
        except Exception as error:  # a widget callback must never raise into the notebook
            self._show_error(error)

    # -- running ------------------------------------------------------------------------------
    def run(self) -> History:
        """Run now, synchronously, with the current values; update the view; return the ``History``."""
        with self._run_lock:
            self._coalescer.cancel()  # this run uses the latest values: a pending one would be stale
            settings = self.settings()
            self.view.prepare(settings, log_scale=self.values()["log_scale"])
            self.status.value = f"training {settings.epochs} epochs..."
            run = run_experiment(settings, callback=self._progress)
            history = run.history
            self.view.finish(run)
            self.history, self.last_run = history, run
            self.error = None
            self.status.value = self._summary(history)
            return history

    def _progress(self, progress: Progress) -> None:
        self.view.update(progress)

    def _summary(self, history: History) -> str:
        if history.diverged:
            return f'<span style="color:#b71c1c">{html.escape(history.divergence_message(show_loss=False))}</span>'
        return html.escape(self.view.headline_text())

    def _run_safely(self) -> None:
        try:
            self.run()
        except Exception as error:  # a widget callback must never raise into the notebook
            self._show_error(error)

    def _show_error(self, error: BaseException) -> None:
        self.error = error
        message = error_text(error)
        self.status.value = f'<span style="color:#b71c1c">{html.escape(message)}</span>'
        try:
            self.view.show_message(message)
        except Exception:  # the view itself failed: the status line still says what happened
            pass

    def _ipython_display_(self) -> None:
        if self.history is None:
            self._run_safely()
        display_widget(self.box, f"<optloop playground: {', '.join(DESCRIPTIONS[n] for n in self.controls)}>")
        self.view.live.show()

    def __repr__(self) -> str:
        values = self.values()
        shown = ", ".join(f"{name}={values[name]!r}" for name in (*SETTING_NAMES, "log_scale"))
        return f"Playground({shown})"


def playground(
    lr: float = 0.01,
    epochs: int = 300,
    optimizer: str = "sgd",
    loss: str = "l1",
    noise: float = 0.0,
    seed: int = 42,
    log_scale: bool = False,
    controls: Sequence[str] = CONTROL_NAMES,
) -> Playground:
    """The interactive playground: controls for the learning rate, epochs and more, and a live view.

    The arguments are the starting values (the article's by default); ``controls`` picks which
    settings get a control, e.g. ``playground(controls=("lr", "epochs"))``; the others stay fixed.
    Displaying the result (last line of a cell) runs the default training once and shows it.
    """
    settings = Settings(lr=lr, epochs=epochs, optimizer=optimizer, loss=loss, noise=noise, seed=seed)
    check_bool("log_scale", log_scale)
    return Playground(settings, log_scale, _check_controls(controls))


__all__ = ["CONTROL_NAMES", "PRESETS", "PRESET_NAMES", "Playground", "playground"]
