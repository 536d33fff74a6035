"""The capstone's loop parts: the loss and optimizer, the training and testing steps, the training loop, save/load.

Each ``check_*_part`` function returns one part's verdict for :func:`~optloop_helpers.checks.check_capstone`;
it runs the learner's code on a model, data and a number of epochs the notebook never prints.

Example::

    >>> def make_loss_and_optimizer(model):
    ...     return nn.L1Loss(), torch.optim.SGD(model.parameters(), lr=0.01)
    >>> print(loss_and_optimizer_part(make_loss_and_optimizer))
    ✅ loss and optimizer: L1Loss and SGD over the model's parameters; they learn another line in 300 epochs
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ..data import make_line_data
from ..device import get_device
from ..loop import fit
from ..models import LinearRegressionModel
from ._helpers import OTHER_BIAS, OTHER_WEIGHT, as_number, close, describe, fmt, make_model, params_of
from ._training import LR, float_problem, run_training_steps, trace
from .loops import _testing_problem
from .result import CheckResult, call_learner_code, failed, passed

WEIGHT, BIAS = -0.45, 1.3  # a line no notebook prints
EPOCHS, EVAL_EVERY = 45, 15  # and a run length no notebook prints


def line(weight: float = WEIGHT, bias: float = BIAS, device: torch.device | str = "cpu") -> tuple[torch.Tensor, ...]:
    """``(X_train, y_train, X_test, y_test)`` of a straight line (by default one no notebook prints) on ``device``."""
    data = make_line_data(weight=weight, bias=bias).to(device)
    return data.X_train, data.y_train, data.X_test, data.y_test


def model_on(device: torch.device, start: tuple[float, float], spy: bool = False) -> nn.Module:
    """A straight-line model at ``start`` on ``device``: the learner's code may move its data there or not."""
    return make_model(*start, spy=spy).to(device)


# 4. the loss function and the optimizer ------------------------------------------------------------------------

def loss_and_optimizer_part(make_loss_and_optimizer: Callable[..., Any]) -> CheckResult:
    part = "loss and optimizer"
    model = make_model(OTHER_WEIGHT, OTHER_BIAS)
    got = call_learner_code(part, make_loss_and_optimizer, model)
    if isinstance(got, CheckResult):
        return got
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        return failed(part, f"return two things, (loss_fn, optimizer), got {describe(got)}")
    loss_fn, optimizer = got
    if isinstance(loss_fn, type):
        return failed(part, f"loss_fn is the class {loss_fn.__name__}: create one, {loss_fn.__name__}()")
    target = torch.tensor([[0.2], [0.5], [0.9]])
    values = [call_learner_code(part, loss_fn, pred, target) if callable(loss_fn) else None
              for pred in (target.clone(), target + 0.3)]
    if any(isinstance(v, CheckResult) for v in values) or any(as_number(v) is None for v in values):
        return failed(part, f"loss_fn(y_pred, y) must return one number, e.g. nn.L1Loss(), got {describe(loss_fn)}")
    if as_number(values[0]) != 0 or not as_number(values[1]) > 0:
        return failed(part, "loss_fn must be 0 for perfect predictions and more than 0 otherwise (e.g. nn.L1Loss())")
    if not isinstance(optimizer, torch.optim.Optimizer):
        return failed(part, f"return a torch.optim optimizer, e.g. torch.optim.SGD(model.parameters(), lr=0.01), "
                            f"got {describe(optimizer)}")
    held = [p for group in optimizer.param_groups for p in group["params"]]
    if len(held) != 2 or {id(p) for p in held} != {id(p) for p in model.parameters()}:
        return failed(part, "the optimizer must hold the parameters of the model your function is given: "
                            "torch.optim.SGD(model.parameters(), lr=...)")
    history = fit(model, make_line_data(weight=WEIGHT, bias=BIAS), loss_fn, optimizer, epochs=300)
    # judged by the line learned, not by the final loss in the learner's loss's own units
    learned = params_of(model)
    if history.diverged or not (abs(learned[0] - WEIGHT) < 0.15 and abs(learned[1] - BIAS) < 0.1):
        what = "diverged" if history.diverged else (
            f"learned the line weight={learned[0]:.4f}, bias={learned[1]:.4f}, not the true {WEIGHT}, {BIAS}")
        return failed(part, f"trained for 300 epochs on another line, your choice {what}: pick a loss that measures "
                            "every point's error and a learning rate that learns (L1 and SGD with lr=0.01 do)")
    return passed(part, f"{type(loss_fn).__name__} and {type(optimizer).__name__} over the model's parameters; "
                        "they learn another line in 300 epochs")


# 5. and 6. the training and the testing step ---------------------------------------------------------------------

def _training_steps(part: str, train_step: Callable[..., Any], steps: int, start: tuple[float, float]) -> CheckResult | None:
    """Call ``train_step`` ``steps`` times on a model and data on the check's device, the model starting in eval mode."""
    result = run_training_steps(part, train_step, steps, start, device=get_device())
    return result if isinstance(result, CheckResult) else None


def training_step_part(train_step: Callable[..., Any]) -> CheckResult:
    part = "training step"
    for start in ((OTHER_WEIGHT, OTHER_BIAS), (0.05, -0.8)):
        result = _training_steps(part, train_step, 3, start)
        if result is not None:
            return result
    return passed(part, "the five steps, in training mode, once per call; the loss comes back as a float")


def testing_step_part(test_step: Callable[..., Any]) -> CheckResult:
    # the second start's line crosses the test data: errors of both signs, so an MAE without abs() is caught
    for start in ((OTHER_WEIGHT, OTHER_BIAS), (0.5, 0.4545)):
        result = _testing_step_on(test_step, start)
        if not result.passed:
            return result
    return result


def _testing_step_on(test_step: Callable[..., Any], start: tuple[float, float]) -> CheckResult:
    part = "testing step"
    device = get_device()
    X, y = line(device=device)[2:]
    model = model_on(device, start, spy=True)
    model.train()  # the testing step must switch to eval mode itself
    before = params_of(model)
    # not the L1 loss: with it the test loss would equal the MAE, and (mae, mae) would pass
    got = call_learner_code(part, test_step, model, X, y, nn.MSELoss())
    if isinstance(got, CheckResult):
        return got
    problem = _testing_problem(model.calls, X)
    if problem:
        return failed(part, problem)
    if params_of(model) != before:
        return failed(part, "the parameters changed: the testing step only measures, it never steps")
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        return failed(part, f"return two numbers, (test_loss, test_mae), got {describe(got)}")
    for name, value in zip(("test loss", "MAE"), got, strict=True):
        problem = float_problem(value, name)
        if problem:
            return failed(part, problem)
    with torch.inference_mode():
        error = model(X) - y
        expected_loss, expected_mae = (error**2).mean().item(), error.abs().mean().item()
    loss, mae = float(got[0]), float(got[1])
    if not close(loss, expected_loss):
        return failed(part, f"the check passed loss_fn=nn.MSELoss(), so the test loss is {fmt(expected_loss)}, you "
                            f"returned {fmt(loss)}: compute it with the loss_fn you are given, "
                            "loss_fn(test_pred, y).item()")
    if not close(mae, expected_mae) and close(abs(mae), abs(error.mean().item())):
        return failed(part, f"the MAE (mean absolute error) is {fmt(expected_mae)}, you returned {fmt(mae)}: take "
                            "the absolute value of each error before the mean, (test_pred - y).abs().mean().item(), "
                            "or errors of both signs cancel")
    if not close(mae, expected_mae):
        return failed(part, f"the MAE (mean absolute error) is {fmt(expected_mae)}, you returned {fmt(mae)}: "
                            "(test_pred - y).abs().mean().item(), whatever loss_fn is")
    return passed(part, "eval mode and inference mode; the test loss (from the loss_fn given) and the MAE as floats")


testing_step_part.__test__ = False  # tell pytest this is not a test function


# 7. the training loop ----------------------------------------------------------------------------------------

def _reference_run(start: tuple[float, float],
                   device: torch.device) -> tuple[list[int], list[float], list[float], tuple[float, float], list[float]]:
    X_train, y_train, X_test, y_test = line(device=device)
    model = model_on(device, start)
    optimizer, loss_fn = torch.optim.SGD(model.parameters(), lr=LR), nn.MSELoss()
    epochs, train_losses, test_losses, test_maes = [], [], [], []
    for epoch in range(EPOCHS):
        loss = loss_fn(model(X_train), y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if epoch % EVAL_EVERY == 0:
            with torch.inference_mode():
                test_losses.append(loss_fn(model(X_test), y_test).item())
                test_maes.append((model(X_test) - y_test).abs().mean().item())
            epochs.append(epoch)
            train_losses.append(loss.item())
    return epochs, train_losses, test_losses, params_of(model), test_maes


def training_loop_part(train: Callable[..., Any]) -> CheckResult:
    part = "training loop"
    start, device = (OTHER_WEIGHT, OTHER_BIAS), get_device()
    data = line(device=device)
    model = model_on(device, start, spy=True)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    want_epochs, want_train, want_test, want_params, want_maes = _reference_run(start, device)
    with trace(model, optimizer) as events, contextlib.redirect_stdout(io.StringIO()):
        # not the L1 loss: with it the test loss would equal the MAE, and recording the MAE would pass
        got = call_learner_code(part, train, model, data, nn.MSELoss(), optimizer, EPOCHS, EVAL_EVERY)
    if isinstance(got, CheckResult):
        return got
    if not (isinstance(got, (tuple, list)) and len(got) == 3 and all(isinstance(g, (list, tuple)) for g in got)):
        return failed(part, f"return three lists, (epoch_count, train_losses, test_losses), got {describe(got)}")
    epochs = [int(n) if n is not None and n == int(n) else n for n in (as_number(e) for e in got[0])]
    if epochs != want_epochs:
        return failed(part, f"with epochs={EPOCHS} and eval_every={EVAL_EVERY} test at epochs {want_epochs}, you tested "
                            f"at {epochs[:6]}{' ...' if len(epochs) > 6 else ''}: use the epochs and eval_every "
                            "your function is given, and test when epoch % eval_every == 0")
    if events.count("step") != EPOCHS:
        return failed(part, f"{EPOCHS} epochs should make {EPOCHS} optimizer steps, yours made {events.count('step')}: "
                            "one training step per epoch")
    if not close(params_of(model), want_params, tol=1e-6):
        return failed(part, f"after {EPOCHS} epochs the parameters are {fmt(params_of(model))}, expected "
                            f"{fmt(want_params)}: run the five training steps once per epoch")
    problem = _testing_problem([c for c in model.calls if c.on(data[2])], data[2])
    if problem:
        return failed(part, problem)
    for name, values, wanted in (("train", got[1], want_train), ("test", got[2], want_test)):
        numbers = [as_number(v) for v in values]
        if name == "test" and None not in numbers and close(tuple(numbers), tuple(want_maes)):
            return failed(part, "you recorded the MAE as the test loss: the check passed loss_fn=nn.MSELoss(), "
                                "record the test loss from the loss_fn you are given, loss_fn(test_pred, y_test)")
        if None in numbers or len(numbers) != len(wanted) or not close(tuple(numbers), tuple(wanted)):
            return failed(part, f"the {name} losses you recorded are not those of epochs {want_epochs}: append "
                                f"the {name} loss{' (after the step)' if name == 'test' else ''} as a float "
                                "each time you test")
    return passed(part, f"{EPOCHS} epochs, a test every {EVAL_EVERY}: the epochs, parameters and losses of the loop "
                        "done right")


# 8. save and load ----------------------------------------------------------------------------------------------

def save_and_load_part(save_and_load: Callable[..., Any]) -> CheckResult:
    part = "save and load"
    model = make_model(OTHER_WEIGHT, OTHER_BIAS)
    loads: list[dict[str, Any]] = []
    load_code = torch.serialization.load.__code__

    # every call of torch.load, however it was imported (torch.load, from torch import load, ...), is seen here
    def watch(frame: Any, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code is load_code:
            loads.append({"weights_only": frame.f_locals.get("weights_only")})

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "capstone_model.pth"
        previous = sys.getprofile()
        sys.setprofile(watch)
        try:
            with torch.random.fork_rng(devices=[]):
                loaded = call_learner_code(part, save_and_load, model, path, LinearRegressionModel)
        finally:
            sys.setprofile(previous)
        if isinstance(loaded, CheckResult):
            return loaded
        if not path.exists():
            return failed(part, "nothing was saved at the path you are given: torch.save(model.state_dict(), path)")
        try:
            saved = torch.load(path, weights_only=True)
        except Exception:  # the whole model object, pickled
            return failed(part, "the file holds more than a state_dict (the whole model?): save model.state_dict()")
    if not isinstance(saved, dict) or set(saved) != set(model.state_dict()):
        return failed(part, f"save model.state_dict(), the parameters by name; the file holds {describe(saved)}")
    if loaded is model:
        return failed(part, "you returned the model you were given: create a new model_class() and load into it")
    if not isinstance(loaded, nn.Module):
        return failed(part, f"return the new, loaded model, got {describe(loaded)}")
    state = loaded.state_dict()
    if set(state) != set(model.state_dict()) or not all(torch.equal(state[k], v) for k, v in model.state_dict().items()):
        return failed(part, "the loaded model does not reload equal: call new_model.load_state_dict("
                            "torch.load(path, weights_only=True))")
    if not loads:
        return failed(part, "load the file back with torch.load(path, weights_only=True)")
    if not all(kwargs.get("weights_only") is True for kwargs in loads):
        return failed(part, "pass weights_only=True to torch.load: it refuses to unpickle anything but tensors "
                            "and plain containers")
    return passed(part, "state_dict saved, loaded with weights_only=True into a new model: it reloads equal")
