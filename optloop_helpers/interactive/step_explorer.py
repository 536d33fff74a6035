"""The step explorer (notebook 05): a learning-rate slider and where ONE optimizer step from the seeded start lands.

:class:`StepView` is its two-panel picture: the line before and after the step on the data, and the step
as an arrow on the loss landscape. It knows nothing about widgets.

Example::

    >>> explorer = step_explorer()
    >>> explorer.controls["lr"].value = 0.1
    >>> [round(explorer.history.param(name)[0], 4) for name in ("weights", "bias")]
    [0.3757, 0.2288]
    >>> from optloop_helpers import make_line_data
    >>> view = StepView(make_line_data(), loss="l1")
    >>> view.draw_step(before=(0.3367, 0.1288), after=(0.3406, 0.1388), lr=0.01)
    >>> view.headline.get_text()
    'learning rate 0.01: weights 0.3367 -> 0.3406, bias 0.1288 -> 0.1388 | train loss 0.3129 -> 0.3014'
"""

from __future__ import annotations

from typing import Any

import torch

from .._validate import LINE, check_data
from ..landscape import draw_landscape, loss_landscape
from ..loop import History, fit
from ..models import SEEDED_START
from .controls import Tool, make_control
from .live import LiveFigure
from .settings import LOSS, LR, SEED, make_data, make_loss_fn, make_optimizer, seeded_start, start_model
from .view import View


class StepView(View):
    """Two panels: the data with the line before/after the step, and the landscape with the step's arrow."""

    def __init__(self, data: Any, loss: str = LOSS.default, start: tuple[float, float] = SEEDED_START,
                 figsize: tuple[float, float] = (10.0, 4.0), dpi: int = 72) -> None:
        self.data, self.loss, self.start = data, loss, start
        self._loss_fn = make_loss_fn(loss)
        self.live = LiveFigure(ncols=2, figsize=figsize, dpi=dpi, label="optloop step explorer view")
        ax_data, ax_land = self.live.axes
        X, y = data.X_train.detach().cpu(), data.y_train.detach().cpu()
        ax_data.scatter(X.flatten().numpy(), y.flatten().numpy(), c="tab:blue", s=10, label="Training data")
        ax_data.plot([0, 1], [start[1], start[0] + start[1]], "--", color="gray", label="before the step")
        self.after_line = self.live.animate(ax_data.plot([], [], color="tab:red", label="after one step")[0])
        ax_data.set_xlim(-0.05, 1.05)
        ax_data.set_ylim(-0.2, 1.4)
        ax_data.set_xlabel("X")
        ax_data.set_ylabel("y")
        ax_data.set_title("The line before and after one step")
        ax_data.legend(loc="upper left", fontsize="small")
        self.landscape = loss_landscape(data, loss, include=(start,), margin=0.8)
        draw_landscape(ax_land, self.landscape)
        ax_land.plot([start[0]], [start[1]], "o", color="black", markersize=5, label="start")
        dw, db = self.downhill(start)
        ax_land.plot([start[0], start[0] + 3 * dw], [start[1], start[1] + 3 * db], ":", color="black",
                     linewidth=1.2, label="downhill (-gradient)")
        self.arrow = self.live.animate(
            ax_land.quiver([start[0]], [start[1]], [0.0], [0.0], angles="xy", scale_units="xy", scale=1,
                           color="tab:red", width=0.012)
        )
        self.end = self.live.animate(ax_land.plot([], [], "o", color="tab:red", markersize=5, label="after")[0])
        ax_land.legend(loc="lower right", fontsize="small")
        self.headline = self.live.animate(self.live.figure.suptitle(" ", fontsize="medium"))

    def downhill(self, point: tuple[float, float]) -> tuple[float, float]:
        """The direction of one SGD step from ``point``: minus the gradient, scaled to length 1."""
        w = torch.tensor(float(point[0]), requires_grad=True)
        b = torch.tensor(float(point[1]), requires_grad=True)
        self._loss_fn(w * self.data.X_train + b, self.data.y_train).backward()
        gw, gb = -w.grad.item(), -b.grad.item()
        norm = (gw**2 + gb**2) ** 0.5 or 1.0
        return gw / norm, gb / norm

    def train_loss(self, weights: float, bias: float) -> float:
        """The training loss of the line ``weights * X + bias``."""
        with torch.inference_mode():
            return self._loss_fn(weights * self.data.X_train + bias, self.data.y_train).item()

    def draw_step(self, before: tuple[float, float], after: tuple[float, float], lr: float) -> None:
        """Move the 'after' line, the arrow and the headline to show a step from ``before`` to ``after``."""
        (w0, b0), (w1, b1) = before, after
        self.after_line.set_data([0.0, 1.0], [b1, w1 + b1])
        self.arrow.set_offsets([[w0, b0]])
        self.arrow.set_UVC([w1 - w0], [b1 - b0])
        self.end.set_data([w1], [b1])
        off_map = not (self.landscape.weights[0] <= w1 <= self.landscape.weights[-1]
                       and self.landscape.bias[0] <= b1 <= self.landscape.bias[-1])
        self.headline.set_text(
            f"learning rate {lr:.4g}: weights {w0:.4f} -> {w1:.4f}, bias {b0:.4f} -> {b1:.4f} | "
            f"train loss {self.train_loss(w0, b0):.4f} -> {self.train_loss(w1, b1):.4f}"
            + (" (the step jumps off the map: too big)" if off_map else "")
        )
        self.headline.set_color("tab:red" if off_map else "black")
        self.push(final=True)

    def show_message(self, message: str) -> None:
        """Show ``message`` in red as the headline and send the frame."""
        self.headline.set_text(message)
        self.headline.set_color("tab:red")
        self.push(final=True)


class StepExplorer(Tool):
    """A learning-rate slider and a picture of where ONE optimizer step from the seeded start lands."""

    name = "step explorer"

    def __init__(self, data: Any = None, loss: str = LOSS.default, lr: float = LR.default) -> None:
        LOSS.check(loss)
        LR.check(lr)
        data = make_data() if data is None else check_data("data", data, LINE)
        self.data = data.to("cpu") if hasattr(data, "to") else data  # the explorer's model lives on the CPU
        self.loss = loss
        self.start = seeded_start(SEED.default)
        super().__init__(StepView(self.data, loss, start=self.start), {"lr": make_control("lr", lr)})
        self.box = self._box(list(self.controls.values()))
        self.controls["lr"].observe(lambda change: self._coalescer.request(), names="value")

    def _run(self) -> History:
        """Take one SGD step with the slider's learning rate from the seeded start; draw it; return the History."""
        lr = self.controls["lr"].value
        model = start_model(SEED.default)
        optimizer = make_optimizer("sgd", model.parameters(), lr)
        history = fit(model, self.data, make_loss_fn(self.loss), optimizer, epochs=1, eval_every=1)
        self.view.draw_step(self.start, (history.param("weights")[0], history.param("bias")[0]), lr)
        return history

    def __repr__(self) -> str:
        return f"StepExplorer(lr={self.controls['lr'].value:.4g}, loss={self.loss!r})"


def step_explorer(data: Any = None, loss: str = LOSS.default, lr: float = LR.default) -> StepExplorer:
    """A learning-rate slider showing where ONE optimizer step from the seeded start lands.

    The picture shows the line before and after the step on the data, and the step as an arrow on
    the loss landscape. Returns a :class:`StepExplorer`: ``.controls["lr"]`` is the slider, ``.run()``
    takes the step now and returns the ``History`` (one epoch).
    """
    return StepExplorer(data, loss, lr)
