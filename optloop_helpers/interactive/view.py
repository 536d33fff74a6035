"""The playground's picture: loss curves, the data with the fitted line, and the path on the loss landscape.

A ``TrainingView`` is handed what it draws, a :class:`~optloop_helpers.interactive.settings.Run`: its
data, seeded start and settings before training (``prepare``), the growing ``History`` while ``fit``
runs (``update``, the callback) and the finished run (``finish``: the learned and true numbers, or
"diverged at epoch N: try a smaller learning rate"). It never makes data, models or losses itself and
leaves torch's random state alone. Drawing happens only for a frame someone sees (:class:`View`): the
static parts are rebuilt only when the data, the loss, the number of epochs or the scale change, and
only the lines move. It knows nothing about widgets.

Example::

    >>> from optloop_helpers.interactive.settings import Settings, begin_run, run_experiment
    >>> settings = Settings(epochs=100)
    >>> view = TrainingView(begin_run(settings))
    >>> run = run_experiment(settings, callback=view.update)
    >>> view.finish(run)
    >>> view.png[:4]
    b'\\x89PNG'
    >>> view.train_line.get_ydata() == run.history.train_loss
    True
    >>> view.headline.get_text()
    'epoch 100/100 | weights 0.5784 (true 0.7), bias 0.3513 (true 0.3) | train loss 0.0245, test loss 0.0569'
"""

from __future__ import annotations

import math
from typing import Any

from ..landscape import draw_landscape, loss_landscape
from ..loop import Progress
from .live import LiveFigure, loss_axes
from .settings import Run


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


def _finite(values: list[float]) -> list[float]:
    return [v for v in values if math.isfinite(v)]


class TrainingView(View):
    """Three panels (loss curves, data and fitted line, loss landscape and path) and a headline."""

    def __init__(self, run: Run, log_scale: bool = False, figsize: tuple[float, float] = (13.0, 4.2),
                 dpi: int = 72) -> None:
        self.live = LiveFigure(ncols=3, figsize=figsize, dpi=dpi, label="optloop playground view")
        self._static_key: tuple[Any, ...] | None = None
        self.prepare(run, log_scale)

    # -- the state of the run -----------------------------------------------------------------
    def prepare(self, run: Run, log_scale: bool | None = None) -> None:
        """Start showing ``run`` (from ``begin_run``: data and start, no history yet); nothing is drawn yet."""
        if not isinstance(run, Run):
            raise TypeError(f"run must be a Run (from begin_run(settings)), got {type(run).__name__}")
        if log_scale is not None:
            self.log_scale = bool(log_scale)
        initial = max(run.start_losses)
        self._base_ylim = (initial * 1e-4, initial * 2.0) if self.log_scale else (0.0, initial * 1.1)
        self.run, self.history, self.message, self.final = run, None, "", False
        self.live.restart_clock()

    def update(self, progress: Progress) -> None:
        """The ``fit`` callback: remember the progress and send a frame if the last one is old enough."""
        self.history = progress.history
        self.push()

    def finish(self, run: Run) -> None:
        """Record the finished run (from ``run_experiment``) and send the final frame."""
        self.run, self.history, self.final = run, run.history, True
        self.push(final=True)

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
            f"epoch {history.epochs_run}/{run.settings.epochs} | "
            f"weights {run.weights:.4f} (true {run.data.weight}), bias {run.bias:.4f} (true {run.data.bias}) | "
            f"train loss {run.train_loss:.4f}, test loss {run.test_loss:.4f}"
        )

    # -- drawing ------------------------------------------------------------------------------
    def draw(self) -> None:
        """Bring the figure up to date: rebuild static parts if needed, then move the lines."""
        s, start = self.run.settings, self.run.start
        self._rebuild_if_needed((s.noise, s.seed, s.loss, s.epochs, self.log_scale), self._ylim())
        history = self.history
        for line in (self.train_line, self.test_line, self.fitted_line):
            line.set_data([], [])
        self.path_line.set_data([start[0]], [start[1]])
        self.position.set_data([start[0]], [start[1]])
        self.counter.set_text("")
        if history is not None:
            self.train_line.set_data(history.epochs, history.train_loss)
            self.test_line.set_data(history.epochs, history.test_loss)
            self.counter.set_text(f"epoch {history.epochs_run}/{s.epochs}")
            if history.params:
                weights, bias = history.param("weights"), history.param("bias")
                if self.final and self.run.weights is not None:
                    weights, bias = [*weights, self.run.weights], [*bias, self.run.bias]  # after the last epoch
                self.fitted_line.set_data([0.0, 1.0], [bias[-1], weights[-1] + bias[-1]])
                self.path_line.set_data([start[0], *weights], [start[1], *bias])
                self.position.set_data([weights[-1]], [bias[-1]])
        self.headline.set_text(self.headline_text())
        bad = bool(self.message) or bool(history and history.diverged)
        self.headline.set_color("tab:red" if bad else "black")

    def _ylim(self) -> tuple[float, float]:
        """The loss axis limits: from the starting loss, widened at the end if the run left them."""
        low, high = self._base_ylim
        history = self.history
        if not self.final or history is None or history.diverged:
            return low, high
        values = _finite(history.train_loss + history.test_loss)
        if values:
            high = max(high, max(values) * 1.1)
            positive = [v for v in values if v > 0]
            if self.log_scale and positive:
                low = min(low, min(positive) / 2)
        return low, high

    def _rebuild_if_needed(self, key: tuple[Any, ...], ylim: tuple[float, float]) -> None:
        if (key, ylim) == self._static_key:
            return
        old, self._static_key = self._static_key, (key, ylim)
        if old is not None and old[0][:3] == key[:3]:  # same data and loss: only the loss curves' axes change
            self.live.clear(self.live.axes[0])
            self._build_loss_axes(ylim)
            return
        self.live.clear()
        self._build_loss_axes(ylim)
        self._build_data_axes()
        self._build_landscape_axes()
        self.headline = self.live.animate(self.live.figure.suptitle(" ", fontsize="medium"))

    def _build_loss_axes(self, ylim: tuple[float, float]) -> None:
        ax, settings = self.live.axes[0], self.run.settings
        self.train_line, self.test_line, self.counter = loss_axes(
            self.live, ax, settings.epochs, self.log_scale, ylabel=f"Loss ({settings.loss.upper()})")
        ax.set_ylim(*ylim)

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
        live, ax, run = self.live, self.live.axes[2], self.run
        draw_landscape(ax, loss_landscape(run.data, run.settings.loss, include=(run.start,), margin=0.8))
        self.path_line = live.animate(ax.plot([], [], "-", color="tab:red", linewidth=1.2, label="path")[0])
        self.position = live.animate(ax.plot([], [], "o", color="tab:red", markersize=9, markerfacecolor="none",
                                             markeredgewidth=1.5)[0])
        ax.legend(loc="upper right", fontsize="small")
