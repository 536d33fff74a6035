"""Checks for notebook 13, mini-batches: the batch loop of one epoch, and the epoch's weighted loss.

The batch loop is run on a model that records every forward pass, over a seeded, shuffled ``DataLoader``
whose seed no notebook prints, model and data on ``get_device()`` (so a loop with or without
``X_batch.to(device)`` passes on a GPU too); the optimizer steps are counted and the parameters compared with the
five steps done right on every batch.

Example::

    >>> def epoch_loss(batch_losses, batch_sizes):
    ...     return sum(loss * size for loss, size in zip(batch_losses, batch_sizes)) / sum(batch_sizes)
    >>> print(check_epoch_loss(epoch_loss))
    ✅ epoch loss: the mean of the batch losses weighted by batch size, 0.4200 for batches of 16, 16 and 8
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from ..data import make_line_data
from ..device import get_device
from ._helpers import STARTS, as_number, close, describe, fmt, make_model, params_of
from ._training import LR, trace
from .result import CheckResult, call_learner_code, failed, passed

BATCH_SIZE = 16  # 40 samples: batches of 16, 16 and 8, so a smaller last batch is in every epoch
EPOCHS = 2
SEEDS = (1234, 97)  # shuffle seeds no notebook prints


def _train_data(device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """The 40 training points, on ``device``."""
    data = make_line_data()
    return data.X_train.to(device), data.y_train.to(device)


def _loader(X: torch.Tensor, y: torch.Tensor, seed: int) -> DataLoader:
    generator = torch.Generator().manual_seed(seed)  # a CPU generator: it only draws the order
    return DataLoader(TensorDataset(X, y), batch_size=BATCH_SIZE, shuffle=True, generator=generator)


def _reference(start: tuple[float, float], seed: int,
               device: torch.device) -> tuple[tuple[float, float], list[torch.Tensor]]:
    """The parameters after ``EPOCHS`` right epochs over the seeded loader on ``device``, and the batches it gave."""
    model = make_model(*start).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = nn.L1Loss()
    batches = []
    loader = _loader(*_train_data(device), seed)
    for _ in range(EPOCHS):
        for X, y in loader:
            loss = loss_fn(model(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            batches.append(X)
    return params_of(model), batches


def _batch_loop_case(batch_loop: Callable[..., Any], start: tuple[float, float], seed: int) -> CheckResult | None:
    exercise = "batch loop"
    device = get_device()  # the learner's `device`: X_batch.to(device) is then a no-op, and so is leaving it out
    X_train, y_train = _train_data(device)
    model = make_model(*start, spy=True).to(device)
    model.eval()  # the loop must switch to training mode itself
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    loader = _loader(X_train, y_train, seed)
    expected, batches = _reference(start, seed, device)
    steps_wanted = EPOCHS * len(loader)
    with trace(model, optimizer) as events:
        for _ in range(EPOCHS):
            value = call_learner_code(exercise, batch_loop, model, loader, nn.L1Loss(), optimizer)
            if isinstance(value, CheckResult):
                return value
    steps, zeros = events.count("step"), events.count("zero")
    if "forward" not in events:
        return failed(exercise, "the model was never called: for X_batch, y_batch in loader, start with "
                                "y_pred = model(X_batch)")
    if any(call.on(X_train) for call in model.calls):
        return failed(exercise, "the model saw the whole training set at once: loop `for X_batch, y_batch in "
                                "loader:` and run the five steps on each batch")
    if steps == EPOCHS:
        return failed(exercise, f"{EPOCHS} epochs of {len(loader)} batches stepped the optimizer only {steps} times: "
                                "optimizer.step() belongs inside the batch loop, once per batch")
    if steps != steps_wanted:
        return failed(exercise, f"{EPOCHS} epochs of {len(loader)} batches should make {steps_wanted} optimizer steps "
                                f"(one per batch), yours made {steps}")
    training = [call for call in model.calls if call.grad]
    if training and not training[0].training:
        return failed(exercise, "the forward pass ran in eval mode: call model.train() before the batch loop")
    in_eval = sum(not call.training for call in training)  # every forward pass, not just the first
    if in_eval:
        return failed(exercise, f"{in_eval} of {len(training)} training forward passes ran in eval mode: something in "
                                "the loop calls model.eval(); call model.train() once before the batch loop and keep "
                                "model.eval() for the testing loop")
    if zeros < steps and not close(params_of(model), expected, tol=1e-6):
        return failed(exercise, f"optimizer.zero_grad() ran {zeros} times for {steps} batches, so the gradients "
                                "accumulated across batches: call it inside the batch loop, once per batch")
    seen = [call.x for call in model.calls if call.grad]
    if len(seen) != len(batches) or not all(call.shape == x.shape and torch.equal(call, x)
                                            for call, x in zip(seen, batches, strict=False)):
        return failed(exercise, "the batches were not the loader's: use the X_batch, y_batch that "
                                "`for X_batch, y_batch in loader:` gives, in its (shuffled) order")
    if not close(params_of(model), expected, tol=1e-6):
        return failed(exercise, f"the parameters ended at {fmt(params_of(model))}, expected {fmt(expected)}: "
                                "run the five steps on every batch (forward, loss, zero_grad, backward, step)")
    return None


def check_batch_loop(train_one_epoch: Callable[..., Any]) -> CheckResult:
    """Check ``train_one_epoch(model, loader, loss_fn, optimizer)``: the five steps once per batch of ``loader``.

    It runs two epochs over a shuffled ``DataLoader`` (batches of 16, 16 and 8, seeds no notebook prints), with
    the model and the data on ``get_device()``, from the notebook's seeded start with the model in eval mode,
    then from another start: it counts the optimizer steps (one per batch) and compares the parameters with
    the five steps done right on every batch.

    Example::

        >>> def train_one_epoch(model, loader, loss_fn, optimizer):
        ...     model.train()
        ...     for X_batch, y_batch in loader:
        ...         loss = loss_fn(model(X_batch), y_batch)
        ...         loss.backward()
        ...         optimizer.step()
        >>> print(check_batch_loop(train_one_epoch))
        ❌ batch loop: optimizer.zero_grad() ran 0 times for 6 batches, so the gradients accumulated across batches: call it inside the batch loop, once per batch
    """
    exercise = "batch loop"
    for start, seed in zip(STARTS, SEEDS, strict=True):
        result = _batch_loop_case(train_one_epoch, start, seed)
        if result is not None:
            return result
    steps = EPOCHS * math.ceil(40 / BATCH_SIZE)
    return passed(exercise, f"{EPOCHS} epochs of {math.ceil(40 / BATCH_SIZE)} shuffled batches: {steps} optimizer "
                            "steps, and the parameters match the five steps done on every batch")


# the weighted epoch loss -------------------------------------------------------------------------------------

# (batch losses, batch sizes): the notebook's case first, then others it never prints
_CASES = [
    ([0.2, 0.4, 0.9], [16, 16, 8]),
    ([0.31, 0.12, 0.05, 0.6, 1.7], [9, 9, 9, 9, 4]),
    ([2.5], [7]),
]


def _epoch_loss_problem(got: Any, losses: list[float], sizes: list[int]) -> str | None:
    number = as_number(got)
    if number is None:
        return f"return the epoch loss as one number (a float), got {describe(got)}"
    expected = sum(loss * size for loss, size in zip(losses, sizes, strict=True)) / sum(sizes)
    if close(number, expected, tol=1e-6):
        return None
    plain = sum(losses) / len(losses)
    weighted_sum = sum(loss * size for loss, size in zip(losses, sizes, strict=True))
    where = f"for batch losses {losses} and batch sizes {sizes}"
    if close(number, plain, tol=1e-6):
        return (f"{where} you returned {fmt(number)}, the plain mean of the batch losses: weight each loss by its "
                f"batch size (the last batch is smaller), expected {fmt(expected)}")
    if close(number, weighted_sum, tol=1e-6):
        return f"{where} you returned {fmt(number)}, the weighted sum: divide it by the number of samples, sum(batch_sizes)"
    if close(number, weighted_sum / len(losses), tol=1e-6):
        return (f"{where} you returned {fmt(number)}: divide the weighted sum by the number of samples, "
                "sum(batch_sizes), not by the number of batches")
    if close(number, weighted_sum / (sizes[0] * len(sizes)), tol=1e-6):
        return (f"{where} you returned {fmt(number)}: not every batch holds {sizes[0]} samples (the last is "
                "smaller), divide by sum(batch_sizes)")
    return f"{where} you returned {fmt(number)}, expected {fmt(expected)}: sum(loss × size) / sum(sizes)"


def check_epoch_loss(epoch_loss: Callable[..., Any]) -> CheckResult:
    """Check ``epoch_loss(batch_losses, batch_sizes)``: the mean of the batch losses weighted by batch size.

    The cases have a smaller last batch, so the plain mean of the batch losses is wrong, and numbers no
    notebook prints (a typed-in answer fails).

    Example::

        >>> print(check_epoch_loss(lambda batch_losses, batch_sizes: sum(batch_losses) / len(batch_losses)))
        ❌ epoch loss: for batch losses [0.2, 0.4, 0.9] and batch sizes [16, 16, 8] you returned 0.5000, the plain mean of the batch losses: weight each loss by its batch size (the last batch is smaller), expected 0.4200
    """
    exercise = "epoch loss"
    first = None
    for losses, sizes in _CASES:
        got = call_learner_code(exercise, epoch_loss, list(losses), list(sizes))
        if isinstance(got, CheckResult):
            return got
        problem = _epoch_loss_problem(got, losses, sizes)
        if problem and first is not None and as_number(got) is not None and close(as_number(got), first):
            problem = (f"for batch losses {losses} your function returned {fmt(as_number(got))} again: compute it "
                       "from the batch_losses and batch_sizes it is given, not from a number printed above")
        if problem:
            return failed(exercise, problem)
        first = as_number(got) if first is None else first
    return passed(exercise, f"the mean of the batch losses weighted by batch size, {fmt(first)} for batches of "
                            "16, 16 and 8")
