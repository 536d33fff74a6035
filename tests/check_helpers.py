"""Helpers shared by the tests of the exercise checks (tests/test_checks_*.py)."""

from __future__ import annotations

from optloop_helpers.checks import CheckResult


def assert_fails(result: CheckResult, *fragments: str) -> None:
    """The check failed, and its message says each of ``fragments``."""
    assert not result, result
    assert result.passed is False
    for fragment in fragments:
        assert fragment in result.message, result.message


def not_written(*args, **kwargs):
    """A learner's function that is still the student-version stub."""
    raise NotImplementedError("Your turn")


def make_training_step(order=("train", "forward", "zero", "backward", "step"), returns="item"):
    """A learner's training step doing ``order``, returning ``loss.item()``, the loss ``"tensor"`` or ``"none"``.

    Each wrong answer built from it differs from the right one in one place only.
    """

    def training_step(model, X, y, loss_fn, optimizer):
        loss = None
        for action in order:
            if action == "train":
                model.train()
            elif action == "forward":
                loss = loss_fn(model(X), y)
            elif action == "zero":
                optimizer.zero_grad()
            elif action == "backward":
                loss.backward()
            elif action == "step":
                optimizer.step()
        return {"item": loss.item(), "tensor": loss, "none": None}[returns]

    return training_step
