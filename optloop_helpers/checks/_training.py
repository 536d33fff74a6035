"""How the loop checks watch a learner's training step: a trace of forward, zero_grad, backward and step.

The checks of notebooks 06, 08 and 10 run the learner's function on a :class:`SpyModel` and compare what
happened with the five steps done right, from the notebook's seeded start and from another one.

Example::

    >>> losses, test_losses, params = reference(2)
    >>> [round(v, 4) for v in losses], [round(v, 4) for v in params]
    ([0.3129, 0.3014], [0.3445, 0.1488])
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn

from ..data import make_line_data
from ._helpers import STARTS, SpyModel, as_number, close, describe, fmt, make_model, params_of
from .result import CheckResult, call_learner_code, failed

LR = 0.01


@contextmanager
def trace(model: SpyModel, optimizer: torch.optim.Optimizer) -> Iterator[list[str]]:
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



def from_every_start(case: Callable[[tuple[float, float]], Any]) -> list[Any] | CheckResult:
    """``case(start)`` from the notebook's start, then from another: the results, or the first failure."""
    results = []
    for start in STARTS:
        result = case(start)
        if isinstance(result, CheckResult):
            return result
        results.append(result)
    return results


def reference(epochs: int, start: tuple[float, float] = STARTS[0],
               accumulate: bool = False) -> tuple[list[float], list[float], tuple[float, float]]:
    """Train losses, test losses (after each step) and final parameters of ``epochs`` correct epochs."""
    data = make_line_data()
    model = make_model(*start)
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


def training_problem(events: list[str], model: SpyModel, params_ok: bool, start: tuple[float, float]) -> str | None:
    """What went wrong in the training half, judged from the recorded events; None when nothing did."""
    if "forward" not in events:
        return "the model was never called: step 1 is the forward pass, y_pred = model(X)"
    if "backward" not in events:
        return "no gradients were computed: call loss.backward() (step 4) before optimizer.step()"
    if "step" not in events and not close(params_of(model), start, tol=1e-7):
        return ("the parameters changed, but not through the optimizer your function is given: call "
                "optimizer.step() (step 5) on it, not an update by hand or a new optimizer")
    if "step" not in events:
        return "the parameters did not change: call optimizer.step() (step 5) after loss.backward()"
    if not params_ok:
        if "zero" not in events:
            return ("gradients not zeroed: the second epoch stepped with the first epoch's gradients added in; "
                    "call optimizer.zero_grad() before loss.backward() (or after optimizer.step())")
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


def float_problem(value: Any, name: str) -> str | None:
    if isinstance(value, torch.Tensor):
        graph = " that still requires grad (and keeps the whole graph alive)" if value.requires_grad else ""
        return f"return the {name} as a Python float with loss.item(), got {describe(value)}{graph}"
    if as_number(value) is None:
        return f"return the {name} as a Python float (loss.item()), got {describe(value)}"
    return None


def setup(mode: str, start: tuple[float, float] = STARTS[0],
          device: torch.device | None = None) -> tuple[Any, SpyModel, torch.optim.Optimizer, nn.Module]:
    """Data, a spy model at ``start`` in ``mode``, SGD and L1, on ``device`` if given (the CPU otherwise)."""
    data = make_line_data() if device is None else make_line_data().to(device)
    model = make_model(*start, spy=True)
    assert isinstance(model, SpyModel)
    if device is not None:
        model.to(device)
    model.train(mode == "train")
    return data, model, torch.optim.SGD(model.parameters(), lr=LR), nn.L1Loss()


def run_training_steps(exercise: str, training_step: Callable[..., Any], steps: int, start: tuple[float, float],
                       device: torch.device | None = None) -> CheckResult | tuple[list[float], list[float]]:
    """Call ``training_step`` ``steps`` times on a model that starts in eval mode at ``start`` (on ``device``).

    Returns a failing ``CheckResult``, or ``(returned losses, expected losses)``; the expected ones come from
    the CPU (on another device they agree to far below the tolerance).
    """
    data, model, optimizer, loss_fn = setup("eval", start, device)
    train_losses, _, expected = reference(steps, start)
    returned = []
    with trace(model, optimizer) as events:
        for _ in range(steps):
            value = call_learner_code(exercise, training_step, model, data.X_train, data.y_train, loss_fn, optimizer)
            if isinstance(value, CheckResult):
                return value
            returned.append(value)
    if events.count("step") > steps:
        return failed(exercise, f"{steps} calls of your function stepped the optimizer {events.count('step')} "
                                "times: call optimizer.step() exactly once per training step")
    problem = training_problem(events, model, close(params_of(model), expected), start)
    if problem:
        return failed(exercise, problem)
    problem = float_problem(returned[0], "loss")
    if problem:
        return failed(exercise, problem)
    got = tuple(float(v) for v in returned)
    if not close(got, tuple(train_losses)):
        return failed(exercise, f"you returned the losses {fmt(got)}, expected {fmt(tuple(train_losses))}: "
                                "return the loss of this epoch's forward pass")
    return list(got), train_losses


