"""The playground's picture: loss curves, the data with the fitted line, and the path on the loss landscape.

A ``TrainingView`` draws one run of :func:`~optloop_helpers.experiment.run_experiment` on a
:class:`~optloop_helpers.live.LiveFigure`. ``prepare`` starts a run; ``update`` is the ``fit`` callback;
``finish`` records the final state: the learned and true numbers, or "diverged at epoch N: try a smaller
learning rate". Drawing happens only when a frame is made (``draw()``, called by the live figure): the
static parts are rebuilt only when the data, the loss, the number of epochs or the scale change, and
only the lines move. It knows nothing about widgets.

Example::

    >>> from optloop_helpers.experiment import Settings, run_experiment
    >>> view = TrainingView()
    >>> settings = Settings(epochs=100)
    >>> view.prepare(settings)
    >>> run = run_experiment(settings, callback=view.update)
    >>> view.finish(run)
    >>> view.draw()
    >>> view.train_line.get_ydata() == run.history.train_loss
    True
    >>> view.headline.get_text()
    'epoch 100/100 | weights 0.5784 (true 0.7), bias 0.3513 (true 0.3) | train loss 0.0245, test loss 0.0569'
"""

from __future__ import annotations

import math
from typing import Any

import torch

from .experiment import Run, Settings, make_data, make_loss_fn, start_model
from .landscape import draw_landscape, loss_landscape
from .live import LiveFigure
from .loop import History, Progress


def _finite(values: list[float]) -> list[float]:
    return [v for v in values if math.isfinite(v)]


class TrainingView:
    """Three panels (loss curves, data and fitted line, loss landscape and path) and a headline."""

    def __init__(self, log_scale: bool = False, figsize: tuple[float, float] = (13.0, 4.2), dpi: int = 72) -> None:
        self.live = LiveFigure(ncols=3, figsize=figsize, dpi=dpi, label="optloop playground view")
        self.live.before_draw = self.draw
        self.log_scale = log_scale
        self.settings = Settings()
        self.history: History | None = None
        self.run: Run | None = None
        self.message = ""
        self.final = False
        self._static_key: tuple[Any, ...] | None = None
        self._base_ylim: tuple[float, float] = (0.0, 1.0)
        self._start: tuple[float, float] = (0.0, 0.0)

    # -- the state of the run -----------------------------------------------------------------
    def prepare(self, settings: Settings, log_scale: bool | None = None) -> None:
        """Start showing a new run with ``settings`` (nothing is drawn until the next frame)."""
        if log_scale is not None:
            self.log_scale = bool(log_scale)
        data = make_data(settings.noise, settings.seed)
        model = start_model(settings.seed)
        self._start = (model.weights.item(), model.bias.item())
        loss_fn = make_loss_fn(settings.loss)
        with torch.inference_mode():
            initial = max(loss_fn(model(data.X_train), data.y_train).item(),
                          loss_fn(model(data.X_test), data.y_test).item())
        self._base_ylim = (initial * 1e-4, initial * 2.0) if self.log_scale else (0.0, initial * 1.1)
        self.settings, self.history, self.run, self.message, self.final = settings, None, None, "", False
        self.live.restart_clock()

    def update(self, progress: Progress) -> None:
        """The ``fit`` callback: remember the progress and send a frame if the last one is old enough."""
        self.history = progress.history
        self.live.push()

    def finish(self, run: Run) -> None:
        """Record the finished run and send the final frame."""
        self.run, self.history, self.final = run, run.history, True
        self.live.push(final=True)

    def show_message(self, message: str) -> None:
        """Show ``message`` in red as the headline (e.g. what went wrong) and send the frame."""
        self.message = message
        self.live.push(final=True)

    def headline_text(self) -> str:
        """The line above the pictures: final numbers, the divergence message, or another message."""
        history, epochs = self.history, self.settings.epochs
        if self.message:
            return self.message
        if history is None:
            return " "  # not empty: the layout keeps room for it
        if history.diverged:
            return history.divergence_message(show_loss=False)
        run = self.run
        if not self.final or run is None or run.weights is None:
            return " "  # while training, the epoch counter on the loss curves shows the progress
        data = make_data(self.settings.noise, self.settings.seed)
        return (
            f"epoch {history.epochs_run}/{epochs} | "
            f"weights {run.weights:.4f} (true {data.weight}), bias {run.bias:.4f} (true {data.bias}) | "
            f"train loss {run.train_loss:.4f}, test loss {run.test_loss:.4f}"
        )

    # -- drawing ------------------------------------------------------------------------------
    def draw(self) -> None:
        """Bring the figure up to date: rebuild static parts if needed, then move the lines."""
        s = self.settings
        self._rebuild_if_needed((s.noise, s.seed, s.loss, s.epochs, self.log_scale), self._ylim())
        history = self.history
        for line in (self.train_line, self.test_line, self.fitted_line):
            line.set_data([], [])
        self.path_line.set_data([self._start[0]], [self._start[1]])
        self.position.set_data([self._start[0]], [self._start[1]])
        self.counter.set_text("")
        if history is not None:
            self.train_line.set_data(history.epochs, history.train_loss)
            self.test_line.set_data(history.epochs, history.test_loss)
            self.counter.set_text(f"epoch {history.epochs_run}/{s.epochs}")
            if history.params:
                weights, bias = history.param("weights"), history.param("bias")
                if self.final and self.run is not None and self.run.weights is not None:
                    weights, bias = [*weights, self.run.weights], [*bias, self.run.bias]  # after the last epoch
                self.fitted_line.set_data([0.0, 1.0], [bias[-1], weights[-1] + bias[-1]])
                self.path_line.set_data([self._start[0], *weights], [self._start[1], *bias])
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
        noise, seed, loss, epochs, log_scale = key
        if old is not None and old[0][:3] == key[:3]:  # same data and loss: only the loss curves' axes change
            self.live.forget_animated(self.live.axes[0])
            self.live.axes[0].cla()
            self._build_loss_axes(loss, epochs, log_scale, ylim)
            return
        live = self.live
        live.forget_animated()
        for ax in live.axes:
            ax.cla()
        self._build_loss_axes(loss, epochs, log_scale, ylim)
        self._build_data_axes(make_data(noise, seed))
        self._build_landscape_axes(make_data(noise, seed), loss)
        self.headline = live.animate(live.figure.suptitle(" ", fontsize="medium"))

    def _build_loss_axes(self, loss: str, epochs: int, log_scale: bool, ylim: tuple[float, float]) -> None:
        live, ax = self.live, self.live.axes[0]
        self.train_line = live.animate(ax.plot([], [], color="tab:blue", label="Train loss")[0])
        self.test_line = live.animate(ax.plot([], [], color="tab:orange", label="Test loss")[0])
        self.counter = live.animate(ax.text(0.98, 0.95, "", transform=ax.transAxes, ha="right", va="top"))
        ax.set_xlim(0, epochs)
        ax.set_yscale("log" if log_scale else "linear")
        ax.set_ylim(*ylim)
        ax.set_xlabel("Epoch")
        ax.set_ylabel(f"Loss ({loss.upper()})")
        ax.set_title("Training and test loss curves")
        ax.legend(loc="upper right", bbox_to_anchor=(1.0, 0.9))  # under the epoch counter

    def _build_data_axes(self, data: Any) -> None:
        live, ax = self.live, self.live.axes[1]
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

    def _build_landscape_axes(self, data: Any, loss: str) -> None:
        live, ax = self.live, self.live.axes[2]
        draw_landscape(ax, loss_landscape(data, loss, include=(self._start,), margin=0.8))
        self.path_line = live.animate(ax.plot([], [], "-", color="tab:red", linewidth=1.2, label="path")[0])
        self.position = live.animate(ax.plot([], [], "o", color="tab:red", markersize=9, markerfacecolor="none",
                                             markeredgewidth=1.5)[0])
        ax.legend(loc="upper right", fontsize="small")
