"""The optimization loop: one training step, one testing step, and ``fit`` that repeats them.

Example::

    >>> import torch
    >>> from torch import nn
    >>> from optloop_helpers import LinearRegressionModel, make_line_data
    >>> _ = torch.manual_seed(42)
    >>> model = LinearRegressionModel()
    >>> optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    >>> history = fit(model, make_line_data(), nn.L1Loss(), optimizer, epochs=300)
    >>> history.epochs[:3], history.epochs[-1], round(history.test_loss[-1], 4)
    ([0, 20, 40], 280, 0.005)
    >>> history.epochs_run, round(history.final_train_loss, 4), round(history.final_test_loss, 4)
    (300, 0.0089, 0.0084)
    >>> len(history.train_loss_by_epoch), history.train_loss_by_epoch[20] == history.train_loss[1]
    (300, True)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

from ._validate import (
    check_callable,
    check_data,
    check_model,
    check_optimizer,
    check_positive_int,
    check_tensor,
)
from .batches import check_batch_size, check_generator, shuffled_batches

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # e.g. nn.L1Loss()


def _check_batch(model: torch.nn.Module, X: Any, y: Any, loss_fn: Any) -> None:
    check_model("model", model)
    check_tensor("X", X)
    check_tensor("y", y)
    if len(X) != len(y):
        raise ValueError(f"X and y must hold the same number of samples, got {len(X)} and {len(y)}")
    check_callable("loss_fn", loss_fn)


def _check_prediction(y_pred: torch.Tensor, y: torch.Tensor) -> None:
    if y_pred.shape != y.shape:
        raise ValueError(
            f"the model's output has shape {tuple(y_pred.shape)} but y has shape {tuple(y.shape)}; "
            "they must match, or the loss silently broadcasts"
        )


def train_step(model: torch.nn.Module, X: torch.Tensor, y: torch.Tensor, loss_fn: LossFn,
               optimizer: torch.optim.Optimizer) -> float:
    """Run the five training steps once on ``(X, y)`` and return the loss as a float.

    Example::

        >>> import torch; from torch import nn
        >>> from optloop_helpers import LinearRegressionModel, make_line_data
        >>> data, model = make_line_data(), LinearRegressionModel()
        >>> opt = torch.optim.SGD(model.parameters(), lr=0.01)
        >>> isinstance(train_step(model, data.X_train, data.y_train, nn.L1Loss(), opt), float)
        True
    """
    _check_batch(model, X, y, loss_fn)
    check_optimizer("optimizer", optimizer)
    return _train_step(model, X, y, loss_fn, optimizer)


def _train_step(model, X, y, loss_fn, optimizer) -> float:
    """``train_step`` without the argument checks (``fit`` checks once, not every epoch)."""
    model.train()
    y_pred = model(X)  # 1. Forward pass
    _check_prediction(y_pred, y)
    loss = loss_fn(y_pred, y)  # 2. Calculate the loss
    optimizer.zero_grad()  # 3. Zero the gradients
    loss.backward()  # 4. Backpropagation
    optimizer.step()  # 5. Step the optimizer
    return loss.item()


def _train_epoch(model, X, y, loss_fn, optimizer, batch_size: int | None = None,
                 generator: torch.Generator | None = None) -> float:
    """One epoch of training, without the argument checks; returns the epoch's training loss.

    ``batch_size=None`` is one ``_train_step`` on the full batch (the article's loop). With a ``batch_size`` the
    five steps run once per shuffled batch (as ``DataLoader(..., shuffle=True, generator=generator)`` draws them)
    and the loss returned is the mean of the batch losses weighted by batch size, so a smaller last batch counts
    for what it holds. A non-finite batch loss ends the epoch at once and is returned.
    """
    if batch_size is None:
        return _train_step(model, X, y, loss_fn, optimizer)
    total = 0.0
    for index in shuffled_batches(len(X), batch_size, generator):
        loss = _train_step(model, X[index], y[index], loss_fn, optimizer)
        if not math.isfinite(loss):
            return loss
        total += loss * len(index)
    return total / len(X)


def test_step(model: torch.nn.Module, X: torch.Tensor, y: torch.Tensor, loss_fn: LossFn) -> float:
    """Evaluate ``model`` on ``(X, y)`` in eval mode under ``torch.inference_mode()``; return the loss."""
    _check_batch(model, X, y, loss_fn)
    return _test_step(model, X, y, loss_fn)


test_step.__test__ = False  # tell pytest this is not a test function


def _test_step(model, X, y, loss_fn) -> float:
    """``test_step`` without the argument checks."""
    model.eval()
    with torch.inference_mode():
        y_pred = model(X)  # 1. Forward pass
        _check_prediction(y_pred, y)
        return loss_fn(y_pred, y).item()  # 2. Calculate the loss


@dataclass
class History:
    """Everything ``fit`` recorded: checkpoints every ``eval_every`` epochs, and the final model.

    Which number is which:

    - ``epochs[i]``: an epoch that was followed by a test (0, 20, 40, … for ``eval_every=20``);
    - ``train_loss[i]``: the loss of that epoch's forward pass, computed *before* its optimizer step
      (the number the article's loop records); with mini-batches, the mean of the epoch's batch losses
      (weighted by batch size), each computed before its own step;
    - ``test_loss[i]`` and ``params[i]``: measured *after* that epoch's step ({name: tensor}, on the CPU);
    - ``final_train_loss``, ``final_test_loss`` and ``final_params``: the model after the last epoch
      (``epochs_run`` steps), measured once more in eval mode. "The final loss" always means these;
    - ``train_loss_by_epoch[e]``: the training loss of every epoch run (``len == epochs_run``). For a
      diverged run the last entry is the first non-finite training loss, or, when the test loss broke
      first, the last (finite) training loss.

    When a loss became NaN or infinite, ``diverged_epoch`` and ``diverged_loss`` say where (the epoch whose
    forward pass meets the broken parameters, however often the run is tested), training stopped there,
    and the final numbers stay ``None``.
    """

    epochs: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    params: list[dict[str, torch.Tensor]] = field(default_factory=list)
    epochs_run: int = 0
    train_loss_by_epoch: list[float] = field(default_factory=list)
    diverged_epoch: int | None = None
    diverged_loss: float | None = None
    final_train_loss: float | None = None
    final_test_loss: float | None = None
    final_params: dict[str, torch.Tensor] | None = None

    @property
    def diverged(self) -> bool:
        """True when training stopped at a non-finite loss."""
        return self.diverged_epoch is not None

    def param(self, name: str) -> list[float]:
        """The values of one single-number parameter (e.g. ``"weights"``) at every evaluated epoch."""
        if self.params and name not in self.params[0]:
            raise KeyError(f"name must be one of {sorted(self.params[0])}, got {name!r}")
        return [snapshot[name].item() for snapshot in self.params]

    def table(self, digits: int = 4) -> str:
        """A small text table of epoch, train loss and test loss (rounded to ``digits`` places).

        The last row, ``final``, is the model after the last epoch (``final_train_loss``, ``final_test_loss``).
        """
        rows = [f"{'epoch':>5} | {'train loss':>10} | {'test loss':>10}"]
        for epoch, train, test in zip(self.epochs, self.train_loss, self.test_loss, strict=False):
            rows.append(f"{epoch:>5} | {train:>10.{digits}f} | {test:>10.{digits}f}")
        if self.final_train_loss is not None and self.final_test_loss is not None:
            rows.append(f"{'final':>5} | {self.final_train_loss:>10.{digits}f} | {self.final_test_loss:>10.{digits}f}")
        if self.diverged:
            rows.append(self.divergence_message())
        return "\n".join(rows)

    def divergence_message(self, show_loss: bool = True) -> str:
        """Where training diverged, in the one wording every table and picture uses ('' when it did not).

        ``show_loss=False`` leaves the loss out, e.g. 'diverged at epoch 2: try a smaller learning rate'.
        """
        if not self.diverged:
            return ""
        where = f"epoch {self.diverged_epoch} (loss {self.diverged_loss})" if show_loss else f"epoch {self.diverged_epoch}"
        return f"diverged at {where}: try a smaller learning rate"


@dataclass(frozen=True)
class Progress:
    """What ``fit`` tells its callback after every evaluation."""

    epoch: int
    epochs: int
    train_loss: float
    test_loss: float
    history: History


def _snapshot(model: torch.nn.Module) -> dict[str, torch.Tensor]:  # the parameters, on the CPU
    return {name: p.detach().to("cpu", copy=True) for name, p in model.named_parameters()}


def fit(
    model: torch.nn.Module,
    data: Any,
    loss_fn: LossFn,
    optimizer: torch.optim.Optimizer,
    epochs: int,
    eval_every: int = 20,
    device: torch.device | str | None = None,
    callback: Callable[[Progress], Any] | None = None,
    batch_size: int | None = None,
    generator: torch.Generator | None = None,
) -> History:
    """Train for ``epochs`` epochs; test at epoch 0 and every ``eval_every`` epochs after it.

    ``data`` is a :class:`~optloop_helpers.data.LineData` (or anything with ``X_train``,
    ``y_train``, ``X_test`` and ``y_test``). With ``device`` the model and data are moved there
    first. ``callback(progress)`` runs after every evaluation; returning ``False`` stops training.
    A NaN or infinite loss stops training and is recorded in the history instead of raising.
    After the last epoch the final model is measured once more (``history.final_train_loss``,
    ``final_test_loss``, ``final_params``); the checkpoints are exactly those of the plain loop.

    ``batch_size=None`` trains on the whole training set at once (one optimizer step per epoch). With
    ``batch_size=k`` every epoch runs the five steps on each of ceil(n / k) shuffled mini-batches, exactly as a
    loop over ``DataLoader(TensorDataset(X_train, y_train), batch_size=k, shuffle=True, generator=generator)``
    does; the epoch's training loss is then the mean of its batch losses weighted by batch size. Without a
    ``generator`` the shuffle uses torch's global random numbers (``torch.manual_seed`` makes it repeatable).
    """
    check_model("model", model)
    check_data("data", data)
    check_callable("loss_fn", loss_fn)
    check_optimizer("optimizer", optimizer)
    check_positive_int("epochs", epochs)
    check_positive_int("eval_every", eval_every)
    if callback is not None:
        check_callable("callback", callback)
    check_generator(generator)
    if device is not None:
        model.to(device)
        data = data.to(device)
    _check_batch(model, data.X_train, data.y_train, loss_fn)  # once here, not every epoch
    _check_batch(model, data.X_test, data.y_test, loss_fn)
    check_batch_size(batch_size, len(data.X_train))

    history = History()
    for epoch in range(epochs):
        train_loss = _train_epoch(model, data.X_train, data.y_train, loss_fn, optimizer, batch_size, generator)
        history.epochs_run = epoch + 1
        history.train_loss_by_epoch.append(train_loss)
        if not math.isfinite(train_loss):
            history.diverged_epoch, history.diverged_loss = epoch, train_loss
            break
        if epoch % eval_every:
            continue
        test_loss = _test_step(model, data.X_test, data.y_test, loss_fn)
        history.epochs.append(epoch)
        history.train_loss.append(train_loss)
        history.test_loss.append(test_loss)
        history.params.append(_snapshot(model))
        if not math.isfinite(test_loss):  # the parameters the next epoch would train with are already broken
            history.diverged_epoch, history.diverged_loss = epoch + 1, test_loss
            break
        if callback is not None and callback(Progress(epoch, epochs, train_loss, test_loss, history)) is False:
            break
    if not history.diverged:
        _measure_final(history, model, data, loss_fn)
    return history


def _measure_final(history: History, model: torch.nn.Module, data: Any, loss_fn: Any) -> None:
    """Record the losses and parameters of the model as training left it (eval mode, no graph)."""
    final_train = _test_step(model, data.X_train, data.y_train, loss_fn)
    final_test = _test_step(model, data.X_test, data.y_test, loss_fn)
    if not (math.isfinite(final_train) and math.isfinite(final_test)):  # the last step overshot to inf/nan
        history.diverged_epoch, history.diverged_loss = history.epochs_run, final_train
        return
    history.final_train_loss, history.final_test_loss = final_train, final_test
    history.final_params = _snapshot(model)
