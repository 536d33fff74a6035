"""The check for notebook 14, the capstone: every part of the loop the learner wrote from a blank page.

``check_capstone`` takes any of the parts as keyword arguments, runs each on data, parameters and seeds the
notebook never prints, and says part by part what is right and what is wrong. No typed-in number can pass.

Example::

    >>> def make_data(weight, bias, device):
    ...     X = torch.arange(0, 1, 0.02).unsqueeze(dim=1)
    ...     y = weight * X + bias
    ...     return X[:40].to(device), y[:40].to(device), X[40:].to(device), y[40:].to(device)
    >>> print(check_capstone(make_data=make_data))
    ✅ capstone: 1 of 1 parts right
      ✅ data: 40 training and 10 test points on y = weight * X + bias, float32, on the device asked for
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from ..device import get_device
from ._capstone_loop import (
    BIAS,
    WEIGHT,
    loss_and_optimizer_part,
    save_and_load_part,
    testing_step_part,
    training_loop_part,
    training_step_part,
)
from ._helpers import describe
from .result import CheckResult, call_learner_code, failed, passed

SEED = 7  # the models are built from a seed no notebook prints


@dataclass(frozen=True)
class CapstoneResult(CheckResult):
    """A ``CheckResult`` that also holds the verdict of every part checked (``parts``)."""

    parts: tuple[CheckResult, ...] = ()

    def __str__(self) -> str:
        lines = [CheckResult.__str__(self)] + [f"  {part}" for part in self.parts]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        rows = "".join(f"<br>&nbsp;&nbsp;{html.escape(str(part))}" for part in self.parts)
        colour, background = ("#1b5e20", "#e8f5e9") if self.passed else ("#b71c1c", "#ffebee")
        return (f'<div style="padding:0.5em 0.8em;border-left:4px solid {colour};background:{background};'
                f'color:{colour}">{html.escape(CheckResult.__str__(self))}{rows}</div>')


# 1. the data ---------------------------------------------------------------------------------------------------

def _data(make_data: Callable[..., Any]) -> CheckResult:
    part, device = "data", get_device()
    got = call_learner_code(part, make_data, WEIGHT, BIAS, device)
    if isinstance(got, CheckResult):
        return got
    if not (isinstance(got, (tuple, list)) and len(got) == 4 and all(isinstance(t, torch.Tensor) for t in got)):
        return failed(part, f"return four tensors, (X_train, y_train, X_test, y_test), got {describe(got)}")
    X_train, y_train, X_test, y_test = got
    if any(t.ndim != 2 or t.shape[1] != 1 for t in got):
        return failed(part, f"every tensor needs the shape [samples, 1], got {[tuple(t.shape) for t in got]}: "
                            "add the feature dimension with X.unsqueeze(dim=1)")
    if (len(X_train), len(X_test)) != (40, 10) or len(y_train) != 40 or len(y_test) != 10:
        return failed(part, f"split 80/20: 40 training and 10 test points, got {len(X_train)} and {len(X_test)}")
    if any(t.device.type != device.type for t in got):
        return failed(part, f"put every tensor on the device you are given ({device.type}): .to(device)")
    dtype = torch.get_default_dtype()  # float32, unless the learner changed it with torch.set_default_dtype
    if any(t.dtype != dtype for t in got):
        return failed(part, f"use {str(dtype).removeprefix('torch.')} tensors (PyTorch's default), "
                            f"got {[str(t.dtype) for t in got]}")
    X = torch.cat([X_train, X_test]).cpu().flatten()
    points = torch.arange(0, 1, 0.02)
    if not torch.allclose(X.sort().values, points, atol=1e-6):
        return failed(part, "X must hold the 50 points 0, 0.02, ..., 0.98 (torch.arange(0, 1, 0.02)), each once")
    if not torch.allclose(X, points, atol=1e-6):
        return failed(part, "the first 80% for training, in order: X_train must be the first 40 points (0, 0.02, "
                            "..., 0.78) and X_test the last 10 (0.8, ..., 0.98), so X[:40] and X[40:], no shuffle")
    for X_part, y_part in ((X_train, y_train), (X_test, y_test)):
        if not torch.allclose(y_part.cpu(), WEIGHT * X_part.cpu() + BIAS, atol=1e-5):
            return failed(part, f"for weight={WEIGHT} and bias={BIAS}, y is not weight * X + bias: compute y from "
                                "the weight and bias your function is given")
    return passed(part, f"40 training and 10 test points on y = weight * X + bias, {str(dtype).removeprefix('torch.')}, "
                        "on the device asked for")


# 2. and 3. the two model classes -----------------------------------------------------------------------------

def _build(part: str, model_class: Any) -> CheckResult | nn.Module:
    if not isinstance(model_class, type):
        keyword = part.replace(" ", "_")  # check_capstone's own keyword: manual_model= or linear_model=
        return failed(part, f"pass the class itself (e.g. {keyword}=MyModel, no brackets), "
                            f"got {describe(model_class)}")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(SEED)
        model = call_learner_code(part, model_class)
    if isinstance(model, CheckResult):
        return model
    if not isinstance(model, nn.Module):
        return failed(part, f"the class must be an nn.Module: class {model_class.__name__}(nn.Module), "
                            "with super().__init__() first in __init__")
    return model


def _straight_line_problem(model: nn.Module, weights: torch.Tensor, bias: torch.Tensor) -> str | None:
    """What keeps ``model`` from computing ``weights * X + bias`` with these two parameters; None when nothing does."""
    X = torch.linspace(-1.5, 2.5, 9).unsqueeze(dim=1)
    for w, b in ((1.75, -0.4), (-0.6, 0.95)):
        with torch.no_grad():
            weights.fill_(w)
            bias.fill_(b)
        y = call_learner_code("model", model, X)
        if isinstance(y, CheckResult):
            return y.message
        if not isinstance(y, torch.Tensor) or y.shape != X.shape:
            return f"for X of shape {tuple(X.shape)} forward must return the same shape, got {describe(y)}"
        y_grad, y = y, y.detach().to(X.dtype)  # a float64 model is a straight line too
        if not torch.allclose(y, w * X + b, atol=1e-5):
            if torch.allclose(y, b * X + w, atol=1e-5):
                return ("forward swaps the two parameters: the weights multiply x and the bias is added, "
                        "return weights * x + bias")
            slope = (y[1:] - y[:-1]) / (X[1:] - X[:-1])
            if torch.allclose(slope, slope[0].expand_as(slope), atol=1e-4):
                return "forward is a straight line, but not one made of the model's parameters: return weights * x + bias"
            return "the forward pass is not a straight line: it must return weights * x + bias (nothing squared, no activation)"
    y = y_grad
    if y.requires_grad:
        y.sum().backward()
    if not y.requires_grad or any(p.grad is None or p.grad.abs().sum() == 0 for p in (weights, bias)):
        return "no gradient reaches the parameters: use them directly in forward (not .item(), .data or a copy)"
    return None


def _manual_model(model_class: Any) -> CheckResult:
    part = "manual model"
    model = _build(part, model_class)
    if isinstance(model, CheckResult):
        return model
    params = list(model.parameters())
    if any(isinstance(m, nn.Linear) for m in model.modules()):
        return failed(part, "this model holds an nn.Linear: here write the two nn.Parameters yourself "
                            "(nn.Linear is the second model)")
    if len(params) != 2 or any(p.numel() != 1 for p in params):
        return failed(part, f"the model needs exactly two parameters of one number each (weights and bias, made with "
                            f"nn.Parameter(torch.randn(1))), got {len(params)} of sizes {[p.numel() for p in params]}")
    named = dict(model.named_parameters())
    missing = [name for name in ("weights", "bias") if name not in named]
    if missing:
        return failed(part, f"name the parameters self.weights and self.bias (the rest of the notebook reads "
                            f"model.weights and model.bias); yours are called {', '.join(sorted(named))}")
    problem = _straight_line_problem(model, named["weights"], named["bias"])
    return failed(part, problem) if problem else passed(part, "two nn.Parameters, forward = weights * x + bias")


def _linear_model(model_class: Any) -> CheckResult:
    part = "linear model"
    model = _build(part, model_class)
    if isinstance(model, CheckResult):
        return model
    layers = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if len(layers) != 1:
        return failed(part, f"the model needs one nn.Linear layer (self.linear = nn.Linear(1, 1)), got {len(layers)}")
    layer = layers[0]
    if (layer.in_features, layer.out_features) != (1, 1) or layer.bias is None:
        return failed(part, "one input feature, one output feature, with a bias: nn.Linear(in_features=1, "
                            f"out_features=1), got nn.Linear({layer.in_features}, {layer.out_features})")
    if len(list(model.parameters())) != 2:
        return failed(part, "the model must hold only the nn.Linear layer's weight and bias")
    problem = _straight_line_problem(model, layer.weight, layer.bias)
    return failed(part, problem) if problem else passed(part, "one nn.Linear(1, 1), forward = self.linear(x)")


_PARTS: dict[str, Callable[[Any], CheckResult]] = {
    "make_data": _data,
    "manual_model": _manual_model,
    "linear_model": _linear_model,
    "make_loss_and_optimizer": loss_and_optimizer_part,
    "train_step": training_step_part,
    "test_step": testing_step_part,
    "train": training_loop_part,
    "save_and_load": save_and_load_part,
}


_PART_NAMES = {"make_data": "data", "manual_model": "manual model", "linear_model": "linear model",
               "make_loss_and_optimizer": "loss and optimizer", "train_step": "training step",
               "test_step": "testing step", "train": "training loop", "save_and_load": "save and load"}


def _verdict(name: str, answer: Any) -> CheckResult:
    """One part's verdict; anything that goes wrong while checking it is that part's failure, not the whole call's."""
    try:
        return _PARTS[name](answer)
    except Exception as error:  # noqa: BLE001 - every other part still gets its verdict
        return failed(_PART_NAMES[name], f"checking this part raised {type(error).__name__}: {error}")


def check_capstone(*, make_data: Any = None, manual_model: Any = None, linear_model: Any = None,
                   make_loss_and_optimizer: Any = None, train_step: Any = None, test_step: Any = None,
                   train: Any = None, save_and_load: Any = None) -> CapstoneResult:
    """Check the parts of the capstone given, each on its own, and say part by part what is right and wrong.

    - ``make_data(weight, bias, device)`` -> ``(X_train, y_train, X_test, y_test)``: 50 points, split 80/20;
    - ``manual_model``: a class with two ``nn.Parameter``s; ``linear_model``: a class with one ``nn.Linear(1, 1)``;
    - ``make_loss_and_optimizer(model)`` -> ``(loss_fn, optimizer)``;
    - ``train_step(model, X, y, loss_fn, optimizer)`` -> the loss (float);
    - ``test_step(model, X, y, loss_fn)`` -> ``(test_loss, test_mae)`` (floats);
    - ``train(model, data, loss_fn, optimizer, epochs, eval_every)`` -> ``(epoch_count, train_losses, test_losses)``;
    - ``save_and_load(model, path, model_class)`` -> a new ``model_class()`` loaded from the saved ``state_dict``.

    Every part runs on another line (weight -0.45, bias 1.3), other parameters, seeds and run lengths than the
    notebook's, so no number printed there can pass. The result passes when every part given is right.

    Example::

        >>> class Line(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.weights = nn.Parameter(torch.randn(1))
        ...         self.bias = nn.Parameter(torch.randn(1))
        ...     def forward(self, x):
        ...         return self.weights * x ** 2 + self.bias
        >>> print(check_capstone(manual_model=Line, linear_model=Line))
        ❌ capstone: 0 of 2 parts right
          ❌ manual model: the forward pass is not a straight line: it must return weights * x + bias (nothing squared, no activation)
          ❌ linear model: the model needs one nn.Linear layer (self.linear = nn.Linear(1, 1)), got 0
    """
    given = {name: answer for name, answer in locals().items() if name in _PARTS and answer is not None}
    if not given:
        return CapstoneResult("capstone", False, "pass the parts you wrote, e.g. check_capstone(make_data=make_data)")
    parts = tuple(_verdict(name, answer) for name, answer in given.items())
    right = sum(part.passed for part in parts)
    return CapstoneResult("capstone", right == len(parts), f"{right} of {len(parts)} parts right", parts=parts)
