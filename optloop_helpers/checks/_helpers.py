"""Small tools the exercise checks share: a model that remembers how it was called, and number helpers.

Example::

    >>> model = make_model(spy=True)
    >>> _ = model(torch.ones(2, 1))
    >>> model.calls
    [Call(training=True, inference=False, grad=True)]
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch

from ..models import LinearRegressionModel

# The parameters torch.manual_seed(42) gives LinearRegressionModel (rounded), used by every check.
START_WEIGHT = 0.3367
START_BIAS = 0.1288


@dataclass(frozen=True)
class Call:
    """How the model was called: its mode, and whether inference mode / autograd were on."""

    training: bool
    inference: bool
    grad: bool


class SpyModel(LinearRegressionModel):
    """A ``LinearRegressionModel`` that records every forward pass in ``calls``."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Call] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls.append(Call(self.training, torch.is_inference_mode_enabled(), torch.is_grad_enabled()))
        return super().forward(x)


def make_model(weight: float = START_WEIGHT, bias: float = START_BIAS, spy: bool = False) -> LinearRegressionModel:
    """A model with known parameters; the learner's random number generator is left untouched."""
    with torch.random.fork_rng(devices=[]):
        model = SpyModel() if spy else LinearRegressionModel()
    with torch.no_grad():
        model.weights.fill_(weight)
        model.bias.fill_(bias)
    return model


def params_of(model: torch.nn.Module) -> tuple[float, float]:
    """``(weight, bias)`` of a straight-line model as floats."""
    return model.weights.item(), model.bias.item()


def as_number(value: Any) -> float | None:
    """A float for a Python number or a one-element tensor, else None."""
    if isinstance(value, torch.Tensor):
        return value.item() if value.numel() == 1 else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def close(a: float | tuple[float, ...], b: float | tuple[float, ...], tol: float = 1e-4) -> bool:
    """True when two numbers (or equally long tuples of numbers) agree to ``tol`` (relative or absolute)."""
    if isinstance(a, tuple) or isinstance(b, tuple):
        if not (isinstance(a, tuple) and isinstance(b, tuple)) or len(a) != len(b):
            return False
        return all(close(x, y, tol) for x, y in zip(a, b, strict=True))
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def fmt(value: float | tuple[float, ...]) -> str:
    """A number (or tuple of numbers) rounded to 4 places for a feedback message."""
    if isinstance(value, tuple):
        return "(" + ", ".join(fmt(v) for v in value) + ")"
    return f"{value:.4f}"


@contextmanager
def count_backward(model: torch.nn.Module) -> Iterator[list[int]]:
    """Count how many times ``loss.backward()`` reached the model's parameters inside the block."""
    counter = [0]

    def hook(grad: torch.Tensor) -> None:
        counter[0] += 1

    handles = [p.register_hook(hook) for p in model.parameters()]
    try:
        yield counter
    finally:
        for handle in handles:
            handle.remove()


def describe(value: Any) -> str:
    """A short description of a value for a feedback message (never a memory address)."""
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}"
    return f"{type(value).__name__}"
