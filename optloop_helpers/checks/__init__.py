"""Exercise checks: ``check_*`` functions that tell a learner at once whether an answer is right.

Each returns a :class:`~optloop_helpers.checks.result.CheckResult`. One module per group of notebooks
re-exports its checks here.
"""

from .result import CheckResult, call_learner_code, failed, passed

__all__ = ["CheckResult", "call_learner_code", "failed", "passed"]
