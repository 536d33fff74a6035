"""Exercise checks: ``check_*`` functions that tell a learner at once whether an answer is right.

Each returns a :class:`~optloop_helpers.checks.result.CheckResult`. One module per group of notebooks
re-exports its checks here.
"""

from .beyond import check_epochs_to_reach, check_f1_by_hand, check_logits_to_labels, check_spot_the_bug
from .data_and_model import check_forward_pass, check_l1_loss, check_mse_loss, check_split
from .gradients import check_mse_gradients, check_optimizer_step, check_zero_grad
from .loops import check_one_epoch, check_testing_step, check_training_step
from .playground import check_learning_rate
from .result import CheckResult, call_learner_code, failed, passed

__all__ = ["CheckResult", "call_learner_code", "failed", "passed"]
# notebooks 00-08
__all__ += ["check_split", "check_forward_pass", "check_l1_loss", "check_mse_loss"]
__all__ += ["check_zero_grad", "check_mse_gradients", "check_optimizer_step"]
__all__ += ["check_training_step", "check_testing_step", "check_one_epoch"]
# notebook 09
__all__ += ["check_learning_rate"]
# notebooks 10-12
__all__ += ["check_spot_the_bug", "check_logits_to_labels", "check_f1_by_hand", "check_epochs_to_reach"]
