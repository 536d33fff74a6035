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
