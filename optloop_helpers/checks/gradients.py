"""Checks for notebooks 03-05: zeroing the gradients, backpropagation by hand and the optimizer step.

Example::

    >>> def mse_gradients(model, X, y):
    ...     error = model.weights * X + model.bias - y
    ...     return (2 * error * X).mean(), (2 * error).mean()
    >>> print(check_mse_gradients(mse_gradients))
    ✅ MSE gradients by hand: dL/dweights = -0.2828, dL/dbias = -0.6258, the same as autograd (and right for another model too)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn

from ..data import make_line_data
from ._helpers import (
    OTHER_BIAS,
    OTHER_WEIGHT,
    START_BIAS,
    START_WEIGHT,
    as_number,
    close,
    count_backward,
    describe,
    fmt,
    make_model,
    on_other_case,
    params_of,
)
from .result import CheckResult, call_learner_code, failed, passed


def _grads(model: nn.Module) -> tuple[float, float] | None:
    if model.weights.grad is None or model.bias.grad is None:
        return None
    return model.weights.grad.item(), model.bias.grad.item()


def _reference_grads(loss_fn: nn.Module, model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """The gradients autograd gives a copy of ``model`` (same parameters) on ``(X, y)``."""
    reference = make_model(*params_of(model))
    loss_fn(reference(X), y).backward()
    grads = _grads(reference)
    assert grads is not None
    return grads


def _zero_grad_problem(fresh_gradients: Callable[..., Any], model: nn.Module, X: torch.Tensor,
                       y: torch.Tensor) -> CheckResult | tuple[str | None, tuple[float, float] | None]:
    """Call the learner's function twice on ``model``: a crash, or (what is wrong or None, the gradients left)."""
    exercise = "zero the gradients"
    loss_fn = nn.L1Loss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    expected = _reference_grads(loss_fn, model, X, y)
    before = params_of(model)
    with count_backward(model) as backward_calls:
        for _ in range(2):
            result = call_learner_code(exercise, fresh_gradients, model, X, y, loss_fn, optimizer)
            if isinstance(result, CheckResult):
                return result
    grads = _grads(model)
    if not close(params_of(model), before):
        return ("the parameters changed: this exercise stops after loss.backward(); leave out optimizer.step()",
                grads)
    if backward_calls[0] == 0:
        return "no gradients were computed: call loss.backward() after the loss", grads
    if grads is None or close(grads, (0.0, 0.0)):
        return ("the gradients are empty after your function: you zeroed them after loss.backward(); "
                "zero them before it"), grads
    if close(grads, (2 * expected[0], 2 * expected[1])):
        return (f"gradients not zeroed: after two calls .grad is {fmt(grads)}, twice the right {fmt(expected)}, "
                "because backward() adds to .grad; call optimizer.zero_grad() before loss.backward()"), grads
    if not close(grads, expected):
        return (f".grad is {fmt(grads)}, expected {fmt(expected)}: compute the loss of model(X) against y with "
                "loss_fn, then call loss.backward()"), grads
    return None, grads


def check_zero_grad(fresh_gradients: Callable[..., Any]) -> CheckResult:
    """Check ``fresh_gradients(model, X, y, loss_fn, optimizer)`` leaves only this batch's gradients in ``.grad``.

    It is called twice in a row, on the notebook's model and data and then on a model and a line no notebook
    prints; the right answer zeroes the gradients before ``loss.backward()`` and does not step the optimizer.

    Example::

        >>> def fresh_gradients(model, X, y, loss_fn, optimizer):
        ...     loss = loss_fn(model(X), y)
        ...     loss.backward()
        >>> print(check_zero_grad(fresh_gradients))
        ❌ zero the gradients: gradients not zeroed: after two calls .grad is (-0.7800, -2.0000), twice the right (-0.3900, -1.0000), because backward() adds to .grad; call optimizer.zero_grad() before loss.backward()
    """
    exercise = "zero the gradients"
    data = make_line_data()
    cases = [(make_model(), data.X_train, data.y_train), (make_model(OTHER_WEIGHT, OTHER_BIAS), *_other_line())]
    results = []
    for case, (model, X, y) in enumerate(cases):
        result = _zero_grad_problem(fresh_gradients, model, X, y)
        if isinstance(result, CheckResult):
            return result
        problem, grads = result
        if case and problem and grads is not None:
            problem = on_other_case(problem, grads, results[0], "another model and other data", "model, X and y")
        if problem:
            return failed(exercise, problem)
        results.append(grads)
    return passed(exercise, f"after two calls .grad is still {fmt(results[0])}: each call starts from zero")


def _other_line() -> tuple[torch.Tensor, torch.Tensor]:
    """Training data of a line no notebook uses, so that global variables or typed-in numbers fail."""
    data = make_line_data(weight=-0.4, bias=0.9, end=0.6)
    return data.X_train, data.y_train


@contextmanager
def _count_autograd() -> Iterator[list[int]]:
    """Count every call of autograd inside the block, on any tensor: ``backward()`` (also on a detached copy or
    a ``copy.deepcopy`` of the model), ``torch.autograd.grad`` and ``torch.func.grad`` (which calls it)."""
    counter = [0]
    originals = torch.autograd.backward, torch.autograd.grad

    def counted(original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counter[0] += 1
            return original(*args, **kwargs)
        return wrapper

    torch.autograd.backward, torch.autograd.grad = (counted(f) for f in originals)  # type: ignore[assignment]
    try:
        yield counter
    finally:
        torch.autograd.backward, torch.autograd.grad = originals  # type: ignore[assignment]


def _mse_problem(got: tuple[float, float], expected: tuple[float, float], n: int) -> str | None:
    """What is wrong with ``got`` as ``(dL/dweights, dL/dbias)``; None when it is right."""
    dw, db = expected
    if close(got, expected):
        return None
    if close(got, (-dw, -db)):
        return (f"wrong sign: you returned {fmt(got)}, the right answer is {fmt(expected)}; the "
                "error is prediction - target (y_pred - y), not y - y_pred")
    if close(got, (db, dw)):
        return "the two gradients are swapped: return (dL/dweights, dL/dbias) in that order"
    if close(got, (dw / 2, db / 2)) or close(got, (-dw / 2, -db / 2)):
        return "your gradients are half the right size: the derivative of error**2 is 2 * error"
    if close(got, (dw * n, db * n)):
        return f"your gradients are {n} times too big: the loss is a mean, so take .mean(), not .sum()"
    if close(got[0], db) or close(got[0], -db):
        return "dL/dweights must include X: by the chain rule d(weights * X + bias)/dweights = X"
    return (f"you returned {fmt(got)}, expected {fmt(expected)}: dL/dweights = mean(2 * error * X) "
            "and dL/dbias = mean(2 * error), with error = y_pred - y")


def check_mse_gradients(mse_gradients: Callable[..., Any]) -> CheckResult:
    """Check ``mse_gradients(model, X, y)`` returns ``(dL/dweights, dL/dbias)`` of the MSE loss, worked out by hand.

    It runs on the notebook's model and data, then on a model and a line no notebook prints.

    Example::

        >>> def mse_gradients(model, X, y):
        ...     error = y - (model.weights * X + model.bias)
        ...     return (2 * error * X).mean(), (2 * error).mean()
        >>> print(check_mse_gradients(mse_gradients))
        ❌ MSE gradients by hand: wrong sign: you returned (0.2828, 0.6258), the right answer is (-0.2828, -0.6258); the error is prediction - target (y_pred - y), not y - y_pred
    """
    exercise = "MSE gradients by hand"
    data = make_line_data()
    cases = [(make_model(), data.X_train, data.y_train), (make_model(OTHER_WEIGHT, OTHER_BIAS), *_other_line())]
    answers: list[tuple[float, float]] = []
    for case, (model, X, y) in enumerate(cases):
        expected = _reference_grads(nn.MSELoss(), model, X, y)
        before = params_of(model)
        with count_backward(model) as backward_calls, _count_autograd() as autograd_calls:
            answer = call_learner_code(exercise, mse_gradients, model, X, y)
        if isinstance(answer, CheckResult):
            return answer
        if backward_calls[0] or autograd_calls[0]:
            return failed(exercise, "you let autograd compute them (loss.backward() or torch.autograd.grad, also on "
                                    "a copy of the model or its parameters, or torch.func.grad): work the gradients "
                                    "out by hand from the formula")
        if params_of(model) != before:
            return failed(exercise, "your function changed the model's parameters: only compute and return the two "
                                    "gradients; the step comes in notebook 5")
        if not isinstance(answer, (tuple, list)) or len(answer) != 2:
            return failed(exercise, f"return two numbers, (dL/dweights, dL/dbias), got {describe(answer)}")
        numbers = tuple(as_number(a) for a in answer)
        if None in numbers:
            return failed(exercise, "each gradient must be one number: take the .mean() over the points, got "
                                    + " and ".join(describe(a) for a in answer))
        got: tuple[float, float] = numbers  # type: ignore[assignment]
        if model.weights.grad is not None or model.bias.grad is not None:
            return failed(exercise, "you called loss.backward(): work the gradients out by hand from the formula")
        problem = _mse_problem(got, expected, len(X))
        if case:
            problem = on_other_case(problem, got, answers[0], "another model and other data", "model, X and y")
        if problem:
            return failed(exercise, problem)
        answers.append(got)
    dw, db = answers[0]
    return passed(exercise, f"dL/dweights = {fmt(dw)}, dL/dbias = {fmt(db)}, the same as autograd "
                            "(and right for another model too)")


def _step_case(weight: float, bias: float, grads: tuple[float, float] | None) -> nn.Module:
    """A model with these parameters and gradients (None: the L1 gradients on the notebook's line)."""
    model = make_model(weight, bias)
    if grads is None:
        data = make_line_data()
        nn.L1Loss()(model(data.X_train), data.y_train).backward()
    else:
        dtype = model.weights.dtype  # the parameters' dtype, whatever torch's default dtype is
        model.weights.grad = torch.tensor([grads[0]], dtype=dtype)
        model.bias.grad = torch.tensor([grads[1]], dtype=dtype)
    return model


def _step_problem(sgd_step: Callable[..., Any], model: nn.Module, lr: float) -> CheckResult | tuple[Any, ...]:
    """Run the learner's step once; a failing ``CheckResult``, or ``(before, after)``."""
    exercise = "optimizer step"
    grads = _grads(model)
    assert grads is not None
    before = params_of(model)
    expected = (before[0] - lr * grads[0], before[1] - lr * grads[1])
    # a list, not a generator: a learner may go through it twice (e.g. len(list(parameters)))
    result = call_learner_code(exercise, sgd_step, list(model.parameters()), lr)
    if isinstance(result, CheckResult):
        if "leaf Variable" in result.message or "in-place operation" in result.message:
            return failed(exercise, "PyTorch refused to change a parameter in place while tracking gradients: "
                                    "put the update inside `with torch.no_grad():`")
        return result
    after = params_of(model)
    if close(after, before, tol=1e-7):
        return failed(exercise, "the parameters did not change: `p = p - lr * p.grad` makes a new tensor; "
                                "update each parameter in place with `p -= lr * p.grad`")
    if close(after, expected):
        if model.weights.requires_grad and model.bias.requires_grad:
            return before, after
        return failed(exercise, "the parameters no longer require gradients: do not detach them or change "
                                "requires_grad; update them in place under torch.no_grad()")
    if close(after, (before[0] + lr * grads[0], before[1] + lr * grads[1])):
        return failed(exercise, f"wrong sign: the parameters moved uphill, to {fmt(after)}; "
                                "subtract: p -= lr * p.grad")
    if close(after, (before[0] - grads[0], before[1] - grads[1])):
        return failed(exercise, "the step is too big: you forgot the learning rate; multiply the gradient by lr")
    return failed(exercise, f"with lr={lr}, parameters {fmt(before)} and gradients {fmt(grads)} the parameters "
                            f"moved to {fmt(after)}, expected {fmt(expected)}: update each one with p -= lr * p.grad, "
                            "using the lr and the .grad your function is given")


def check_optimizer_step(sgd_step: Callable[..., Any]) -> CheckResult:
    """Check ``sgd_step(parameters, lr)`` does what ``optimizer.step()`` does for SGD: ``p -= lr * p.grad``.

    It steps the notebook's model (lr 0.01), then a model with other parameters, gradients and lr.

    Example::

        >>> def sgd_step(parameters, lr):
        ...     with torch.no_grad():
        ...         for p in parameters:
        ...             p += lr * p.grad
        >>> print(check_optimizer_step(sgd_step))
        ❌ optimizer step: wrong sign: the parameters moved uphill, to (0.3328, 0.1188); subtract: p -= lr * p.grad
    """
    exercise = "optimizer step"
    cases = [(_step_case(START_WEIGHT, START_BIAS, None), 0.01), (_step_case(OTHER_WEIGHT, OTHER_BIAS, (0.8, -2.5)), 0.1)]
    moves = []
    for model, lr in cases:
        result = _step_problem(sgd_step, model, lr)
        if isinstance(result, CheckResult):
            return result
        moves.append(result)
    before, after = moves[0]
    return passed(exercise, f"the parameters moved from {fmt(before)} to {fmt(after)}, just like optimizer.step() "
                            "(and right for other parameters, gradients and lr too)")
