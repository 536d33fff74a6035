"""The playground: move the learning rate, the epochs and more, and watch training live.

``playground()`` wires controls (see :mod:`.controls` for their names and CSS classes) to
:func:`~.settings.run_experiment` (which calls ``fit``) and a :class:`~.view.TrainingView`. Rapid control
changes are coalesced (the last value wins), and so are the several changes of ``set()`` or a preset:
one run follows. Anything that goes wrong in a control's callback shows as a message in the view; no
exception escapes into the notebook.

Scripting contract (for tests and instructors): ``.controls`` maps names (``"lr"``, ``"epochs"``,
``"optimizer"``, ...) to the widgets; ``.run()`` runs now, synchronously, with the current values,
updates the view and returns the ``History``; ``.history`` is the last completed run (and ``.last_run``
the same run with its final numbers: ``weights``, ``bias``, ``train_loss``, ``test_loss``).
``.settings`` is a plain dict of every setting, and ``playground(**pg.settings)`` repeats the run exactly;
``.share()`` is the same as a line of code to paste (only the settings that differ from the defaults).
A control whose setting does not matter with the others (momentum β unless the optimizer is
``"momentum"``) is greyed out.

Nothing is trained twice: runs come from the shared cache (:mod:`.cache`; a shorter run is a prefix of a longer
one, a longer one continues it), and while the learner looks, the runs one and two slider steps away are
computed and drawn (:mod:`.speculate`), so the next arrow-key press is shown at once (``.cache_hits`` counts
those). Whatever is shown is exactly what a fresh ``fit`` with those settings gives.

Example::

    >>> pg = playground(controls=("lr", "epochs"))
    >>> sorted(pg.controls)
    ['epochs', 'lr']
    >>> pg.controls["lr"].value = 0.1
    >>> pg.controls["epochs"].value = 100
    >>> history = pg.run()
    >>> history is pg.history, history.epochs_run, len(history.epochs)  # tested every 3 epochs: 34 points
    (True, 100, 34)
    >>> pg.share()
    "playground(lr=0.1, epochs=100, controls=('lr', 'epochs'))"
    >>> playground(**pg.settings).run().train_loss == history.train_loss
    True
"""

from __future__ import annotations

import dataclasses
import inspect
import math
from collections.abc import Iterator, Sequence
from typing import Any

from .._validate import check_choice
from ..loop import History
from .cache import FRAMES, RUNS
from .controls import Tool, make_control
from .neighbours import neighbours
from .settings import (
    CONTROL_NAMES,
    LOG_SCALE,
    PRESETS,
    SETTING_NAMES,
    SPECS,
    Run,
    Settings,
    begin_run,
    preset_for,
)
from .speculate import Speculator
from .view import TrainingView

VALUE_NAMES = (*SETTING_NAMES, LOG_SCALE.name)  # what set() and playground() take: the run's settings and the view's


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


def _steps(settings: Settings) -> int:
    """How many optimizer steps a run takes (what it costs to speculate)."""
    samples = len(begin_run(settings).data.X_train)
    per_epoch = 1 if settings.batch_size is None else math.ceil(samples / settings.batch_size)
    return settings.epochs * per_epoch


def _checked(values: dict[str, Any]) -> Settings:
    return Settings(**{name: values[name] for name in SETTING_NAMES})


class Playground(Tool):
    """Controls + a live view of one training run; see the module docstring for the scripting contract."""

    name = "playground"

    def __init__(self, settings: Settings, log_scale: bool, controls: tuple[str, ...]) -> None:
        import ipywidgets as widgets

        self._values: dict[str, Any] = {**dataclasses.asdict(settings), LOG_SCALE.name: log_scale}
        self._values["preset"] = preset_for(self._values)
        super().__init__(TrainingView(begin_run(settings), log_scale=log_scale),
                         {name: make_control(name, self._values[name]) for name in controls}, status=True)
        self._coalescer.quick = self._ready
        self.speculator = Speculator()  # computes the neighbouring runs while the learner looks
        self.cache_hits = 0  # runs shown at once, trained and drawn before they were asked for
        self.last_run: Run | None = None  # the history plus the final numbers (weights, bias, losses)
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        names = list(self.controls)
        rows = [widgets.HBox([self.controls[n] for n in names[i:i + 2]]) for i in range(0, len(names), 2)]
        self.box = self._box([*rows, self.status])
        self._grey_out()

    # -- values -------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """Every setting: the controls' current values, and the fixed ones for settings without a control."""
        return {**self._values, **{name: SPECS[name].setting_value(control.value)
                                   for name, control in self.controls.items()}}

    @property
    def settings(self) -> dict[str, Any]:
        """Every setting (``lr``, ``epochs``, ``optimizer``, ``momentum``, ...) as a plain dict.

        ``playground(**pg.settings)`` makes a playground that repeats this one's run exactly.
        """
        values = self.values()
        return {name: values[name] for name in VALUE_NAMES}

    def share(self) -> str:
        """This playground as one line of code to paste into a chat: the settings that are not the defaults.

        For example ``"playground(optimizer='momentum', momentum=0.5)"``; running it repeats the run exactly.
        """
        shown = [f"{name}={value!r}" for name, value in self.settings.items() if value != SPECS[name].default]
        if tuple(self.controls) != CONTROL_NAMES:
            shown.append(f"controls={tuple(self.controls)!r}")
        return f"playground({', '.join(shown)})"

    def _grey_out(self) -> None:
        """Grey out (``disabled``) each control whose setting does not change a run with the current values."""
        values = self.values()
        for name, control in self.controls.items():
            control.disabled = not SPECS[name].matters(values)

    def set(self, **values: Any) -> None:
        """Change several settings at once (controls and fixed settings alike); one run follows.

        ``pg.set(lr=0.1, epochs=100)`` is like moving both sliders, but trains once, not twice.
        """
        Speculator.pause_all()  # a learner's change never waits for speculation (this tool's or another's)
        allowed = ", ".join(repr(name) for name in VALUE_NAMES)
        for key in values:
            if key not in VALUE_NAMES:
                raise ValueError(f"settings must only use names from {allowed}, got {key!r}")
        current = self.values()
        _checked({**current, **values})  # check them all first
        LOG_SCALE.check(values.get(LOG_SCALE.name, current[LOG_SCALE.name]))
        with self._coalescer.hold():  # every change below asks for a run: they become one, at the end
            for key, value in values.items():
                self._values[key] = value
                if key in self.controls:
                    self.controls[key].value = SPECS[key].widget_value(value)
            if "preset" in self.controls:
                self.controls["preset"].value = preset_for(self.values())
            self._grey_out()
            self._coalescer.request()

    def apply_preset(self, name: str) -> None:
        """Set the controls (and fixed settings) to a preset, e.g. ``"too big: diverges"``; one run follows."""
        self.set(**PRESETS[check_choice("preset", name, tuple(PRESETS))])

    def _on_change(self, change: dict[str, Any]) -> None:
        Speculator.pause_all()
        if self._coalescer.held:
            return  # a change made by set(): it shows the preset and asks for the one run itself
        try:
            if change["owner"] is self.controls.get("preset"):
                if change["new"] in PRESETS:
                    self.apply_preset(change["new"])
            else:
                self.set()  # the preset control follows the values; one run
        except Exception as error:  # a widget callback must never raise into the notebook
            self._show_error(error)

    # -- running ------------------------------------------------------------------------------
    def _frame_key(self, settings: Settings, log_scale: bool) -> tuple[Any, ...]:
        live = self.view.live
        return settings, log_scale, tuple(live.figure.get_size_inches()), live.figure.dpi

    def _ready(self) -> bool:
        """Whether the current values' run is already trained (then it is shown without waiting)."""
        return RUNS.covers(_checked(self.values()))

    def _run(self) -> History:
        self.speculator.pause()
        values = self.values()
        settings, log_scale = _checked(values), LOG_SCALE.check(values[LOG_SCALE.name])
        key = self._frame_key(settings, log_scale)
        if RUNS.covers(settings) and (png := FRAMES.get(key)) is not None:  # seen or speculated: no work
            self.last_run = run = RUNS.run(settings)
            self.view.show_png(run, png, log_scale)
            self.cache_hits += 1
        else:
            self.view.prepare(begin_run(settings), log_scale=log_scale)
            if not RUNS.covers(settings):
                self.status.value = f"training {settings.epochs} epochs..."
            self.last_run = run = RUNS.run(settings, callback=self.view.update)
            self.view.finish(run)
            if self.view.live.handle is not None:  # a frame was drawn: keep it
                FRAMES.put(key, self.view.live.png)
        self.status.value = ""  # how the run ended is the picture's headline (in the PNG): said once
        self.speculator.start(self._speculation(settings, log_scale))
        return run.history

    def _speculation(self, settings: Settings, log_scale: bool) -> Iterator[None]:
        """The plan run while the learner looks: the neighbouring runs, and the final frames of those that
        share this run's landscape (the others would redraw it: a slow piece, left for when they are asked for)."""
        static = self.view.static_key
        for other in neighbours(settings, tuple(self.controls)):
            if RUNS.full() or FRAMES.full():
                break
            if _steps(other) > 4 * _steps(settings):  # e.g. batch size 1: 40 steps an epoch: not unasked
                continue
            path = RUNS.path(other)
            while not path.extend(other.epochs, deadline=self.speculator.deadline):
                yield
            run = RUNS.run(other)  # the History, test losses measured: quick
            yield
            key = self._frame_key(other, log_scale)
            same_landscape = (other.noise, other.seed, other.loss) == (settings.noise, settings.seed, settings.loss)
            if self.view.live.handle is not None and same_landscape and key not in FRAMES:
                FRAMES.put(key, self.view.frame_png(run))
                yield
        if self.view.static_key != static and self.last_run is not None:  # leave the figure as the run shown needs
            FRAMES.put(self._frame_key(settings, log_scale), self.view.frame_png(self.last_run))

    def __repr__(self) -> str:
        values = self.values()
        shown = ", ".join(f"{name}={values[name]!r}" for name in VALUE_NAMES)
        return f"Playground({shown})"


# playground()'s parameters are the specs': a new setting gets its parameter (and its default) from settings.py.
_SIGNATURE = inspect.Signature(
    [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=SPECS[name].default,
                       annotation=SPECS[name].type) for name in VALUE_NAMES]
    + [inspect.Parameter("controls", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=CONTROL_NAMES,
                         annotation=Sequence[str])],
    return_annotation=Playground,
)


def playground(*args: Any, **kwargs: Any) -> Playground:
    """The interactive playground: controls for the learning rate, epochs and more, and a live view.

    The arguments (``lr``, ``epochs``, ``optimizer``, ``loss``, ``noise``, ``seed``, ``momentum``,
    ``log_scale``) are the starting values (the article's by default); ``controls`` picks which settings get
    a control, e.g. ``playground(controls=("lr", "epochs"))``; the others stay fixed. Displaying the result
    (last line of a cell) runs the training once and shows it. ``playground(**pg.settings)`` repeats ``pg``.
    """
    arguments = _SIGNATURE.bind(*args, **kwargs)  # a TypeError for an unknown argument, as for any function
    arguments.apply_defaults()
    values = dict(arguments.arguments)
    controls = values.pop("controls")
    log_scale = values.pop(LOG_SCALE.name)
    settings = Settings(**values)
    return Playground(settings, LOG_SCALE.check(log_scale), _check_controls(controls))


playground.__signature__ = _SIGNATURE  # type: ignore[attr-defined]
