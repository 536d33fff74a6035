"""The check for notebook 09, the playground: build an optimizer with a learning rate that learns fast.

The check trains with the learner's optimizer itself (``fit`` from the seeded start), so the answer is
judged by what training does with it, never by comparison with a number printed somewhere.

Example::

    >>> print(check_learning_rate(lambda parameters: torch.optim.SGD(parameters, lr=0.01)))
    ❌ learning rate: with lr=0.01 the final train loss after 30 epochs is 0.0281, not below 0.001: the steps are too small, try a bigger learning rate
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from ..data import make_line_data
from ..loop import fit
from ._helpers import as_number, describe, make_model, params_of
from .result import CheckResult, call_learner_code, failed, passed

EPOCHS = 30
TARGET = 0.001


def _optimizer_problem(optimizer: Any, model: nn.Module) -> str | None:
    """What is wrong with the learner's optimizer for this exercise; None when nothing is."""
    if not isinstance(optimizer, torch.optim.Optimizer):
        return f"return the optimizer, e.g. torch.optim.SGD(parameters, lr=...), got {describe(optimizer)}"
    if type(optimizer) is not torch.optim.SGD:
        return f"this exercise is about plain SGD: return torch.optim.SGD(parameters, lr=...), not {type(optimizer).__name__}"
    groups = optimizer.param_groups
    given = [p for group in groups for p in group["params"]]
    if len(given) != 2 or {id(p) for p in given} != {id(p) for p in model.parameters()}:
        return "build the optimizer over the parameters your function is given (torch.optim.SGD(parameters, ...))"
    extras = [name for name in ("momentum", "weight_decay", "dampening") if any(g.get(name, 0) for g in groups)]
    if extras or any(g.get("nesterov") for g in groups):
        return f"plain SGD only: leave out {', '.join(extras) or 'nesterov'}; the learning rate is the one knob here"
    if len({g["lr"] for g in groups}) != 1:
        return "use one learning rate for both parameters"
    return None


def zig_zags(history: Any) -> bool:
    """True when most steps point back against the one before: the parameters overshoot the valley floor."""
    path = torch.tensor([history.param("weights"), history.param("bias")]).T
    steps = path.diff(dim=0)
    turns = (steps[1:] * steps[:-1]).sum(dim=1) < 0
    return bool(turns.float().mean() > 0.5) if len(turns) else False


def check_learning_rate(make_optimizer: Callable[..., Any]) -> CheckResult:
    """Check ``make_optimizer(parameters)``: plain SGD whose learning rate gets MSE below 0.001 in 30 epochs.

    The check builds the optimizer with the learner's function over a model at the seeded start (weights
    0.3367, bias 0.1288), trains it on the straight line with the MSE loss for 30 epochs (``fit``), and
    judges the final model's training loss, saying what training did with a learning rate that fails.

    Example::

        >>> print(check_learning_rate(lambda parameters: torch.optim.SGD(parameters, lr=0.5)))
        ✅ learning rate: with lr=0.5 SGD + MSE reaches a final train loss of 0.0002 after 30 epochs (below 0.001)
    """
    exercise = "learning rate"
    data, model = make_line_data(), make_model()
    with torch.inference_mode():
        start_loss = nn.MSELoss()(model(data.X_train), data.y_train).item()
    before = params_of(model)
    optimizer = call_learner_code(exercise, make_optimizer, model.parameters())
    if isinstance(optimizer, CheckResult):
        return optimizer
    if params_of(model) != before:  # e.g. filled in the line's true parameters: training would have nothing to do
        return failed(exercise, "your function changed the model's parameters: only build the optimizer, "
                                "torch.optim.SGD(parameters, lr=...), and let training move them")
    problem = _optimizer_problem(optimizer, model)
    if problem:
        return failed(exercise, problem)
    lr = as_number(optimizer.param_groups[0]["lr"])
    if lr is None or not math.isfinite(lr) or lr <= 0:
        return failed(exercise, f"a learning rate must be a number > 0, got {optimizer.param_groups[0]['lr']!r}")
    history = fit(model, data, nn.MSELoss(), optimizer, epochs=EPOCHS, eval_every=1)
    shown = f"{lr:g}"
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
