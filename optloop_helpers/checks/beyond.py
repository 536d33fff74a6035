"""Checks for the "beyond the line" notebooks: common mistakes, other use cases, optimizers compared.

Each check calls the learner's function on small cases with known answers and says what is wrong.

Example::

    >>> import torch
    >>> def logits_to_labels(logits):
    ...     return torch.round(torch.sigmoid(logits))
    >>> print(check_logits_to_labels(logits_to_labels))
    ✅ logits to labels: sigmoid then round turns every logit into the right 0/1 label
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from ..data import make_line_data
from ..metrics import f1_score
from ..models import LinearRegressionModel
from ._helpers import as_number
from .result import CheckResult, call_learner_code, failed, passed

__all__ = ["check_epochs_to_reach", "check_f1_by_hand", "check_logits_to_labels", "check_spot_the_bug"]


def _describe(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}"
    return f"{value!r} ({type(value).__name__})"


# 10. Spot the bug -------------------------------------------------------------------------------

_STEPS = 3
_LEFTOVER = 1000.0


def _line_model() -> LinearRegressionModel:
    """A straight-line model with the parameters seed 42 gives, without touching the learner's RNG."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(42)
        return LinearRegressionModel()


def _params(model: nn.Module) -> tuple[float, ...]:
    return tuple(p.item() for p in model.parameters())


def _reference() -> tuple[list[float], tuple[float, ...]]:
    """The losses and final parameters of ``_STEPS`` training steps done right."""
    model, data = _line_model(), make_line_data()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn, losses = nn.L1Loss(), []
    for _ in range(_STEPS):
        loss = loss_fn(model(data.X_train), data.y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, _params(model)


def _close(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all(math.isclose(x, y, rel_tol=1e-5, abs_tol=1e-6) for x, y in zip(a, b, strict=True))


def check_spot_the_bug(train_step: Callable[..., Any]) -> CheckResult:
    """Check a fixed ``train_step(model, X, y, loss_fn, optimizer)`` that returns the loss as a float.

    It runs the learner's function three times on the straight line and compares the parameters
    and the returned losses with the five steps done right.
    """
    exercise = "spot the bug"
    model, data = _line_model(), make_line_data()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    start = _params(model)
    steps = [0]
    handle = optimizer.register_step_post_hook(lambda *_: steps.__setitem__(0, steps[0] + 1))
    returned = []
    try:
        for call in range(1, _STEPS + 1):
            for p in model.parameters():  # a big leftover gradient, as if an earlier step had left it there
                p.grad = torch.full_like(p, _LEFTOVER)
            result = call_learner_code(
                exercise, train_step, model, data.X_train, data.y_train, nn.L1Loss(), optimizer
            )
            if isinstance(result, CheckResult):
                return result
            if any(p.grad is not None and p.grad.abs().max() > _LEFTOVER / 2 for p in model.parameters()):
                return failed(
                    exercise,
                    "the gradients accumulate: the gradient left over from the last step was added to the new "
                    "one. Call optimizer.zero_grad() before loss.backward()",
                )
            if steps[0] != call:
                return failed(
                    exercise,
                    f"one call of your function stepped the optimizer {steps[0] - call + 1} times: "
                    "call optimizer.step() exactly once per training step",
                )
            returned.append(result)
    finally:
        handle.remove()

    first = returned[0]
    if isinstance(first, torch.Tensor) and first.requires_grad:
        return failed(
            exercise,
            "you returned the loss tensor, which still requires grad (and keeps the whole graph alive); "
            "return loss.item(), a plain float you can store and plot",
        )
    if not all(type(value) is float for value in returned):
        return failed(exercise, f"return the loss as a float with loss.item(), got {_describe(first)}")

    losses, expected = _reference()
    params = _params(model)
    if _close(params, start):
        return failed(
            exercise,
            "the parameters did not change: use the model, X, y, loss_fn and optimizer your function is "
            "given, and call loss.backward() before optimizer.step()",
        )
    if not _close(params, expected):
        got = ", ".join(f"{v:.4f}" for v in params)
        want = ", ".join(f"{v:.4f}" for v in expected)
        return failed(
            exercise,
            f"after {_STEPS} steps the parameters are ({got}), expected ({want}): run forward pass, loss, "
            "zero_grad, backward, step - in that order, once each",
        )
    if not _close(tuple(returned), tuple(losses)):
        return failed(exercise, "the parameters are right, but return the loss of this step's forward pass")
    return passed(exercise, "zero_grad before backward, and a float loss: the bugs are fixed")


# 11. Other use cases ----------------------------------------------------------------------------

_LOGITS = torch.tensor([[-2.0], [0.5], [3.0], [-0.1], [1.2]])
_LABELS = torch.tensor([[0.0], [1.0], [1.0], [0.0], [1.0]])


def check_logits_to_labels(logits_to_labels: Callable[[torch.Tensor], torch.Tensor]) -> CheckResult:
    """Check ``logits_to_labels(logits)``: sigmoid, then round to 0/1 labels of the same shape."""
    exercise = "logits to labels"
    result = call_learner_code(exercise, logits_to_labels, _LOGITS.clone())
    if isinstance(result, CheckResult):
        return result
    if not isinstance(result, torch.Tensor):
        return failed(exercise, f"return a tensor of labels, got {_describe(result)}")
    if result.shape != _LOGITS.shape:
        return failed(
            exercise,
            f"the labels have shape {tuple(result.shape)} but the logits have shape {tuple(_LOGITS.shape)}: "
            "keep the shape (no .squeeze() or .flatten())",
        )
    values = result.detach().float()
    if torch.allclose(values, torch.sigmoid(_LOGITS)):
        return failed(exercise, "these are probabilities: round them to 0/1 labels with torch.round")
    if torch.equal(values, torch.round(_LOGITS)):
        return failed(exercise, "round(logits) is not a label: apply torch.sigmoid first, then round")
    if not torch.equal(values, _LABELS):
        return failed(
            exercise,
            f"for logits {_LOGITS.flatten().tolist()} expected labels {_LABELS.flatten().tolist()}, "
            f"got {values.flatten().tolist()}",
        )
    return passed(exercise, "sigmoid then round turns every logit into the right 0/1 label")


# (y_true, y_pred, what the case is about)
_F1_CASES = [
    (torch.tensor([1, 1, 1, 1, 0, 0, 0, 0, 0, 0]), torch.tensor([1, 1, 1, 0, 1, 1, 0, 0, 0, 0]), "tp=3, fp=2, fn=1"),
    (torch.tensor([1, 1, 0, 0]), torch.tensor([1, 1, 0, 0]), "every label right"),
    (torch.tensor([1, 0, 1, 0]), torch.tensor([0, 0, 0, 0]), "nothing predicted positive"),
    (torch.tensor([0, 0, 0, 0]), torch.tensor([0, 0, 0, 0]), "no positives at all"),
]


def check_f1_by_hand(f1_by_hand: Callable[[torch.Tensor, torch.Tensor], Any]) -> CheckResult:
    """Check ``f1_by_hand(y_true, y_pred)`` against hand-computed F1 scores, undefined cases included."""
    exercise = "F1 by hand"
    for y_true, y_pred, case in _F1_CASES:
        expected = f1_score(y_true, y_pred)
        result = call_learner_code(exercise, f1_by_hand, y_true.clone(), y_pred.clone())
        if isinstance(result, CheckResult):
            if "ZeroDivisionError" in result.message:
                return failed(exercise, f"with {case} your code divided by zero: when F1 is undefined, return 0.0")
            return result
        value = as_number(result)
        if value is None:
            return failed(exercise, f"return one number, got {_describe(result)}")
        if math.isnan(value):
            return failed(exercise, f"with {case} you returned nan (0 / 0): when F1 is undefined, return 0.0")
        if not math.isclose(value, expected, abs_tol=1e-4):
            return failed(
                exercise,
                f"with {case} (y_true={y_true.tolist()}, y_pred={y_pred.tolist()}) expected {expected:.4f}, "
                f"got {value:.4f}: F1 = 2 * tp / (2 * tp + fp + fn)",
            )
    return passed(exercise, "right on a mixed case, a perfect one and both undefined cases")


# 12. Optimizers compared ------------------------------------------------------------------------

# (losses, target, expected, what the case is about)
_REACH_CASES = [
    ([0.9, 0.5, 0.3, 0.1, 0.05], 0.2, 3, "a loss that falls below the target"),
    ([0.9, 0.5, 0.3, 0.1, 0.05], 0.3, 2, "a loss that hits the target exactly"),
    ([0.9, 0.5, 0.3, 0.1, 0.05], 1.0, 0, "a target reached at epoch 0"),
    ([0.9, 0.5, 0.3], 0.01, None, "a target never reached"),
    ([0.9, 0.1, 0.4, 0.05], 0.2, 1, "a loss that goes up again afterwards"),
]


def check_epochs_to_reach(epochs_to_reach: Callable[[list[float], float], Any]) -> CheckResult:
    """Check ``epochs_to_reach(losses, target)``: the first epoch whose loss is <= target, else None."""
    exercise = "epochs to reach a loss"
    for losses, target, expected, case in _REACH_CASES:
        result = call_learner_code(exercise, epochs_to_reach, list(losses), target)
        if isinstance(result, CheckResult):
            return result
        if expected is None:
            if result is not None:
                return failed(
                    exercise,
                    f"for {case} ({losses}, target {target}) return None, got {result!r}",
                )
            continue
        if result is None or isinstance(result, bool) or not isinstance(result, int):
            return failed(
                exercise,
                f"for {case} ({losses}, target {target}) expected the epoch {expected}, got {result!r}",
            )
        if result != expected:
            hint = " (a loss equal to the target counts: use <=)" if "exactly" in case else ""
            return failed(
                exercise,
                f"for {case} ({losses}, target {target}) expected epoch {expected}, got {result}{hint}",
            )
    return passed(exercise, "the first epoch at or below the target, and None when it is never reached")
