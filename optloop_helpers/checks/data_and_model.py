"""Checks for notebooks 00-02: splitting the data, the forward pass and the loss value.

Example::

    >>> def split_data(X, y, train_fraction=0.8):
    ...     n_train = int(train_fraction * len(X))
    ...     return X[:n_train], y[:n_train], X[n_train:], y[n_train:]
    >>> print(check_split(split_data))
    ✅ split the data: 40 points to train on and 10 to test on, in order
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from ..data import make_line_data
from ._helpers import (
    OTHER_BIAS,
    OTHER_WEIGHT,
    SpyModel,
    as_number,
    close,
    describe,
    fmt,
    make_model,
    no_grad_tip,
    on_other_case,
)
from .result import CheckResult, call_keeping_grad_mode, call_learner_code, failed, passed


def _line(**kwargs: Any) -> tuple[torch.Tensor, torch.Tensor]:
    data = make_line_data(**kwargs)
    return torch.cat([data.X_train, data.X_test]), torch.cat([data.y_train, data.y_test])


# (data, train_fraction): the notebook's line, another fraction, and 30 points of another line
_SPLIT_CASES = [({}, 0.8), ({}, 0.5), ({"weight": -0.4, "bias": 0.9, "end": 0.6}, 0.7)]


def _split_problem(parts: Any, X: torch.Tensor, y: torch.Tensor, fraction: float) -> str | None:
    """What is wrong with ``parts`` as a split of ``(X, y)``; None when nothing is."""
    if not isinstance(parts, (tuple, list)) or len(parts) != 4:
        return f"return four tensors (X_train, y_train, X_test, y_test), got {describe(parts)}"
    if not all(isinstance(p, torch.Tensor) for p in parts):
        return "return four tensors (X_train, y_train, X_test, y_test); slice X and y, e.g. X[:n_train]"
    X_train, y_train, X_test, y_test = parts
    n_train = int(fraction * len(X))
    if torch.equal(y_train, X[n_train:]):
        return ("the second tensor holds inputs, not targets: return them in the order "
                "X_train, y_train, X_test, y_test")
    if len(X_train) == n_train and len(y_train) != len(X_train):
        return (f"y_train has {len(y_train)} targets but X_train has {len(X_train)} points: slice y exactly "
                "the way you slice X")
    if len(X_train) != n_train or len(y_train) != n_train:
        hint = "use train_fraction, not a fixed number"
        if len(X) != 50 and len(X_train) == min(len(X), int(fraction * 50)):
            hint = "count the points with len(X), not a fixed 50"
        return (f"with {len(X)} points and train_fraction={fraction} the training set should have {n_train} "
                f"points (the first {n_train} of {len(X)}), got {len(X_train)}; {hint}")
    if len(X_test) != len(X) - n_train or len(y_test) != len(X) - n_train:
        return (f"the test set should have the other {len(X) - n_train} points, got {len(X_test)}; "
                "every point belongs to exactly one set")
    if X_train.shape[1:] != X.shape[1:]:
        return f"X_train has shape {tuple(X_train.shape)}; keep the shape [n, 1] by slicing rows"
    if not (torch.equal(X_train, X[:n_train]) and torch.equal(X_test, X[n_train:])):
        return ("the points are not split in order: the first points are for training and the rest for "
                "testing (slice with X[:n_train] and X[n_train:], do not shuffle)")
    if not (torch.equal(y_train, y[:n_train]) and torch.equal(y_test, y[n_train:])):
        return "y_train and y_test must hold the targets of X_train and X_test: slice y the same way as X"
    return None


def check_split(split_data: Callable[..., Any]) -> CheckResult:
    """Check ``split_data(X, y, train_fraction=0.8)`` returns ``X_train, y_train, X_test, y_test`` in order.

    Example::

        >>> print(check_split(lambda X, y, train_fraction=0.8: (X[:40], y[:40], X[40:], y[40:])))
        ❌ split the data: with 50 points and train_fraction=0.5 the training set should have 25 points (the first 25 of 50), got 40; use train_fraction, not a fixed number
    """
    exercise = "split the data"
    for data_kwargs, fraction in _SPLIT_CASES:
        X, y = _line(**data_kwargs)
        kwargs = {} if fraction == 0.8 else {"train_fraction": fraction}
        # the learner gets copies: a shuffle in place (X.copy_(X[perm])) must not change what is compared with
        X_given, y_given = X.clone(), y.clone()
        parts = call_learner_code(exercise, split_data, X_given, y_given, **kwargs)
        if isinstance(parts, CheckResult):
            return parts
        if not (torch.equal(X_given, X) and torch.equal(y_given, y)):
            return failed(exercise, "your function changed the X or y it was given (shuffled or overwrote them in "
                                    "place): split them in order, by slicing, without changing them")
        problem = _split_problem(parts, X, y, fraction)
        if problem:
            return failed(exercise, problem)
    return passed(exercise, "40 points to train on and 10 to test on, in order")


def _forward_problem(forward_pass: Callable[..., Any], model: SpyModel, X: torch.Tensor) -> Any:
    """Run the learner's forward pass once; a failing ``CheckResult``, or the call that made the predictions."""
    exercise = "forward pass"
    expected = (model.weights * X + model.bias).detach()
    preds = call_keeping_grad_mode(exercise, forward_pass, model, X)
    if isinstance(preds, CheckResult):
        return preds
    if not isinstance(preds, torch.Tensor):
        return failed(exercise, f"return the predictions tensor, got {describe(preds)}")
    if preds.dtype != X.dtype:
        return failed(exercise, f"the predictions are {preds.dtype}, but the model makes {X.dtype}: return "
                                "model(X) as it is, without .double() or another dtype change")
    if preds.shape != X.shape:
        return failed(exercise, f"the predictions have shape {tuple(preds.shape)}, expected {tuple(X.shape)}: "
                                "one prediction per input (return model(X) as it is)")
    values = preds.detach()
    if not torch.allclose(values, expected, atol=1e-5):
        if torch.allclose(values, (model.weights * X).detach(), atol=1e-5):
            return failed(exercise, "the bias is missing: the model predicts weights * X + bias; call model(X)")
        return failed(exercise, f"for a model with weights {fmt(model.weights.item())} and bias "
                                f"{fmt(model.bias.item())} the predictions are not model(X): call the model you "
                                "are given on the X you are given (this runs forward())")
    call = next((c for c in reversed(model.calls) if c.produced(preds)), None)
    if call is None and any(c.output is not None and torch.equal(c.output.detach(), values) for c in model.calls):
        return failed(exercise, "your tensor has the right numbers but is not what model(X) returned (a copy, or "
                                "the line computed another way): return the model's output itself")
    if call is None:
        return failed(exercise, "return what model(X) gives you, as it is: call the model instead of "
                                "computing the line yourself")
    if preds.requires_grad:
        return failed(exercise, "the predictions still track gradients (requires_grad=True): "
                                "make them inside `with torch.inference_mode():`")
    if call.grad:
        return failed(exercise, "model(X) ran with autograd on: .detach() afterwards does not undo the recording; "
                                "make the predictions inside `with torch.inference_mode():`")
    if call.training:
        return failed(exercise, "the model was in training mode: call model.eval() first, as the exercise asks "
                                "(it matters for layers such as dropout; notebook 7 shows how)")
    return call


def check_forward_pass(forward_pass: Callable[..., Any]) -> CheckResult:
    """Check ``forward_pass(model, X)`` returns ``model(X)`` made in eval mode with autograd off (``inference_mode``).

    It runs on the notebook's model and test inputs, then on a model and inputs no notebook prints.

    Example::

        >>> def forward_pass(model, X):
        ...     return model(X)
        >>> print(check_forward_pass(forward_pass))
        ❌ forward pass: the predictions still track gradients (requires_grad=True): make them inside `with torch.inference_mode():`
    """
    exercise = "forward pass"
    cases = [(make_model(spy=True), make_line_data().X_test),
             (make_model(OTHER_WEIGHT, OTHER_BIAS, spy=True), torch.linspace(-2.0, 3.0, 7).unsqueeze(dim=1))]
    calls = []
    for model, X in cases:
        assert isinstance(model, SpyModel)
        call = _forward_problem(forward_pass, model, X)
        if isinstance(call, CheckResult):
            return call
        calls.append(call)
    n = len(cases[0][1])
    return passed(exercise, f"{n} predictions of shape ({n}, 1), made in eval mode with autograd off",
                  no_grad_tip(calls))


def _loss_inputs() -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Two cases ``(y_pred, y_true)``: errors of both signs and sizes, so every typical mistake gives another
    number; the second no notebook prints, so a typed-in number fails there."""
    first = (torch.tensor([[0.5], [0.4], [0.9], [0.6], [1.2]]), torch.tensor([[0.3], [0.5], [0.7], [0.9], [1.1]]))
    second = (torch.tensor([[2.0], [-1.0], [0.25], [3.5]]), torch.tensor([[1.0], [0.5], [0.75], [2.0]]))
    return [first, second]


def _loss_problem(number: float, errors: torch.Tensor, kind: str) -> str | None:
    """What is wrong with ``number`` as the loss of ``errors``; None when it is right."""
    mae = errors.abs().mean().item()
    mse = (errors**2).mean().item()
    expected = mae if kind == "l1" else mse
    if close(number, expected):
        return None
    name = "torch.abs" if kind == "l1" else "** 2"
    n = len(errors)
    if close(number, errors.mean().item()) or close(number, -errors.mean().item()):
        return f"positive and negative errors cancel out: make every error positive with {name} before taking the mean"
    if close(number, expected * n):
        return f"your loss is {n} times too big: take the mean of the errors, not the sum"
    if kind == "l1" and close(number, mse):
        return "you squared the errors: that is the MSE loss; L1 uses the absolute value"
    if kind == "mse" and close(number, mae):
        return "you took the absolute value: that is the L1 loss; MSE squares the errors"
    if kind == "mse" and close(number, mse**0.5):
        return "you took the square root: that is the RMSE; the MSE loss stops at the mean"
    return f"your loss is {fmt(number)}, expected {fmt(expected)} for these predictions"


def _check_loss(exercise: str, loss_function: Callable[..., Any], kind: str) -> CheckResult:
    reference = torch.nn.L1Loss() if kind == "l1" else torch.nn.MSELoss()
    results = []
    for case, (y_pred, y_true) in enumerate(_loss_inputs()):
        errors = y_pred - y_true  # before the learner's code runs: an in-place change to y_pred cannot move it
        value = call_learner_code(exercise, loss_function, y_pred.clone(), y_true.clone())
        if isinstance(value, CheckResult):
            return value
        if isinstance(value, torch.Tensor) and value.numel() != 1:
            return failed(exercise, f"your loss is {describe(value)}, but a loss is ONE number: "
                                    "average the errors with .mean()")
        number = as_number(value)
        if number is None:
            return failed(exercise, f"return the loss as a tensor holding one number, got {describe(value)}")
        problem = _loss_problem(number, errors, kind)
        if case:
            problem = on_other_case(problem, number, results[0], "other predictions", "y_pred and y_true")
        if problem:
            return failed(exercise, problem)
        results.append(number)
    y_pred, y_true = _loss_inputs()[0]
    torch_value = reference(y_pred, y_true).item()
    return passed(exercise, f"{fmt(results[0])}, the same as nn.{type(reference).__name__} ({fmt(torch_value)}), "
                            "and right for other predictions too")


def check_l1_loss(l1_loss: Callable[..., Any]) -> CheckResult:
    """Check ``l1_loss(y_pred, y_true)`` returns the mean absolute error (what ``nn.L1Loss`` computes).

    Example::

        >>> print(check_l1_loss(lambda y_pred, y_true: (y_pred - y_true).abs().mean()))
        ✅ L1 loss by hand: 0.1800, the same as nn.L1Loss (0.1800), and right for other predictions too
    """
    return _check_loss("L1 loss by hand", l1_loss, "l1")


def check_mse_loss(mse_loss: Callable[..., Any]) -> CheckResult:
    """Check ``mse_loss(y_pred, y_true)`` returns the mean squared error (what ``nn.MSELoss`` computes).

    Example::

        >>> print(check_mse_loss(lambda y_pred, y_true: ((y_pred - y_true) ** 2).mean().sqrt()))
        ❌ MSE loss by hand: you took the square root: that is the RMSE; the MSE loss stops at the mean
    """
    return _check_loss("MSE loss by hand", mse_loss, "mse")
