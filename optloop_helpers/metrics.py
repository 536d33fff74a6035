"""How good are the predictions? Regression metrics and classification metrics, as plain floats.

Regression metrics compare numbers (``y_true`` and ``y_pred`` of the same shape, any dtype):

    >>> import torch
    >>> y_true = torch.tensor([3.0, 5.0, 2.0, 7.0])
    >>> y_pred = torch.tensor([2.5, 5.0, 3.0, 8.0])
    >>> mae(y_true, y_pred), mse(y_true, y_pred), rmse(y_true, y_pred)
    (0.625, 0.5625, 0.75)
    >>> round(r2_score(y_true, y_pred), 4)
    0.8475

Classification metrics compare 0/1 labels (1 = positive). They count the four cells of the
confusion matrix and return a float in [0, 1]; a metric that is undefined (nothing predicted
positive, or nothing actually positive) returns 0.0:

    >>> y_true = torch.tensor([1, 0, 0, 0, 1, 0, 0, 0])
    >>> y_pred = torch.tensor([1, 1, 0, 0, 1, 0, 1, 0])
    >>> confusion_counts(y_true, y_pred)
    ConfusionCounts(tp=2, fp=2, fn=0, tn=4)
    >>> accuracy(y_true, y_pred), precision(y_true, y_pred), recall(y_true, y_pred), f1_score(y_true, y_pred)
    (0.75, 0.5, 1.0, 0.6666666666666666)
    >>> precision(y_true, torch.zeros(8)), recall(torch.zeros(8), y_pred)  # nothing predicted / actually positive
    (0.0, 0.0)

Metrics return full-precision floats; round them when you print them.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import torch

from ._validate import check_same_length, check_tensor

__all__ = [
    "ConfusionCounts",
    "accuracy",
    "confusion_counts",
    "f1_score",
    "mae",
    "mse",
    "precision",
    "r2_score",
    "recall",
    "rmse",
]

def _check_pair(y_true: Any, y_pred: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """Both must be non-empty tensors of the same shape; return them detached, as float64 on the CPU."""
    check_tensor("y_true", y_true)
    check_tensor("y_pred", y_pred)
    check_same_length("y_true", y_true, "y_pred", y_pred)
    return (
        y_true.detach().to("cpu", torch.float64),
        y_pred.detach().to("cpu", torch.float64),
    )


# Regression metrics ------------------------------------------------------------------------------


def _errors(y_true: Any, y_pred: Any) -> torch.Tensor:
    """``y_true - y_pred`` for two checked tensors (float64, on the CPU)."""
    y_true, y_pred = _check_pair(y_true, y_pred)
    return y_true - y_pred


def mae(y_true: torch.Tensor, y_pred: torch.Tensor) -> float:
    """Mean absolute error: the average of ``|y_true - y_pred|`` (what ``nn.L1Loss`` computes).

    Example::

        >>> import torch
        >>> mae(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.5, 2.0, 2.0]))
        0.5
    """
    return float(_errors(y_true, y_pred).abs().mean())


def mse(y_true: torch.Tensor, y_pred: torch.Tensor) -> float:
    """Mean squared error: the average of ``(y_true - y_pred) ** 2`` (what ``nn.MSELoss`` computes).

    Example::

        >>> import torch
        >>> mse(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.5, 2.0, 2.0]))
        0.4166666666666667
    """
    return float((_errors(y_true, y_pred) ** 2).mean())


def rmse(y_true: torch.Tensor, y_pred: torch.Tensor) -> float:
    """Root mean squared error: ``sqrt(mse)``, in the same units as ``y``.

    Example::

        >>> import torch
        >>> rmse(torch.tensor([0.0, 0.0]), torch.tensor([3.0, -3.0]))
        3.0
    """
    return float((_errors(y_true, y_pred) ** 2).mean().sqrt())


def r2_score(y_true: torch.Tensor, y_pred: torch.Tensor) -> float:
    """Coefficient of determination: ``1 - SS_res / SS_tot``.

    1.0 is a perfect fit, 0.0 is no better than always predicting the mean of ``y_true``, and it is
    negative when the predictions are worse than that. When every ``y_true`` is the same number
    (``SS_tot == 0``) it returns 1.0 for perfect predictions and 0.0 otherwise.

    Example::

        >>> import torch
        >>> y_true = torch.tensor([1.0, 2.0, 3.0])
        >>> r2_score(y_true, y_true), r2_score(y_true, torch.full((3,), 2.0))
        (1.0, 0.0)
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    ss_res = ((y_true - y_pred) ** 2).sum()
    ss_tot = ((y_true - y_true.mean()) ** 2).sum()
    if ss_tot == 0:
        return 1.0 if ss_res == 0 else 0.0
    return float(1 - ss_res / ss_tot)


# Classification metrics --------------------------------------------------------------------------


class ConfusionCounts(NamedTuple):
    """The four cells of a binary confusion matrix (1 = positive, 0 = negative)."""

    tp: int  # true positives: predicted 1, actually 1
    fp: int  # false positives: predicted 1, actually 0
    fn: int  # false negatives: predicted 0, actually 1
    tn: int  # true negatives: predicted 0, actually 0


def _check_labels(name: str, labels: torch.Tensor) -> None:
    bad = labels[(labels != 0) & (labels != 1)]
    if bad.numel():
        shown = [round(v, 4) for v in bad.unique()[:3].tolist()]
        raise ValueError(
            f"{name} must hold only 0/1 labels, got values such as {shown}; turn logits into labels "
            "first, e.g. torch.round(torch.sigmoid(logits))"
        )


def confusion_counts(y_true: torch.Tensor, y_pred: torch.Tensor) -> ConfusionCounts:
    """Count true/false positives and negatives of 0/1 labels (int, float or bool tensors).

    Example::

        >>> import torch
        >>> confusion_counts(torch.tensor([1, 0, 1, 0]), torch.tensor([1, 1, 0, 0]))
        ConfusionCounts(tp=1, fp=1, fn=1, tn=1)
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    _check_labels("y_true", y_true)
    _check_labels("y_pred", y_pred)
    actual, predicted = y_true == 1, y_pred == 1
    return ConfusionCounts(
        tp=int((predicted & actual).sum()),
        fp=int((predicted & ~actual).sum()),
        fn=int((~predicted & actual).sum()),
        tn=int((~predicted & ~actual).sum()),
    )


def _ratio(numerator: int, denominator: int) -> float:
    """``numerator / denominator``, or 0.0 when the denominator is 0 (the metric is undefined)."""
    return float(numerator / denominator) if denominator else 0.0


def accuracy(y_true: torch.Tensor, y_pred: torch.Tensor) -> float:
    """The fraction of labels predicted right: ``(tp + tn) / n``.

    It flatters a model when positives are rare (always predicting 0 scores high): precision and recall don't.

    Example::

        >>> accuracy(torch.tensor([1, 0, 1, 0]), torch.tensor([1, 0, 0, 0]))
        0.75
    """
    c = confusion_counts(y_true, y_pred)
    return _ratio(c.tp + c.tn, c.tp + c.fp + c.fn + c.tn)


def precision(y_true: torch.Tensor, y_pred: torch.Tensor) -> float:
    """Of the labels predicted positive, the fraction that are: ``tp / (tp + fp)`` (0.0 if none predicted).

    Example::

        >>> round(precision(torch.tensor([1, 0, 1, 0]), torch.tensor([1, 1, 1, 0])), 4)
        0.6667
    """
    c = confusion_counts(y_true, y_pred)
    return _ratio(c.tp, c.tp + c.fp)


def recall(y_true: torch.Tensor, y_pred: torch.Tensor) -> float:
    """Of the actual positives, the fraction found: ``tp / (tp + fn)`` (0.0 if there are none).

    Precision asks "how many of the alarms were real?", recall "how many of the real cases raised one?".

    Example::

        >>> recall(torch.tensor([1, 0, 1, 0]), torch.tensor([1, 0, 0, 0]))
        0.5
    """
    c = confusion_counts(y_true, y_pred)
    return _ratio(c.tp, c.tp + c.fn)


def f1_score(y_true: torch.Tensor, y_pred: torch.Tensor) -> float:
    """The harmonic mean of precision and recall: ``2 * tp / (2 * tp + fp + fn)`` (0.0 if undefined).

    Example::

        >>> f1_score(torch.tensor([1, 0, 1, 0]), torch.tensor([1, 1, 0, 0]))
        0.5
    """
    c = confusion_counts(y_true, y_pred)
    return _ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn)
