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
from dataclasses import dataclass, field
from typing import Any

import torch

from ..models import SEEDED_START, LinearRegressionModel

START_WEIGHT, START_BIAS = SEEDED_START  # the notebooks' seeded start, used by every check
# A second model no notebook prints: a learner who types the numbers printed above fails on it.
OTHER_WEIGHT = -1.25
OTHER_BIAS = 0.62
# the notebook's seeded start, then one no notebook prints (typed-in numbers fail there)
STARTS = [(START_WEIGHT, START_BIAS), (OTHER_WEIGHT, OTHER_BIAS)]


@dataclass(frozen=True)
class Call:
    """How the model was called: its mode, whether inference mode / autograd were on, input and output."""

    training: bool
    inference: bool
    grad: bool
    x: torch.Tensor | None = field(default=None, repr=False, compare=False)
    output: torch.Tensor | None = field(default=None, repr=False, compare=False)

    @property
    def measured_only(self) -> bool:
        """True for a call made the testing loop's way: eval mode, autograd off."""
        return not self.training and not self.grad

    def on(self, x: torch.Tensor) -> bool:
        """True when this call's input holds exactly the values of ``x``."""
        return self.x is not None and self.x.shape == x.shape and torch.equal(self.x.detach(), x.detach())

    def produced(self, value: Any) -> bool:
        """True when ``value`` is this call's output (or a view of it, e.g. ``.detach()``)."""
        return (isinstance(value, torch.Tensor) and self.output is not None
                and value.shape == self.output.shape and value.data_ptr() == self.output.data_ptr())


class SpyModel(LinearRegressionModel):
    """A ``LinearRegressionModel`` that records every forward pass in ``calls``."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Call] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        output = super().forward(x)
        self.calls.append(Call(self.training, torch.is_inference_mode_enabled(), torch.is_grad_enabled(), x, output))
        return output


def make_model(weight: float = START_WEIGHT, bias: float = START_BIAS, spy: bool = False) -> LinearRegressionModel:
    """A model with known parameters; the learner's random number generator is left untouched."""
    with torch.random.fork_rng(devices=[]):
        model = SpyModel() if spy else LinearRegressionModel()
    with torch.no_grad():
        model.weights.fill_(weight)
        model.bias.fill_(bias)
    return model


def no_grad_tip(calls: list[Call]) -> str:
    """A tip for a right answer that turned autograd off with ``torch.no_grad()`` ('' otherwise)."""
    if any(not call.grad and not call.inference for call in calls):
        return ("turning autograd off with torch.no_grad() is right too; for predictions torch.inference_mode() "
                "is a little faster (notebook 7 explains the difference)")
    return ""


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


def on_other_case(problem: str | None, got: Any, first: Any, other: str, inputs: str) -> str | None:
    """Reword a ``problem`` found on a check's second case, one no notebook prints.

    The same answer as on the first case means the learner typed in a number printed above.

    Example::

        >>> on_other_case("expected 0.5", 0.18, 0.18, "other predictions", "y_pred and y_true")
        'for other predictions your function returned 0.1800 again: compute it from the y_pred and y_true it is given, not from a number printed above'
    """
    if problem is None:
        return None
    if close(got, first):
        return (f"for {other} your function returned {fmt(got)} again: compute it from the {inputs} it is given, "
                "not from a number printed above")
    return f"right for the notebook's numbers, but for {other} {problem}"


def describe(value: Any, show_value: bool = False) -> str:
    """A short description of a value for a feedback message (never a memory address).

    Example::

        >>> describe(torch.zeros(2, 1)), describe(3), describe(3, show_value=True)
        ('a tensor of shape (2, 1)', 'int', '3 (int)')
    """
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}"
    return f"{value!r} ({type(value).__name__})" if show_value else type(value).__name__
