"""Exercise checks: ``check_*`` functions that tell a learner at once whether an answer is right.

Each returns a :class:`~optloop_helpers.checks.result.CheckResult`. One module per group of notebooks
re-exports its checks here.
"""

from .beyond import check_epochs_to_reach, check_f1_by_hand, check_logits_to_labels, check_spot_the_bug
from .result import CheckResult, call_learner_code, failed, passed

__all__ = ["CheckResult", "call_learner_code", "failed", "passed"]
# notebooks 10-12
__all__ += ["check_spot_the_bug", "check_logits_to_labels", "check_f1_by_hand", "check_epochs_to_reach"]
