"""Checks for notebooks 06-08: the training step, the testing step and one whole epoch.

Each check runs the learner's function on a model that records what happened (forward passes,
``zero_grad``, ``backward``, ``step``) and compares the result with the five steps done right.

Example::

    >>> def testing_step(model, X, y, loss_fn):
    ...     model.eval()
    ...     with torch.inference_mode():
    ...         return loss_fn(model(X), y).item()
    >>> print(check_testing_step(testing_step))
    ✅ testing step: test loss 0.4945, measured in eval mode with autograd off
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from ..data import make_line_data
from ._helpers import STARTS, Call, SpyModel, close, describe, fmt, make_model, no_grad_tip, params_of
from ._training import (
    float_problem,
    from_every_start,
    reference,
    run_training_steps,
    setup,
    trace,
    training_problem,
)
from .result import CheckResult, call_keeping_grad_mode, call_learner_code, failed, passed


def check_training_step(training_step: Callable[..., Any]) -> CheckResult:
    """Check ``training_step(model, X, y, loss_fn, optimizer)`` runs the five training steps; returns the loss.

    It is called twice (two epochs), starting with the model in eval mode, from the notebook's start and
    from another; any order of zero_grad that gives the right gradients passes.

    Example::

        >>> def training_step(model, X, y, loss_fn, optimizer):
        ...     model.train()
        ...     loss = loss_fn(model(X), y)
        ...     loss.backward()
        ...     optimizer.step()
        ...     return loss.item()
        >>> print(check_training_step(training_step))
        ❌ training step: gradients not zeroed: the second epoch stepped with the first epoch's gradients added in; call optimizer.zero_grad() before loss.backward() (or after optimizer.step())
    """
    exercise = "training step"
    runs = from_every_start(lambda start: run_training_steps(exercise, training_step, 2, start))
    if isinstance(runs, CheckResult):
        return runs
    got = runs[0][0]
    _, _, expected = reference(2)
    return passed(exercise, f"two epochs: loss {fmt(got[0])} then {fmt(got[1])}, parameters {fmt(expected)}")


def _testing_problem(calls: list[Call], X: torch.Tensor) -> str | None:
    """What went wrong in the testing forward passes ``calls`` (one of them on ``X``); None when nothing did.

    Every one must be made the testing loop's way, so a loss computed in train mode with autograd on cannot
    hide behind a second, correct call.
    """
    test_calls = calls
    if not any(call.on(X) for call in calls):
        return "the model was never called on the test data: the testing step starts with the forward pass"
    if any(call.training and call.grad for call in test_calls):
        return "call model.eval() and make the predictions inside `with torch.inference_mode():`"
    if any(call.training for call in test_calls):
        return ("the model was still in training mode: call model.eval() before testing "
                "(dropout and batch norm behave differently in eval mode)")
    if any(call.grad for call in test_calls):
        return ("the test forward pass tracked gradients: forgot inference_mode; make the predictions "
                "inside `with torch.inference_mode():`")
    return None


def _testing_case(testing_step: Callable[..., Any], start: tuple[float, float]) -> CheckResult | SpyModel:
    exercise = "testing step"
    data, model, _, loss_fn = setup("train", start)
    X, y = (data.X_test, data.y_test) if start == STARTS[0] else _other_test_data()
    before = params_of(model)
    expected = loss_fn(model(X), y).item()
    model.calls.clear()
    value = call_keeping_grad_mode(exercise, testing_step, model, X, y, loss_fn)
    if isinstance(value, CheckResult):
        return value
    problem = _testing_problem(model.calls, X)
    if problem:
        return failed(exercise, problem)
    if not close(params_of(model), before, tol=1e-7):
        return failed(exercise, "the parameters changed: the testing step only measures, it never steps")
    problem = float_problem(value, "test loss")
    if problem:
        return failed(exercise, problem)
    if not close(float(value), expected):
        where = "" if start == STARTS[0] else " for another model and other test data"
        return failed(exercise, f"you returned {fmt(float(value))}, expected the test loss {fmt(expected)}{where}: "
                                "return loss_fn(model(X), y).item() for the model, X and y you are given")
    return model


def _other_test_data() -> tuple[torch.Tensor, torch.Tensor]:
    data = make_line_data(weight=-0.4, bias=0.9, end=0.6)
    return data.X_test, data.y_test


def check_testing_step(testing_step: Callable[..., Any]) -> CheckResult:
    """Check ``testing_step(model, X, y, loss_fn)`` measures the loss in eval mode with autograd off.

    It runs on the notebook's model and test data, then on another model and other data.
    ``torch.no_grad()`` passes too, with a tip about ``torch.inference_mode()``.

    Example::

        >>> def testing_step(model, X, y, loss_fn):
        ...     with torch.inference_mode():
        ...         return loss_fn(model(X), y).item()
        >>> print(check_testing_step(testing_step))
        ❌ testing step: the model was still in training mode: call model.eval() before testing (dropout and batch norm behave differently in eval mode)
    """
    exercise = "testing step"
    models = from_every_start(lambda start: _testing_case(testing_step, start))
    if isinstance(models, CheckResult):
        return models
    data, _, _, loss_fn = setup("train")
    expected = loss_fn(make_model()(data.X_test), data.y_test).item()
    tip = no_grad_tip([call for model in models for call in model.calls])
    return passed(exercise, f"test loss {fmt(expected)}, measured in eval mode with autograd off", tip)


def _one_epoch_case(one_epoch: Callable[..., Any], start: tuple[float, float]) -> CheckResult | tuple[Any, ...]:
    """Two epochs of the learner's ``one_epoch`` from ``start``; a failing result or (train, test losses, calls)."""
    exercise = "one epoch"
    data, model, optimizer, loss_fn = setup("eval", start)
    train_losses, test_losses, expected = reference(2, start)
    returned = []
    with trace(model, optimizer) as events:
        for _ in range(2):
            value = call_learner_code(exercise, one_epoch, model, data, loss_fn, optimizer)
            if isinstance(value, CheckResult):
                return value
            returned.append(value)
    if not all(isinstance(v, (tuple, list)) and len(v) == 2 for v in returned):
        return failed(exercise, f"return two numbers, (train_loss, test_loss), got {describe(returned[0])}")
    problem = training_problem(events, model, close(params_of(model), expected), start)
    if problem:
        return failed(exercise, problem)
    last_step = len(events) - 1 - events[::-1].index("step")
    calls_after_step = model.calls[events[:last_step].count("forward"):]
    if not any(call.on(data.X_test) for call in calls_after_step):
        return failed(exercise, "you tested before the optimizer step: train first, then measure the test loss")
    problem = _testing_problem(calls_after_step, data.X_test)
    if problem:
        return failed(exercise, problem)
    for name, value in zip(("train loss", "test loss"), returned[0], strict=True):
        problem = float_problem(value, name)
        if problem:
            return failed(exercise, problem)
    got_train = tuple(float(v[0]) for v in returned)
    got_test = tuple(float(v[1]) for v in returned)
    if close(got_train, tuple(test_losses)) and close(got_test, tuple(train_losses)):
        return failed(exercise, "the two losses are swapped: return (train_loss, test_loss) in that order")
    if not close(got_test, tuple(test_losses)):
        return failed(exercise, f"the test losses are {fmt(got_test)}, expected {fmt(tuple(test_losses))}: "
                                "measure loss_fn on data.X_test and data.y_test after the optimizer step")
    if not close(got_train, tuple(train_losses)):
        return failed(exercise, f"the train losses are {fmt(got_train)}, expected {fmt(tuple(train_losses))}: "
                                "return the loss of the training forward pass")
    return got_train, got_test, model.calls


def check_one_epoch(one_epoch: Callable[..., Any]) -> CheckResult:
    """Check ``one_epoch(model, data, loss_fn, optimizer)`` trains (five steps) then tests; returns both losses.

    The answer returns ``(train_loss, test_loss)`` as floats, the test loss measured after the step. It runs
    two epochs from the notebook's start, then two from another.

    Example::

        >>> def one_epoch(model, data, loss_fn, optimizer):
        ...     model.train()
        ...     loss = loss_fn(model(data.X_train), data.y_train)
        ...     optimizer.zero_grad(); loss.backward(); optimizer.step()
        ...     test_loss = loss_fn(model(data.X_test), data.y_test)
        ...     return loss.item(), test_loss.item()
        >>> print(check_one_epoch(one_epoch))
        ❌ one epoch: call model.eval() and make the predictions inside `with torch.inference_mode():`
    """
    exercise = "one epoch"
    results = from_every_start(lambda start: _one_epoch_case(one_epoch, start))
    if isinstance(results, CheckResult):
        return results
    got_train, got_test, _ = results[0]
    tip = no_grad_tip([call for *_, calls in results for call in calls if not call.training])
    return passed(exercise, f"two calls in a row: train loss {fmt(got_train)}, test loss {fmt(got_test)}", tip)
