"""Argument checks shared by every public function.

Each check raises ``TypeError`` or ``ValueError`` with a message that names the
argument, the value given and what is allowed, e.g.::

    >>> check_positive_int("epochs", 0)
    Traceback (most recent call last):
    ...
    ValueError: epochs must be an integer >= 1, got 0
"""

from __future__ import annotations

import math
from typing import Any

import torch


def _is_real_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_number(name: str, value: Any) -> float:
    """Return ``value`` as a float; it must be a finite real number."""
    if not _is_real_number(value):
        raise TypeError(f"{name} must be a number (int or float), got {value!r} of type {type(value).__name__}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def check_positive_number(name: str, value: Any) -> float:
    """Return ``value`` as a float; it must be a finite number > 0."""
    number = check_number(name, value)
    if number <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return number


def check_between(name: str, value: Any, low: float, high: float) -> float:
    """Return ``value`` as a float; it must be a number in ``[low, high]``.

    Example::

        >>> check_between("lr", 100, 1e-4, 10)
        Traceback (most recent call last):
        ...
        ValueError: lr must be between 0.0001 and 10, got 100
    """
    number = check_number(name, value)
    if not low <= number <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g}, got {value!r}")
    return number


def check_bool(name: str, value: Any) -> bool:
    """Return ``value``; it must be ``True`` or ``False`` (not 1, not "yes")."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value


def check_int(name: str, value: Any, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value``; it must be an int (not a bool) within [minimum, maximum]."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, got {value!r} of type {type(value).__name__}")
    if minimum is not None and value < minimum:
        allowed = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise ValueError(f"{name} must be an integer {allowed}, got {value!r}")
    if maximum is not None and value > maximum:
        allowed = f"<= {maximum}" if minimum is None else f"between {minimum} and {maximum}"
        raise ValueError(f"{name} must be an integer {allowed}, got {value!r}")
    return value


def check_positive_int(name: str, value: Any) -> int:
    """Return ``value``; it must be an integer >= 1."""
    return check_int(name, value, minimum=1)


def check_choice(name: str, value: Any, allowed: tuple[str, ...] | list[str]) -> str:
    """Return ``value``; it must be one of ``allowed``."""
    if value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return value


TRAIN_TEST = ("X_train", "y_train", "X_test", "y_test")
LINE = ("X_train", "y_train", "weight", "bias")


def check_data(name: str, value: Any, needs: tuple[str, ...] = TRAIN_TEST) -> Any:
    """Return ``value``; it must have every attribute in ``needs`` (as ``make_line_data()``'s result has).

    Example::

        >>> check_data("data", [1, 2, 3])
        Traceback (most recent call last):
        ...
        TypeError: data must have X_train, y_train, X_test and y_test (e.g. make_line_data()), got list without X_train
    """
    for attribute in needs:
        if not hasattr(value, attribute):
            wanted = f"{', '.join(needs[:-1])} and {needs[-1]}" if len(needs) > 1 else needs[0]
            raise TypeError(f"{name} must have {wanted} (e.g. make_line_data()), "
                            f"got {type(value).__name__} without {attribute}")
    return value


def check_tensor(name: str, value: Any, ndim: int | None = None) -> torch.Tensor:
    """Return ``value``; it must be a floating-point ``torch.Tensor`` (with ``ndim`` dims if given)."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if ndim is not None and value.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {tuple(value.shape)}")
    if value.numel() == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(value.shape)}")
    return value


def check_same_length(name_x: str, x: torch.Tensor, name_y: str, y: torch.Tensor) -> None:
    """Both tensors must have the same shape (one target per input)."""
    if x.shape != y.shape:
        raise ValueError(
            f"{name_x} and {name_y} must have the same shape, got {tuple(x.shape)} and {tuple(y.shape)}"
        )


def check_model(name: str, value: Any) -> torch.nn.Module:
    """Return ``value``; it must be an ``nn.Module`` with at least one parameter."""
    if not isinstance(value, torch.nn.Module):
        raise TypeError(f"{name} must be a torch.nn.Module, got {type(value).__name__}")
    if not any(True for _ in value.parameters()):
        raise ValueError(f"{name} must have at least one parameter to learn, got {type(value).__name__} with none")
    return value


def check_callable(name: str, value: Any) -> Any:
    """Return ``value``; it must be callable (a function or an ``nn.Module`` loss)."""
    if not callable(value):
        raise TypeError(f"{name} must be callable (e.g. nn.L1Loss()), got {value!r}")
    return value


def check_optimizer(name: str, value: Any) -> torch.optim.Optimizer:
    """Return ``value``; it must be a ``torch.optim.Optimizer``."""
    if not isinstance(value, torch.optim.Optimizer):
        raise TypeError(f"{name} must be a torch.optim.Optimizer (e.g. torch.optim.SGD), got {type(value).__name__}")
    return value
