"""Exercise checks: ``check_*`` functions that tell a learner at once whether an answer is right.

Each returns a :class:`~optloop_helpers.checks.result.CheckResult`. One module per group of notebooks
holds its checks; a check's module is imported the first time the check is used.
"""

from .._lazy import lazy_exports
from .result import CheckResult, call_learner_code, failed, passed

# check -> the module that holds it
CHECKS = {
    # notebooks 00-08
    **dict.fromkeys(["check_split", "check_forward_pass", "check_l1_loss", "check_mse_loss"], "data_and_model"),
    **dict.fromkeys(["check_zero_grad", "check_mse_gradients", "check_optimizer_step"], "gradients"),
    **dict.fromkeys(["check_training_step", "check_testing_step", "check_one_epoch"], "loops"),
    # notebook 09
    "check_learning_rate": "playground",
    # notebooks 10-12
    **dict.fromkeys(["check_spot_the_bug", "check_logits_to_labels", "check_f1_by_hand", "check_epochs_to_reach"],
                    "beyond"),
    # notebooks 13-14
    **dict.fromkeys(["check_batch_loop", "check_epoch_loss"], "batches"),
    "check_capstone": "capstone",
}

__all__ = ["CheckResult", "call_learner_code", "failed", "passed", *CHECKS]
__getattr__, __dir__ = lazy_exports(__name__, CHECKS, __all__)
