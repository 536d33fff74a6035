"""The check for notebook 09, the playground: find a learning rate, and the check trains with it.

The check runs the learner's setting itself (a fresh ``fit`` from the seeded start), so the answer is
judged by what training does with it, never by comparison with a number printed somewhere.

Example::

    >>> print(check_learning_rate(0.01))
    ❌ learning rate: with lr=0.01 the final train loss after 30 epochs is 0.0281, not below 0.001: the steps are too small, try a bigger learning rate
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from ..data import make_line_data
from ..loop import fit
from ._helpers import as_number, describe, make_model
from .result import CheckResult, failed, passed

EPOCHS = 30
TARGET = 0.001


def _train(lr: float) -> tuple[Any, float]:
    """SGD + MSE for ``EPOCHS`` epochs from the seeded start; the history and the starting train loss."""
    data = make_line_data()
    model = make_model()
    with torch.inference_mode():
        start_loss = nn.MSELoss()(model(data.X_train), data.y_train).item()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = fit(model, data, nn.MSELoss(), optimizer, epochs=EPOCHS, eval_every=1)
    return history, start_loss


def zig_zags(history: Any) -> bool:
    """True when most steps point back against the one before: the parameters overshoot the valley floor."""
    path = torch.tensor([history.param("weights"), history.param("bias")]).T
    steps = path.diff(dim=0)
    turns = (steps[1:] * steps[:-1]).sum(dim=1) < 0
    return bool(turns.float().mean() > 0.5) if len(turns) else False


def check_learning_rate(lr: Any) -> CheckResult:
    """Check that SGD with the MSE loss and learning rate ``lr`` gets the final train loss below 0.001 in 30 epochs.

    Training starts from the seeded model (weights 0.3367, bias 0.1288) on the straight line; the
    learner's ``lr`` is all that changes.

    Example::

        >>> print(check_learning_rate(0.5))
        ✅ learning rate: with lr=0.5 SGD + MSE reaches a final train loss of 0.0002 after 30 epochs (below 0.001)
    """
    exercise = "learning rate"
    number = as_number(lr)
    if number is None:
        return failed(exercise, f"give the learning rate as a number (e.g. my_lr = 0.05), got {describe(lr)}")
    if not math.isfinite(number) or number <= 0:
        return failed(exercise, f"a learning rate must be a number > 0, got {number:g}")
    history, start_loss = _train(number)
    shown = f"{number:g}"
    if history.diverged:
        return failed(exercise, f"with lr={shown} the loss diverged at epoch {history.diverged_epoch} (inf or nan): "
                                "far too big, try a smaller learning rate")
    final = history.final_train_loss
    if final >= start_loss:
        return failed(exercise, f"with lr={shown} the train loss grew from {start_loss:.4f} to {final:.4g} in {EPOCHS} "
                                "epochs: every step overshoots by more than it corrects, try a smaller learning rate")
    if final >= TARGET and zig_zags(history):
        return failed(exercise, f"with lr={shown} the final train loss after {EPOCHS} epochs is {final:.4f}, not below "
                                f"{TARGET}: the parameters zig-zag (each step overshoots the valley floor), "
                                "try a somewhat smaller learning rate")
    if final >= TARGET:
        return failed(exercise, f"with lr={shown} the final train loss after {EPOCHS} epochs is {final:.4f}, not below "
                                f"{TARGET}: the steps are too small, try a bigger learning rate")
    return passed(exercise, f"with lr={shown} SGD + MSE reaches a final train loss of {final:.4f} after {EPOCHS} "
                            f"epochs (below {TARGET})")
