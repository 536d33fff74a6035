"""Checks for the "beyond the line" notebooks: common mistakes, other use cases, optimizers compared.

Each check calls the learner's function on small cases with known answers and says what is wrong.

Example::

    >>> import torch
    >>> def logits_to_labels(logits):
    ...     return torch.round(torch.sigmoid(logits))
    >>> print(check_logits_to_labels(logits_to_labels))
    ✅ logits to labels: every logit became the right 0/1 label
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import torch

from ..metrics import f1_score
from ._helpers import as_number, describe
from ._training import from_every_start, run_training_steps
from .result import CheckResult, call_learner_code, failed, passed

__all__ = ["check_epochs_to_reach", "check_f1_by_hand", "check_logits_to_labels", "check_spot_the_bug"]


# 10. Spot the bug -------------------------------------------------------------------------------

_STEPS = 3


def check_spot_the_bug(train_step: Callable[..., Any]) -> CheckResult:
    """Check a fixed ``train_step(model, X, y, loss_fn, optimizer)`` that returns the loss as a float.

    It runs the learner's function three times in a row on the straight line, with the model starting in
    eval mode, from the notebook's seeded start and from another, and compares the parameters and the
    returned losses with the five steps done right. Every order notebook 3 calls right passes
    (zero_grad -> backward -> step, or backward -> step -> zero_grad).

    Example::

        >>> def fixed(model, X, y, loss_fn, optimizer):
        ...     model.train()
        ...     loss = loss_fn(model(X), y)
        ...     loss.backward(); optimizer.step(); optimizer.zero_grad()  # zeroed after the step: right too
        ...     return loss.item()
        >>> print(check_spot_the_bug(fixed))
        ✅ spot the bug: the gradients are zeroed every step and the loss comes back as a float: both bugs are fixed
    """
    exercise = "spot the bug"
    runs = from_every_start(lambda start: run_training_steps(exercise, train_step, _STEPS, start))
    if isinstance(runs, CheckResult):
        return runs
    return passed(exercise, "the gradients are zeroed every step and the loss comes back as a float: "
                            "both bugs are fixed")


# 11. Other use cases ----------------------------------------------------------------------------

# logits of both signs, and some between 0 and 0.5: class 1 (probability > 0.5), though below 0.5 themselves
# (exactly 0 is left out: a probability of exactly 0.5 is a tie that correct answers break either way)
_LOGITS = torch.tensor([[-2.0], [0.5], [3.0], [-0.1], [1.2], [0.3], [0.05], [-0.4], [0.02], [-0.02]])
# two more cases no notebook prints, so that a label vector typed in from a message cannot pass
_LOGIT_CASES = [_LOGITS, torch.tensor([[4.0], [-3.0], [0.7], [-0.7], [0.01], [-1.5]]),
                torch.tensor([[-0.3], [0.45], [-5.0], [0.15], [2.5], [-0.01], [0.9], [-1.1]])]


def _labels_problem(exercise: str, logits: torch.Tensor, result: Any) -> CheckResult | None:
    """What is wrong with ``result`` as the labels of ``logits``; None when nothing is."""
    if not isinstance(result, torch.Tensor):
        return failed(exercise, f"return a tensor of labels, got {describe(result, show_value=True)}")
    if result.shape != logits.shape:
        return failed(
            exercise,
            f"the labels have shape {tuple(result.shape)} but the logits have shape {tuple(logits.shape)}: "
            "keep the shape (no .squeeze() or .flatten())",
        )
    values = result.detach().float()
    if torch.allclose(values, torch.sigmoid(logits)):
        return failed(exercise, "these are probabilities: round them to 0/1 labels with torch.round")
    if torch.equal(values, (logits >= 0.5).float()) or torch.equal(values, (logits > 0.5).float()):
        return failed(exercise, "you compared the logits with 0.5, but 0.5 is the threshold for probabilities: a logit "
                                "of 0.3 is a probability of 0.57, class 1. Apply torch.sigmoid first (or compare "
                                "the logits with 0)")
    if torch.equal(values, torch.round(logits)):
        return failed(exercise, "round(logits) is not a label: apply torch.sigmoid first, then round")
    wrong = (values != (logits > 0).float()).flatten()
    if wrong.any():
        # how many, not which labels: the message must not print the answer to copy
        return failed(exercise, f"{int(wrong.sum())} of {len(wrong)} labels are wrong for logits "
                                f"{logits.flatten().tolist()}: a label is 1.0 when sigmoid(logit) is above 0.5 "
                                "and 0.0 otherwise (torch.round(torch.sigmoid(logits)))")
    return None


def check_logits_to_labels(logits_to_labels: Callable[[torch.Tensor], torch.Tensor]) -> CheckResult:
    """Check ``logits_to_labels(logits)``: sigmoid, then round to 0/1 labels of the same shape.

    It runs on three sets of logits; a failing message says how many labels are wrong, never which.
    """
    exercise = "logits to labels"
    floats = True
    for logits in _LOGIT_CASES:
        given = logits.clone()
        result = call_learner_code(exercise, logits_to_labels, given)
        if isinstance(result, CheckResult):
            return result
        if not torch.equal(given, logits):
            return failed(exercise, "your function changed the logits it was given (an in-place sigmoid_() or "
                                    "round_()): use torch.sigmoid(logits), which makes a new tensor")
        problem = _labels_problem(exercise, logits, result)
        if problem is not None:
            return problem
        floats = floats and result.is_floating_point()
    tip = "" if floats else "labels as 0.0/1.0 floats (.float()) are what the loss and metrics expect"
    return passed(exercise, "every logit became the right 0/1 label", tip)


# (y_true, y_pred, what the case is about)
_F1_CASES = [
    (torch.tensor([1, 1, 1, 1, 0, 0, 0, 0, 0, 0]), torch.tensor([1, 1, 1, 0, 1, 1, 0, 0, 0, 0]), "tp=3, fp=2, fn=1"),
    (torch.tensor([1, 1, 0, 0]), torch.tensor([1, 1, 0, 0]), "every label right"),
    (torch.tensor([1, 0, 1, 0]), torch.tensor([0, 0, 0, 0]), "nothing predicted positive (F1 = 0: tp = 0 but fn = 2)"),
    (torch.tensor([0, 0, 0, 0]), torch.tensor([0, 0, 0, 0]), "no positives at all (tp = fp = fn = 0: F1 is 0 / 0)"),
]


def check_f1_by_hand(f1_by_hand: Callable[[torch.Tensor, torch.Tensor], Any]) -> CheckResult:
    """Check ``f1_by_hand(y_true, y_pred)`` against hand-computed F1 scores, undefined cases included."""
    exercise = "F1 by hand"
    for y_true, y_pred, case in _F1_CASES:
        expected = f1_score(y_true, y_pred)
        result = call_learner_code(exercise, f1_by_hand, y_true.clone(), y_pred.clone())
        if isinstance(result, CheckResult):
            if "ZeroDivisionError" in result.message:
                return failed(exercise, f"with {case} your code divided by zero: use F1 = 2 * tp / (2 * tp + fp + fn), "
                                        "which only divides by 0 when tp = fp = fn = 0; return 0.0 there")
            return result
        value = as_number(result)
        if value is None:
            return failed(exercise, f"return one number, got {describe(result, show_value=True)}")
        if math.isnan(value):
            return failed(exercise, f"with {case} you returned nan (0 / 0): F1 = 2 * tp / (2 * tp + fp + fn), "
                                    "and 0.0 when tp = fp = fn = 0")
        if not math.isclose(value, expected, abs_tol=1e-4):
            return failed(
                exercise,
                f"with {case} (y_true={y_true.tolist()}, y_pred={y_pred.tolist()}) expected {expected:.4f}, "
                f"got {value:.4f}: F1 = 2 * tp / (2 * tp + fp + fn)",
            )
    return passed(exercise, "right on a mixed case, a perfect one, one with nothing predicted positive (F1 = 0) "
                            "and one with no positives at all (0 / 0, reported as 0.0)")


# 12. Optimizers compared ------------------------------------------------------------------------

# (losses, target, expected, what the case is about)
_REACH_CASES = [
    ([0.9, 0.5, 0.3, 0.1, 0.05], 0.2, 3, "a loss that falls below the target"),
    ([0.9, 0.5, 0.3, 0.1, 0.05], 0.3, 2, "a loss that hits the target exactly"),
    ([0.9, 0.5, 0.3, 0.1, 0.05], 1.0, 0, "a target reached at epoch 0"),
    ([0.9, 0.5, 0.3], 0.01, None, "a target never reached"),
    ([0.9, 0.1, 0.4, 0.05], 0.2, 1, "a loss that goes up again afterwards"),
]


def _as_epoch(value: Any) -> int | None:
    """An int for any whole-number value (int, NumPy integer, one-element integer tensor), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, torch.Tensor):
        return int(value.item()) if value.numel() == 1 and not value.is_floating_point() else None
    try:
        return operator.index(value)
    except TypeError:
        return None


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
        epoch = _as_epoch(result)
        if epoch is None:
            return failed(
                exercise,
                f"for {case} ({losses}, target {target}) expected the epoch {expected} as a whole number "
                f"(a plain int), got {describe(result, show_value=True)}",
            )
        result = epoch
        if result != expected:
            hint = " (a loss equal to the target counts: use <=)" if "exactly" in case else ""
            return failed(
                exercise,
                f"for {case} ({losses}, target {target}) expected epoch {expected}, got {result}{hint}",
            )
    return passed(exercise, "the first epoch at or below the target, and None when it is never reached")
