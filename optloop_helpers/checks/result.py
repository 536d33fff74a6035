"""The result every exercise check returns: pass or fail, and a friendly sentence saying why.

A ``CheckResult`` shows itself as a coloured message in a notebook, is truthy when the answer is
right, and is easy to assert on in tests.

Example::

    >>> result = failed("forward pass", "the predictions have shape (10,), expected (10, 1)")
    >>> bool(result), result.message
    (False, 'the predictions have shape (10,), expected (10, 1)')
    >>> print(passed("forward pass", "the predictions match"))
    ✅ forward pass: the predictions match
    >>> print(passed("forward pass", "right", tip="torch.inference_mode() is a little faster"))
    ✅ forward pass: right (tip: torch.inference_mode() is a little faster)
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one exercise check."""

    exercise: str
    passed: bool
    message: str
    tip: str = ""  # an optional hint for an answer that is right but could be better

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        mark = "✅" if self.passed else "❌"
        tip = f" (tip: {self.tip})" if self.tip else ""
        return f"{mark} {self.exercise}: {self.message}{tip}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour, background = ("#1b5e20", "#e8f5e9") if self.passed else ("#b71c1c", "#ffebee")
        return (
            f'<div style="padding:0.5em 0.8em;border-left:4px solid {colour};background:{background};'
            f'color:{colour}">{html.escape(str(self))}</div>'
        )


def passed(exercise: str, message: str, tip: str = "") -> CheckResult:
    """A passing result, with an optional tip."""
    return CheckResult(exercise, True, message, tip)


def failed(exercise: str, message: str) -> CheckResult:
    """A failing result whose message says what is wrong."""
    return CheckResult(exercise, False, message)


def call_learner_code(exercise: str, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a learner's function; turn "not written yet" and crashes into a failing ``CheckResult``.

    Returns the function's value, or a ``CheckResult`` when it raised (check with ``isinstance``).
    """
    if not callable(function):
        return failed(exercise, f"expected a function, got {type(function).__name__}")
    try:
        return function(*args, **kwargs)
    except NotImplementedError:
        return failed(exercise, "not written yet: replace the `...` and the `raise NotImplementedError` line")
    except Exception as error:  # the learner's code crashed: say how, without a traceback
        return failed(exercise, f"your code raised {type(error).__name__}: {error}")


def call_keeping_grad_mode(exercise: str, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``call_learner_code``, failing (and turning autograd back on) when the function left autograd off.

    ``torch.set_grad_enabled(False)`` as a statement, not a ``with`` block, keeps autograd off after the
    function returns: every later cell of the notebook would then train nothing.
    """
    was_enabled = torch.is_grad_enabled()
    value = call_learner_code(exercise, function, *args, **kwargs)
    if was_enabled and not torch.is_grad_enabled():
        torch.set_grad_enabled(True)
        return failed(exercise, "autograd was still off after your function returned (torch.set_grad_enabled(False) as a "
                                "statement, not a with block): the rest of the notebook would compute no "
                                "gradients; turn it off only inside `with torch.inference_mode():`")
    return value
