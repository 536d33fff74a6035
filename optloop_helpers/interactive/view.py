"""The playground's picture: loss curves, the data with the fitted line, and the path on the loss landscape.

A ``TrainingView`` is handed what it draws, a :class:`~optloop_helpers.interactive.settings.Run`: its
data, seeded start and settings before training (``prepare``), the growing ``History`` while ``fit``
runs (``update``, the callback) and the finished run (``finish``: the learned and true numbers, or
"diverged at epoch N: try a smaller learning rate"; epochs are indices, as in ``range(epochs)``). A diverged
run is drawn up to its last finite loss, marked where it left the chart (see :mod:`.divergence`). It
never makes data, models or losses itself and leaves torch's random state alone. Drawing happens only for
a frame someone sees (:class:`View`): the static parts are rebuilt only when the data, the loss, the
number of epochs or the scale change, and only the lines move. It knows nothing about widgets.

Example::

    >>> from optloop_helpers.interactive.settings import Settings, begin_run, run_experiment
    >>> settings = Settings(epochs=100)
    >>> view = TrainingView(begin_run(settings))
    >>> run = run_experiment(settings, callback=view.update)
    >>> view.finish(run)
    >>> view.png[:4]
    b'\\x89PNG'
    >>> view.train_line.get_ydata() == run.history.train_loss_by_epoch  # every epoch's training loss
    True
    >>> view.headline.get_text()
    'epoch 99 of 100 | weights 0.5784 (true 0.7), bias 0.3513 (true 0.3) | train loss 0.0245, test loss 0.0569'
"""

from __future__ import annotations

import math
import time
from typing import Any

from ..landscape import draw_landscape, loss_landscape
from ..loop import Progress
from .divergence import finite_prefix, in_frame, log_note, loss_ylim
from .live import LiveFigure, loss_axes
from .settings import Run

FIRST_FRAME = 0.05  # seconds: a run still training by then shows its first frame (the curves so far) at once

class View:
    """A picture on a :class:`~.live.LiveFigure` (``self.live``) whose moving artists ``draw()`` brings up to date.

    ``draw()`` runs only for a frame someone sees: when one is due (``push``), asked for (``png``) or shown.
    A view that moves its artists at once keeps this ``draw()``, which does nothing.
    """

    live: LiveFigure

    def draw(self) -> None:
        """Bring the moving artists up to date."""

    def push(self, final: bool = False) -> bool:
        """Draw and send a frame if one is due (``final``: always, once displayed); return whether one was sent."""
        self.live.changed()
        if not self.live.due(final):
            return False
        self.draw()
        return self.live.push(final=True)

    @property
    def png(self) -> bytes:
        """The picture as it is now, as PNG bytes."""
        self.draw()
        self.live.changed()
        return self.live.png

    def show(self) -> None:
        """Display the picture in the notebook; later frames go to the same output."""
        self.draw()
        self.live.changed()
        self.live.show()


class TrainingView(View):
    """Three panels (loss curves, data and fitted line, loss landscape and path) and a headline."""

    def __init__(self, run: Run, log_scale: bool = False, figsize: tuple[float, float] = (13.0, 4.2),
                 dpi: int = 72) -> None:
        self.live = LiveFigure(ncols=3, figsize=figsize, dpi=dpi, label="optloop playground view")
        self._static_key: tuple[Any, ...] | None = None
        self._colorbar: Any = None
        self.prepare(run, log_scale)

    # -- the state of the run -----------------------------------------------------------------
    def prepare(self, run: Run, log_scale: bool | None = None) -> None:
        """Start showing ``run`` (from ``begin_run``: data and start, no history yet); nothing is drawn yet."""
        if not isinstance(run, Run):
            raise TypeError(f"run must be a Run (from begin_run(settings)), got {type(run).__name__}")
        if log_scale is not None:
            self.log_scale = bool(log_scale)
        self._initial = max(run.start_losses)
        self.run, self.history, self.message, self.final = run, None, "", False
        self.live.restart_clock(FIRST_FRAME)
        self._started = time.perf_counter()

    def update(self, progress: Progress) -> None:
        """The ``fit`` callback: remember the progress and send a frame if one is due and the run is not
        about to end anyway (then its final frame comes next)."""
        self.history = progress.history
        elapsed, done = time.perf_counter() - self._started, (progress.epoch + 1) / progress.epochs
        if elapsed * (1 - done) / done > min(FIRST_FRAME / 2, self.live.min_interval):  # time left at this pace
            self.push()
        else:
            self.live.changed()

    def finish(self, run: Run) -> None:
        """Record the finished run (from ``run_experiment``) and send the final frame."""
        self.run, self.history, self.final = run, run.history, True
        self.push(final=True)

    def frame_png(self, run: Run) -> bytes:
        """The final frame of the finished ``run`` as PNG bytes, drawn now but not shown: what is on screen,
        and what ``png`` returns, stay as they were (speculation draws the frames of runs nobody asked for yet)."""
        live = self.live
        state = (self.run, self.history, self.final, self.message, self._initial, live._png, live._stale, live.frames)
        self.run, self.history, self.final, self.message = run, run.history, True, ""
        self._initial = max(run.start_losses)
        try:
            self.draw()
            return live.render()
        finally:
            (self.run, self.history, self.final, self.message, self._initial, live._png, live._stale,
             live.frames) = state

    @property
    def static_key(self) -> tuple[Any, ...] | None:
        """What the figure's static parts were last drawn for (data, loss, epochs, scale, loss axes' limits)."""
        return self._static_key

    def show_png(self, run: Run, png: bytes, log_scale: bool | None = None) -> None:
        """Show the finished ``run`` through ``png``, its final frame drawn earlier (``final_png``)."""
        self.prepare(run, log_scale)
        self.run, self.history, self.final = run, run.history, True
        self.live.show_png(png)

    def show_message(self, message: str) -> None:
        """Show ``message`` in red as the headline (e.g. what went wrong) and send the frame."""
        self.message = message
        self.push(final=True)

    def headline_text(self) -> str:
        """The line above the pictures: final numbers, the divergence message, or another message."""
        history, run = self.history, self.run
        if self.message:
            return self.message
        if history is None:
            return " "  # not empty: the layout keeps room for it
        if history.diverged:
            return history.divergence_message(show_loss=False)
        if not self.final or run.weights is None:
            return " "  # while training, the epoch counter on the loss curves shows the progress
        return (
            f"epoch {self.epoch_shown()} of {run.settings.epochs} | "
            f"weights {run.weights:.4f} (true {run.data.weight}), bias {run.bias:.4f} (true {run.data.bias}) | "
            f"train loss {run.train_loss:.4f}, test loss {run.test_loss:.4f}"
        )

    def counter_text(self) -> str:
        """The epoch counter on the loss curves, e.g. 'epoch 299 of 300' ('' before training)."""
        return "" if self.history is None else f"epoch {self.epoch_shown()} of {self.run.settings.epochs}"

    def epoch_shown(self) -> int:
        """The epoch index the counter and headline show: the last one run, or the one that diverged."""
        if (history := self.history) is None:
            return 0
        return history.diverged_epoch if history.diverged else max(history.epochs_run - 1, 0)

    # -- drawing ------------------------------------------------------------------------------
    def draw(self) -> None:
        """Bring the figure up to date: rebuild static parts if needed, then move the lines."""
        s, start, history = self.run.settings, self.run.start, self.history
        log_note = self._log_note()
        log = self.log_scale or bool(log_note)
        self._rebuild_if_needed((s.noise, s.seed, s.loss, s.epochs, self.log_scale, log_note),
                                loss_ylim(self._initial, self._finished_losses(), log))
        for line in (self.train_line, self.test_line, self.fitted_line, self.left_marker):
            line.set_data([], [])
        self.left_label.set_text("")
        self.arrow.set_visible(False)
        self.path_line.set_data([start[0]], [start[1]])
        self.position.set_data([start[0]], [start[1]])
        self.counter.set_text("")
        if history is not None:
            train, test = finite_prefix(history.train_loss_by_epoch), finite_prefix(history.test_loss)
            self.train_line.set_data(list(range(len(train))), train)
            self.test_line.set_data(history.epochs[:len(test)], test)
            self.counter.set_text(self.counter_text())
            if history.diverged:
                self._mark_divergence(history.diverged_epoch, history.diverged_loss, s.epochs)
            if history.params:
                self._draw_path(history)
        self.headline.set_text(self.headline_text())
        bad = bool(self.message) or bool(history and history.diverged)
        self.headline.set_color("tab:red" if bad else "black")

    def _mark_divergence(self, epoch: int, loss: float, epochs: int) -> None:
        """A marker at the top of the loss axes where the curve left the chart, and e.g. 'inf at epoch 15'."""
        self.left_marker.set_data([epoch], [1.0])
        self.left_label.set_position((epoch, 0.9))
        self.left_label.set_horizontalalignment("left" if epoch < epochs / 2 else "right")
        self.left_label.set_text(f"{'nan' if math.isnan(loss) else 'inf'} at epoch {epoch}")

    def _draw_path(self, history: Any) -> None:
        """The path on the landscape, the position and the fitted line; a diverged path stops at the frame."""
        weights, bias = history.param("weights"), history.param("bias")
        if self.final and self.run.weights is not None:
            weights, bias = [*weights, self.run.weights], [*bias, self.run.bias]  # after the last epoch
        points = [self.run.start, *zip(weights, bias, strict=True)]
        if history.diverged:
            points, edge = in_frame(points, *self._frame)
            if edge is not None:
                self.arrow.set_positions(points[-1], edge)
                self.arrow.set_visible(True)
        w, b = points[-1]
        self.fitted_line.set_data([0.0, 1.0], [b, w + b])
        self.path_line.set_data([p[0] for p in points], [p[1] for p in points])
        self.position.set_data([w], [b])

    def _finished_losses(self) -> list[float]:
        """Every finite loss of a finished run (the axes fit them), none while it runs."""
        if not self.final or (history := self.history) is None:
            return []
        return finite_prefix(history.train_loss_by_epoch) + finite_prefix(history.test_loss)

    def _log_note(self) -> str:
        """The note of an automatic log axis: a finished diverged run whose losses span over ``LOG_RATIO``."""
        if self.log_scale or self.history is None or not self.history.diverged:
            return ""
        return log_note(self._finished_losses())

    def _rebuild_if_needed(self, key: tuple[Any, ...], ylim: tuple[float, float]) -> None:
        if (key, ylim) == self._static_key:
            return
        old, self._static_key = self._static_key, (key, ylim)
        if old is not None and old[0][:3] == key[:3]:  # same data and loss: only the loss curves' axes change
            self.live.clear(self.live.axes[0])
            self._build_loss_axes(ylim, key[-1])
            return
        if self._colorbar is not None:
            self._colorbar.remove()
        self.live.clear()
        self._build_loss_axes(ylim, key[-1])
        self._build_data_axes()
        self._build_landscape_axes()
        self.headline = self.live.animate(self.live.figure.suptitle(" ", fontsize="medium"))

    def _build_loss_axes(self, ylim: tuple[float, float], note: str) -> None:
        live, ax, settings = self.live, self.live.axes[0], self.run.settings
        self.train_line, self.test_line, self.counter = loss_axes(
            live, ax, settings.epochs, self.log_scale or bool(note), ylabel=f"Loss ({settings.loss.upper()})")
        ax.set_ylim(*ylim)
        if note:
            ax.text(0.02, 0.02, note, transform=ax.transAxes, fontsize="small", color="tab:red")
        top = ax.get_xaxis_transform()  # x in epochs, y from 0 (bottom) to 1 (top)
        self.left_marker = live.animate(ax.plot([], [], "v", color="tab:red", markersize=9, transform=top,
                                                clip_on=False)[0])
        self.left_label = live.animate(ax.text(0, 0.9, "", transform=top, color="tab:red", va="top"))

    def _build_data_axes(self) -> None:
        live, ax, data = self.live, self.live.axes[1], self.run.data
        ax.scatter(data.X_train.flatten().numpy(), data.y_train.flatten().numpy(), c="tab:blue", s=10,
                   label="Training data")
        ax.scatter(data.X_test.flatten().numpy(), data.y_test.flatten().numpy(), c="tab:green", s=10,
                   label="Testing data")
        self.fitted_line = live.animate(ax.plot([], [], color="tab:red", label="Fitted line")[0])
        ax.set_xlim(-0.05, 1.05)
        ax.set_ylim(min(-0.2, data.y_train.min().item() - 0.2), max(1.4, data.y_test.max().item() + 0.2))
        ax.set_xlabel("X")
        ax.set_ylabel("y")
        ax.set_title("Data and the fitted line")
        ax.legend(loc="upper left", fontsize="small")

    def _build_landscape_axes(self) -> None:
        from matplotlib.patches import FancyArrowPatch

        live, ax, run = self.live, self.live.axes[2], self.run
        self._colorbar = draw_landscape(ax, loss_landscape(run.data, run.settings.loss, include=(run.start,),
                                                           margin=0.8), colorbar=True)
        self._frame = (ax.get_xlim(), ax.get_ylim())
        self.arrow = live.animate(FancyArrowPatch((0, 0), (0, 0), arrowstyle="-|>", mutation_scale=16,
                                                  color="tab:red", linewidth=1.2))
        ax.add_patch(self.arrow)
        self.path_line = live.animate(ax.plot([], [], "-", color="tab:red", linewidth=1.2, label="path")[0])
        self.position = live.animate(ax.plot([], [], "o", color="tab:red", markersize=9, markerfacecolor="none",
                                             markeredgewidth=1.5)[0])
        ax.legend(loc="upper right", fontsize="small")
