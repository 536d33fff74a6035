"""Checks for notebooks 06-08: the training step, the testing step and one whole epoch.

Each check runs the learner's function on a model that records what happened (forward passes,
``zero_grad``, ``backward``, ``step``) and compares the result with the five steps done right.

Example::

    >>> def testing_step(model, X, y, loss_fn):
    ...     model.eval()
    ...     with torch.inference_mode():
    ...         return loss_fn(model(X), y).item()
    >>> print(check_testing_step(testing_step))
    ✅ testing step: test loss 0.4945, measured in eval mode under torch.inference_mode()
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn

from ..data import make_line_data
from ._helpers import SpyModel, as_number, close, describe, fmt, make_model, params_of
from .result import CheckResult, call_learner_code, failed, passed

LR = 0.01


@contextmanager
def _trace(model: SpyModel, optimizer: torch.optim.Optimizer) -> Iterator[list[str]]:
    """Record "forward", "zero", "backward" and "step" in the order they happen."""
    events: list[str] = []
    zero_grad, step = optimizer.zero_grad, optimizer.step

    def traced_zero_grad(*args: Any, **kwargs: Any) -> None:
        events.append("zero")
        zero_grad(*args, **kwargs)

    def traced_step(*args: Any, **kwargs: Any) -> Any:
        events.append("step")
        return step(*args, **kwargs)

    def hook(grad: torch.Tensor) -> None:
        if not events or events[-1] != "backward":
            events.append("backward")

    optimizer.zero_grad, optimizer.step = traced_zero_grad, traced_step  # type: ignore[method-assign]
    handles = [p.register_hook(hook) for p in model.parameters()]
    original_forward = model.forward

    def traced_forward(x: torch.Tensor) -> torch.Tensor:
        events.append("forward")
        return original_forward(x)

    model.forward = traced_forward  # type: ignore[method-assign]
    try:
        yield events
    finally:
        del model.forward, optimizer.zero_grad, optimizer.step
        for handle in handles:
            handle.remove()


def _reference(epochs: int, accumulate: bool = False) -> tuple[list[float], list[float], tuple[float, float]]:
    """Train losses, test losses (after each step) and final parameters of ``epochs`` correct epochs."""
    data = make_line_data()
    model = make_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = nn.L1Loss()
    train_losses, test_losses = [], []
    for _ in range(epochs):
        loss = loss_fn(model(data.X_train), data.y_train)
        if not accumulate:
            optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        train_losses.append(loss.item())
        with torch.inference_mode():
            test_losses.append(loss_fn(model(data.X_test), data.y_test).item())
    return train_losses, test_losses, params_of(model)


def _training_problem(events: list[str], model: SpyModel, params_ok: bool) -> str | None:
    """What went wrong in the training half, judged from the recorded events; None when nothing did."""
    if "forward" not in events:
        return "the model was never called: step 1 is the forward pass, y_pred = model(X)"
    if "backward" not in events:
        return "no gradients were computed: call loss.backward() (step 4) before optimizer.step()"
    if "step" not in events:
        return "the parameters did not change: call optimizer.step() (step 5) after loss.backward()"
    if not params_ok:
        if "zero" not in events:
            return ("gradients not zeroed: the second epoch stepped with the first epoch's gradients added in; "
                    "call optimizer.zero_grad() before loss.backward()")
        if events.index("backward") < events.index("zero") < events.index("step"):
            return ("you zeroed the gradients between loss.backward() and optimizer.step(), so the step had no "
                    "gradients to use: use the order zero_grad, backward, step")
        return ("the parameters did not end where the five steps lead: forward pass, loss, "
                "optimizer.zero_grad(), loss.backward(), optimizer.step()")
    # the training forward pass is the last one before each backward()
    for position, event in enumerate(events):
        if event == "backward":
            call = events[:position].count("forward") - 1
            if call >= 0 and not model.calls[call].training:
                return "the forward pass ran in eval mode: call model.train() at the start of the training step"
    return None


def _float_problem(value: Any, name: str) -> str | None:
    if isinstance(value, torch.Tensor):
        return f"return the {name} as a Python float with loss.item(), got {describe(value)}"
    if as_number(value) is None:
        return f"return the {name} as a Python float (loss.item()), got {describe(value)}"
    return None


def _setup(mode: str) -> tuple[Any, SpyModel, torch.optim.Optimizer, nn.Module]:
    data = make_line_data()
    model = make_model(spy=True)
    assert isinstance(model, SpyModel)
    model.train(mode == "train")
    return data, model, torch.optim.SGD(model.parameters(), lr=LR), nn.L1Loss()


def check_training_step(training_step: Callable[..., Any]) -> CheckResult:
    """Check ``training_step(model, X, y, loss_fn, optimizer)`` runs the five training steps; returns the loss.

    It is called twice (two epochs), starting with the model in eval mode; any order of zero_grad that
    gives the right gradients passes.

    Example::

        >>> def training_step(model, X, y, loss_fn, optimizer):
        ...     model.train()
        ...     loss = loss_fn(model(X), y)
        ...     loss.backward()
        ...     optimizer.step()
        ...     return loss.item()
        >>> print(check_training_step(training_step))
        ❌ training step: gradients not zeroed: the second epoch stepped with the first epoch's gradients added in; call optimizer.zero_grad() before loss.backward()
    """
    exercise = "training step"
    data, model, optimizer, loss_fn = _setup("eval")
    train_losses, _, expected = _reference(2)
    returned = []
    with _trace(model, optimizer) as events:
        for _ in range(2):
            value = call_learner_code(exercise, training_step, model, data.X_train, data.y_train, loss_fn, optimizer)
            if isinstance(value, CheckResult):
                return value
            returned.append(value)
    problem = _training_problem(events, model, close(params_of(model), expected))
    if problem:
        return failed(exercise, problem)
    problem = _float_problem(returned[0], "loss")
    if problem:
        return failed(exercise, problem)
    got = tuple(float(v) for v in returned)
    if not close(got, tuple(train_losses)):
        return failed(exercise, f"you returned the losses {fmt(got)}, expected {fmt(tuple(train_losses))}: "
                                "return the loss of this epoch's forward pass")
    return passed(exercise, f"two epochs: loss {fmt(got[0])} then {fmt(got[1])}, parameters {fmt(expected)}")


def _testing_problem(model: SpyModel) -> str | None:
    """What went wrong in the test forward pass (the model's last call); None when nothing did."""
    if not model.calls:
        return "the model was never called: the testing step starts with the forward pass on the test data"
    last = model.calls[-1]
    if last.training and last.grad:
        return "call model.eval() and make the predictions inside `with torch.inference_mode():`"
    if last.training:
        return ("the model was still in training mode: call model.eval() before testing "
                "(dropout and batch norm behave differently in eval mode)")
    if last.grad:
        return ("the test forward pass tracked gradients: forgot inference_mode; make the predictions "
                "inside `with torch.inference_mode():`")
    if not last.inference:
        return ("you turned gradients off another way (e.g. torch.no_grad()); use `with torch.inference_mode():`, "
                "which is faster")
    return None


def check_testing_step(testing_step: Callable[..., Any]) -> CheckResult:
    """Check ``testing_step(model, X, y, loss_fn)`` measures the loss in eval mode under ``inference_mode``.

    Example::

        >>> def testing_step(model, X, y, loss_fn):
        ...     with torch.inference_mode():
        ...         return loss_fn(model(X), y).item()
        >>> print(check_testing_step(testing_step))
        ❌ testing step: the model was still in training mode: call model.eval() before testing (dropout and batch norm behave differently in eval mode)
    """
    exercise = "testing step"
    data, model, _, loss_fn = _setup("train")
    before = params_of(model)
    expected = loss_fn(model(data.X_test), data.y_test).item()
    model.calls.clear()
    value = call_learner_code(exercise, testing_step, model, data.X_test, data.y_test, loss_fn)
    if isinstance(value, CheckResult):
        return value
    problem = _testing_problem(model)
    if problem:
        return failed(exercise, problem)
    if not close(params_of(model), before, tol=1e-7):
        return failed(exercise, "the parameters changed: the testing step only measures, it never steps")
    problem = _float_problem(value, "test loss")
    if problem:
        return failed(exercise, problem)
    if not close(float(value), expected):
        return failed(exercise, f"you returned {fmt(float(value))}, expected the test loss {fmt(expected)}: "
                                "return loss_fn(model(X), y).item()")
    return passed(exercise, f"test loss {fmt(expected)}, measured in eval mode under torch.inference_mode()")


def check_one_epoch(one_epoch: Callable[..., Any]) -> CheckResult:
    """Check ``one_epoch(model, data, loss_fn, optimizer)`` trains (five steps) then tests; returns both losses.

    The answer returns ``(train_loss, test_loss)`` as floats, the test loss measured after the step.

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
    data, model, optimizer, loss_fn = _setup("eval")
    train_losses, test_losses, expected = _reference(2)
    returned = []
    with _trace(model, optimizer) as events:
        for _ in range(2):
            value = call_learner_code(exercise, one_epoch, model, data, loss_fn, optimizer)
            if isinstance(value, CheckResult):
                return value
            returned.append(value)
    if not all(isinstance(v, (tuple, list)) and len(v) == 2 for v in returned):
        return failed(exercise, f"return two numbers, (train_loss, test_loss), got {describe(returned[0])}")
    problem = _training_problem(events, model, close(params_of(model), expected))
    if problem:
        return failed(exercise, problem)
    last_step = len(events) - 1 - events[::-1].index("step")
    if "forward" not in events[last_step:]:
        return failed(exercise, "you tested before the optimizer step: train first, then measure the test loss")
    problem = _testing_problem(model)
    if problem:
        return failed(exercise, problem)
    for name, value in zip(("train loss", "test loss"), returned[0], strict=True):
        problem = _float_problem(value, name)
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
    return passed(exercise, f"two calls in a row: train loss {fmt(got_train)}, test loss {fmt(got_test)}")
