"""The loss landscape: the training loss for every (weights, bias) pair, drawn as a contour.

``loss_landscape`` computes the grid (all points at once, no loop); ``draw_landscape`` draws the contour
and marks the true parameters; ``plot_loss_landscape`` does both and can add an optimizer's path.

Example::

    >>> from optloop_helpers import make_line_data
    >>> grid = loss_landscape(make_line_data(), loss="l1", steps=41)
    >>> grid.loss.shape, round(float(grid.loss.min()), 4), round(float(grid.loss.max()), 4)
    ((41, 41), 0.0077, 1.1469)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from ._validate import LINE, check_data, check_int
from .models import SEEDED_START

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.colorbar import Colorbar

@dataclass(frozen=True)
class Landscape:
    """A loss grid: ``loss[i, j]`` is the loss at ``weights[j]``, ``bias[i]``."""

    weights: np.ndarray
    bias: np.ndarray
    loss: np.ndarray
    true_weight: float
    true_bias: float
    loss_name: str


def _span(values: Sequence[float], margin: float) -> tuple[float, float]:
    return min(values) - margin, max(values) + margin


def loss_landscape(
    data: Any,
    loss: str = "l1",
    include: Sequence[tuple[float, float]] = (SEEDED_START,),
    margin: float = 0.6,
    steps: int = 61,
) -> Landscape:
    """The training loss of ``weights * X + bias`` on a ``steps`` x ``steps`` grid.

    The grid covers the true parameters and every ``(weights, bias)`` in ``include`` (by default the
    seeded start) with ``margin`` around them.
    """
    from .interactive.settings import LOSS, LOSSES  # the one table of losses (imported here: it imports us)

    check_data("data", data, LINE)
    LOSS.check(loss)
    check_int("steps", steps, minimum=2, maximum=400)
    points = [(float(data.weight), float(data.bias)), *[(float(w), float(b)) for w, b in include]]
    w_low, w_high = _span([w for w, _ in points], margin)
    b_low, b_high = _span([b for _, b in points], margin)
    weights = torch.linspace(w_low, w_high, steps)
    bias = torch.linspace(b_low, b_high, steps)
    X = data.X_train.detach().cpu().flatten()
    y = data.y_train.detach().cpu().flatten()
    # predictions[i, j, k] = weights[j] * X[k] + bias[i]; the loss of every point, then the mean over k
    predictions = weights[None, :, None] * X[None, None, :] + bias[:, None, None]
    grid = LOSSES[loss].make(reduction="none")(predictions, y.expand_as(predictions)).mean(dim=2)
    return Landscape(weights.numpy(), bias.numpy(), grid.numpy(), float(data.weight), float(data.bias), loss)


def draw_landscape(ax: Axes, landscape: Landscape, colorbar: bool = False) -> Colorbar | None:
    """Draw the filled contour (equal-area colour bands) and a star at the true parameters on ``ax``.

    With ``colorbar`` a colour bar of the loss values (labelled "training loss (yellow = low)") goes
    next to ``ax`` and is returned; otherwise nothing is returned.

    Example::

        >>> from matplotlib.figure import Figure
        >>> from optloop_helpers import make_line_data
        >>> ax = Figure().subplots()
        >>> bar = draw_landscape(ax, loss_landscape(make_line_data(), steps=11), colorbar=True)
        >>> bar.ax.get_ylabel()
        'training loss (yellow = low)'
    """
    levels = np.unique(np.quantile(landscape.loss, np.linspace(0, 1, 16)))
    bands = ax.contourf(landscape.weights, landscape.bias, landscape.loss, levels=levels, cmap="viridis_r",
                        alpha=0.85)
    ax.contour(landscape.weights, landscape.bias, landscape.loss, levels=levels, colors="white", linewidths=0.4)
    ax.plot([landscape.true_weight], [landscape.true_bias], marker="*", markersize=14, color="gold",
            markeredgecolor="black", linestyle="none", label=f"true ({landscape.true_weight}, {landscape.true_bias})")
    ax.set_xlim(landscape.weights[0], landscape.weights[-1])
    ax.set_ylim(landscape.bias[0], landscape.bias[-1])
    ax.set_xlabel("weights")
    ax.set_ylabel("bias")
    ax.set_title(f"Training loss ({landscape.loss_name.upper()}) over weights and bias")
    if not colorbar:
        return None
    bar = ax.figure.colorbar(bands, ax=ax, label="training loss (yellow = low)", format="%.3g")
    bar.set_ticks(levels[::3])
    return bar


def plot_loss_landscape(
    data: Any,
    loss: str = "l1",
    path: Sequence[tuple[float, float]] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Contour of the training loss with the true parameters starred and an optional ``path``.

    ``path`` is a list of ``(weights, bias)`` pairs, e.g. from a ``History``:
    ``list(zip(history.param("weights"), history.param("bias")))``.

    Example::

        >>> from optloop_helpers import make_line_data
        >>> ax = plot_loss_landscape(make_line_data(), path=[(0.3367, 0.1288), (0.3406, 0.1388)])
        >>> ax.get_lines()[-1].get_xdata().tolist()
        [0.3367, 0.3406]
    """
    from .plotting import _new_axes

    points = [] if path is None else [(float(w), float(b)) for w, b in path]
    ax = _new_axes(ax)
    draw_landscape(ax, loss_landscape(data, loss, include=points or (SEEDED_START,)))
    if points:
        ax.plot([w for w, _ in points], [b for _, b in points], "o-", color="tab:red", markersize=3,
                label="optimizer path")
    ax.legend(loc="upper right", fontsize="small")
    return ax
