"""Plots of the data, the predictions and the loss curves (matplotlib, imported on first use).

Every function draws on ``ax`` (a new figure when ``ax`` is None), returns what it drew on, and never
calls ``plt.show()``: the notebook decides when to show.

Example::

    >>> from optloop_helpers import make_line_data
    >>> ax = plot_predictions(make_line_data())
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['Training data', 'Testing data']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch

from ._validate import check_bool, check_data, check_tensor

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from .loop import History


def to_numpy(values: Any):
    """Turn a tensor on any device, even one that requires grad, into a NumPy array."""
    if isinstance(values, torch.Tensor):
        return values.detach().cpu().numpy()
    import numpy as np

    return np.asarray(values)


def _new_axes(ax: Axes | None, figsize: tuple[float, float] = (7, 4.5)) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_predictions(data: Any, predictions: torch.Tensor | None = None, ax: Axes | None = None) -> Axes:
    """Scatter the training data (blue), testing data (green) and ``predictions`` on the test inputs (red)."""
    check_data("data", data)
    if predictions is not None:
        check_tensor("predictions", predictions)
        if predictions.shape != data.y_test.shape:
            raise ValueError(
                f"predictions must have the shape of data.y_test {tuple(data.y_test.shape)}, "
                f"got {tuple(predictions.shape)}"
            )
    ax = _new_axes(ax)
    ax.scatter(to_numpy(data.X_train), to_numpy(data.y_train), c="tab:blue", s=12, label="Training data")
    ax.scatter(to_numpy(data.X_test), to_numpy(data.y_test), c="tab:green", s=12, label="Testing data")
    if predictions is not None:
        ax.scatter(to_numpy(data.X_test), to_numpy(predictions), c="tab:red", s=12, label="Predictions")
    ax.set_xlabel("X")
    ax.set_ylabel("y")
    ax.legend(loc="upper left")
    return ax


def plot_loss_curves(history: History, ax: Axes | None = None, log_scale: bool = False) -> Axes:
    """Plot the train and test loss at every evaluated epoch of a ``History`` from ``fit``."""
    from .loop import History

    if not isinstance(history, History):
        raise TypeError(f"history must be a History returned by fit(), got {type(history).__name__}")
    check_bool("log_scale", log_scale)
    ax = _new_axes(ax)
    ax.plot(history.epochs, history.train_loss, label="Train loss")
    ax.plot(history.epochs, history.test_loss, label="Test loss")
    if log_scale:
        ax.set_yscale("log")
    ax.set_xlabel("Epoch")
    ax.set_ylabel("Loss")
    ax.set_title("Training and test loss curves")
    if history.diverged:
        ax.text(0.5, 0.5, history.divergence_message(), transform=ax.transAxes, ha="center", color="tab:red")
    ax.legend()
    return ax
