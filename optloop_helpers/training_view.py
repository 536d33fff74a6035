"""The playground's picture: loss curves, the data with the fitted line, and the path on the loss landscape.

A ``TrainingView`` draws one run of :func:`~optloop_helpers.experiment.run_experiment` on a
:class:`~optloop_helpers.live.LiveFigure`. ``prepare`` draws the static parts (redrawn only when the
data, the loss, the number of epochs or the scale change); ``update`` is the ``fit`` callback that moves
the lines while training runs; ``finish`` draws the final frame with the learned and true numbers, or
"diverged at epoch N: try a smaller learning rate". It knows nothing about widgets.

Example::

    >>> from optloop_helpers.experiment import Settings, run_experiment
    >>> view = TrainingView()
    >>> settings = Settings(epochs=100)
    >>> view.prepare(settings)
    >>> history = run_experiment(settings, callback=view.update)
    >>> view.finish(history)
    >>> view.train_line.get_ydata() == history.train_loss
    True
    >>> view.headline.get_text()
    'epoch 100/100 | weights 0.5784 (true 0.7), bias 0.3513 (true 0.3) | train loss 0.0248, test loss 0.0569'
"""

from __future__ import annotations

import math
from typing import Any

from .experiment import Settings, make_data, make_loss_fn, start_model
from .landscape import draw_landscape, loss_landscape
from .live import LiveFigure
from .loop import History, Progress


def divergence_text(history: History) -> str:
    """'diverged at epoch N: try a smaller learning rate' ('' when the run did not diverge)."""
    return f"diverged at epoch {history.diverged_epoch}: try a smaller learning rate" if history.diverged else ""


def _finite(values: list[float]) -> list[float]:
    return [v for v in values if math.isfinite(v)]


class TrainingView:
    """Three panels (loss curves, data and fitted line, loss landscape and path) and a headline."""

    def __init__(self, log_scale: bool = False, figsize: tuple[float, float] = (13.0, 4.2), dpi: int = 72) -> None:
        self.live = LiveFigure(ncols=3, figsize=figsize, dpi=dpi, label="optloop playground view")
        self.log_scale = log_scale
        self.settings: Settings | None = None
        self._static_key: tuple[Any, ...] | None = None
        self._ylim: tuple[float, float] = (0.0, 1.0)
        self._start: tuple[float, float] = (0.0, 0.0)

    # -- static parts -------------------------------------------------------------------------
    def prepare(self, settings: Settings, log_scale: bool | None = None) -> None:
        """Get ready to draw a run with ``settings``: redraw static parts only if they changed."""
        if log_scale is not None:
            self.log_scale = bool(log_scale)
        data = make_data(settings.noise, settings.seed)
        model = start_model(settings.seed)
        self._start = (model.weights.item(), model.bias.item())
        loss_fn = make_loss_fn(settings.loss)
        initial = max(loss_fn(model(data.X_train), data.y_train).item(), loss_fn(model(data.X_test), data.y_test).item())
        ylim = (initial * 1e-4, initial * 2.0) if self.log_scale else (0.0, initial * 1.1)
        self.settings = settings
        self._rebuild_if_needed((settings.noise, settings.seed, settings.loss, settings.epochs, self.log_scale), ylim)

    def _rebuild_if_needed(self, key: tuple[Any, ...], ylim: tuple[float, float]) -> None:
        if (key, ylim) == self._static_key:
            self._clear_moving()
            return
        self._static_key, self._ylim = (key, ylim), ylim
        noise, seed, loss, epochs, log_scale = key
        data = make_data(noise, seed)
        live = self.live
        live.forget_animated()
        ax_loss, ax_data, ax_land = live.axes
        for ax in live.axes:
            ax.cla()
        # 1. loss curves
        self.train_line = live.animate(ax_loss.plot([], [], color="tab:blue", label="Train loss")[0])
        self.test_line = live.animate(ax_loss.plot([], [], color="tab:orange", label="Test loss")[0])
        self.counter = live.animate(ax_loss.text(0.98, 0.95, "", transform=ax_loss.transAxes, ha="right", va="top"))
        ax_loss.set_xlim(0, epochs)
        ax_loss.set_yscale("log" if log_scale else "linear")
        ax_loss.set_ylim(*ylim)
        ax_loss.set_xlabel("Epoch")
        ax_loss.set_ylabel(f"Loss ({loss.upper()})")
        ax_loss.set_title("Training and test loss curves")
        ax_loss.legend(loc="center right")
        # 2. data and the fitted line
        ax_data.scatter(data.X_train.flatten().numpy(), data.y_train.flatten().numpy(), c="tab:blue", s=10,
                        label="Training data")
        ax_data.scatter(data.X_test.flatten().numpy(), data.y_test.flatten().numpy(), c="tab:green", s=10,
                        label="Testing data")
        self.fitted_line = live.animate(ax_data.plot([], [], color="tab:red", label="Fitted line")[0])
        ax_data.set_xlim(-0.05, 1.05)
        ax_data.set_ylim(min(-0.2, data.y_train.min().item() - 0.2), max(1.4, data.y_test.max().item() + 0.2))
        ax_data.set_xlabel("X")
        ax_data.set_ylabel("y")
        ax_data.set_title("Data and the fitted line")
        ax_data.legend(loc="upper left", fontsize="small")
        # 3. the loss landscape and the optimizer's path
        draw_landscape(ax_land, loss_landscape(data, loss, include=(self._start,), margin=0.8))
        self.path_line = live.animate(ax_land.plot([], [], "-", color="tab:red", linewidth=1.2, label="path")[0])
        self.position = live.animate(ax_land.plot([], [], "o", color="tab:red", markersize=6)[0])
        ax_land.legend(loc="upper right", fontsize="small")
        self.headline = live.animate(live.figure.suptitle("", fontsize="medium"))
        self._clear_moving()

    def _clear_moving(self) -> None:
        for line in (self.train_line, self.test_line, self.fitted_line):
            line.set_data([], [])
        self.path_line.set_data([self._start[0]], [self._start[1]])
        self.position.set_data([self._start[0]], [self._start[1]])
        self.counter.set_text("")
        self.headline.set_text(" ")  # not empty: the layout keeps room for it
        self.headline.set_color("black")

    # -- moving parts -------------------------------------------------------------------------
    def _draw_history(self, history: History) -> None:
        epochs = self.settings.epochs if self.settings else history.epochs_run
        self.train_line.set_data(history.epochs, history.train_loss)
        self.test_line.set_data(history.epochs, history.test_loss)
        self.counter.set_text(f"epoch {history.epochs_run}/{epochs}")
        if history.params:
            weights, bias = history.param("weights"), history.param("bias")
            self.fitted_line.set_data([0.0, 1.0], [bias[-1], weights[-1] + bias[-1]])
            self.path_line.set_data([self._start[0], *weights], [self._start[1], *bias])
            self.position.set_data([weights[-1]], [bias[-1]])

    def update(self, progress: Progress) -> None:
        """The ``fit`` callback: move the lines and send a frame if the last one is old enough."""
        self._draw_history(progress.history)
        self.live.push()

    def finish(self, history: History) -> None:
        """Draw the final frame: curves, line, path and the numbers (or the divergence message)."""
        self._draw_history(history)
        if history.diverged:
            self.headline.set_text(divergence_text(history))
            self.headline.set_color("tab:red")
        elif history.params:
            data = make_data(self.settings.noise, self.settings.seed) if self.settings else None
            true = f" (true {data.weight})" if data else ""
            true_b = f" (true {data.bias})" if data else ""
            self.headline.set_text(
                f"epoch {history.epochs_run}/{self.settings.epochs if self.settings else history.epochs_run} | "
                f"weights {history.param('weights')[-1]:.4f}{true}, bias {history.param('bias')[-1]:.4f}{true_b} | "
                f"train loss {history.train_loss[-1]:.4f}, test loss {history.test_loss[-1]:.4f}"
            )
            self.headline.set_color("black")
            self._fit_loss_axis(history)
        self.live.push(final=True)

    def _fit_loss_axis(self, history: History) -> None:
        values = _finite(history.train_loss + history.test_loss)
        low, high = self._ylim
        new_high = max(high, max(values) * 1.1)
        new_low = min(low, min(v for v in values if v > 0) / 2) if self.log_scale and any(values) else low
        if (new_low, new_high) != (low, high):
            self._ylim = (new_low, new_high)
            self._static_key = (self._static_key[0], self._ylim)
            self.live.axes[0].set_ylim(new_low, new_high)
            self.live.invalidate()

    def show_message(self, message: str) -> None:
        """Show ``message`` in red as the headline (e.g. what went wrong) and send the frame."""
        self.headline.set_text(message)
        self.headline.set_color("tab:red")
        self.live.push(final=True)
