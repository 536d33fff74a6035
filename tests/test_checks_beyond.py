"""Checks for notebooks 10-12: right answers pass, each typical mistake fails with a message that says why."""

import pytest
import torch
from check_helpers import make_training_step

import optloop_helpers
from optloop_helpers.checks import (
    check_epochs_to_reach,
    check_f1_by_hand,
    check_logits_to_labels,
    check_spot_the_bug,
)

# Spot the bug ---------------------------------------------------------------------------------------


def fixed(model, X, y, loss_fn, optimizer):
    model.train()
    y_pred = model(X)  # 1. Forward pass
    loss = loss_fn(y_pred, y)  # 2. Calculate the loss
    optimizer.zero_grad()  # 3. Zero the gradients
    loss.backward()  # 4. Backpropagation
    optimizer.step()  # 5. Step the optimizer
    return loss.item()


def loss_after_step(model, X, y, loss_fn, optimizer):
    fixed(model, X, y, loss_fn, optimizer)
    return loss_fn(model(X), y).item()


def two_steps(model, X, y, loss_fn, optimizer):
    fixed(model, X, y, loss_fn, optimizer)
    return fixed(model, X, y, loss_fn, optimizer)


def doubled_loss(model, X, y, loss_fn, optimizer):
    model.train()
    loss = 2 * loss_fn(model(X), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item() / 2


def not_written(model, X, y, loss_fn, optimizer):
    raise NotImplementedError("Your turn")


@pytest.mark.parametrize(
    "function",
    [fixed, make_training_step(("train", "forward", "backward", "step", "zero")),
     make_training_step(("train", "zero", "forward", "backward", "step"))],
    ids=["zero-backward-step", "backward-step-zero", "zero-first"],
)
def test_spot_the_bug_passes_every_order_notebook_3_calls_right(function):
    result = check_spot_the_bug(function)
    assert result.passed, result.message
    assert "both bugs are fixed" in result.message


def test_spot_the_bug_leaves_the_learners_random_state_alone():
    torch.manual_seed(0)
    expected = torch.rand(1)
    torch.manual_seed(0)
    check_spot_the_bug(fixed)
    assert torch.equal(torch.rand(1), expected)


@pytest.mark.parametrize(
    ("function", "message"),
    [
        (make_training_step(("train", "forward", "backward", "step")), "gradients not zeroed"),
        (make_training_step(("forward", "zero", "backward", "step")), "ran in eval mode: call model.train()"),
        (doubled_loss, "the parameters did not end where the five steps lead"),
        (make_training_step(("train", "forward", "zero", "backward")), "the parameters did not change: call optimizer.step()"),
        (make_training_step(returns="tensor"), "still requires grad (and keeps the whole graph alive)"),
        (make_training_step(("train", "forward", "zero", "step", "backward")), "the parameters did not end where"),
        (make_training_step(("train", "forward", "backward", "zero", "step")),
         "you zeroed the gradients between loss.backward() and optimizer.step()"),
        (two_steps, "3 calls of your function stepped the optimizer 6 times"),
        (loss_after_step, "return the loss of this epoch's forward pass"),
        (make_training_step(returns="none"), "return the loss as a Python float (loss.item()), got NoneType"),
        (not_written, "not written yet"),
        ("fixed", "expected a function, got str"),
    ],
    ids=["no-zero-grad", "no-train-mode", "doubled", "no-step", "tensor", "step-before-backward", "zero-between",
         "two-steps", "loss-after-step", "returns-none", "not-written", "not-a-function"],
)
def test_spot_the_bug_names_the_mistake(function, message):
    result = check_spot_the_bug(function)
    assert not result.passed
    assert message in result.message


def test_spot_the_bug_crash_is_a_message_not_a_traceback():
    def crashes(model, X, y, loss_fn, optimizer):
        return loss_fn(model(X), y) + X.shape[5]

    result = check_spot_the_bug(crashes)
    assert not result.passed
    assert result.message.startswith("your code raised")


# Logits to labels -----------------------------------------------------------------------------------


def test_logits_to_labels_passes():
    assert check_logits_to_labels(lambda logits: torch.round(torch.sigmoid(logits))).passed
    assert check_logits_to_labels(lambda logits: (logits > 0).float()).passed


@pytest.mark.parametrize(
    ("function", "message"),
    [
        (lambda logits: torch.sigmoid(logits), "these are probabilities: round them"),
        (lambda logits: torch.round(logits), "apply torch.sigmoid first"),
        (lambda logits: torch.round(torch.sigmoid(logits)).squeeze(), "the labels have shape (10,)"),
        (lambda logits: (logits > 2).float(), "5 of 10 labels are wrong"),
        (lambda logits: [0, 1], "return a tensor of labels, got [0, 1] (list)"),
    ],
)
def test_logits_to_labels_names_the_mistake(function, message):
    result = check_logits_to_labels(function)
    assert not result.passed
    assert message in result.message


# F1 by hand -----------------------------------------------------------------------------------------


def f1_right(y_true, y_pred):
    tp = ((y_pred == 1) & (y_true == 1)).sum().item()
    fp = ((y_pred == 1) & (y_true == 0)).sum().item()
    fn = ((y_pred == 0) & (y_true == 1)).sum().item()
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0


def f1_divides_by_zero(y_true, y_pred):
    tp = ((y_pred == 1) & (y_true == 1)).sum().item()
    fp = ((y_pred == 1) & (y_true == 0)).sum().item()
    fn = ((y_pred == 0) & (y_true == 1)).sum().item()
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    return 2 * precision * recall / (precision + recall)


def f1_tensor_nan(y_true, y_pred):
    tp = ((y_pred == 1) & (y_true == 1)).sum()
    fp = ((y_pred == 1) & (y_true == 0)).sum()
    fn = ((y_pred == 0) & (y_true == 1)).sum()
    return 2 * tp / (2 * tp + fp + fn)


def test_f1_by_hand_passes_floats_and_one_element_tensors():
    assert check_f1_by_hand(f1_right).passed
    assert check_f1_by_hand(lambda t, p: torch.tensor(f1_right(t, p))).passed
    assert check_f1_by_hand(optloop_helpers.f1_score).passed


@pytest.mark.parametrize(
    ("function", "message"),
    [
        (f1_divides_by_zero, "with nothing predicted positive (F1 = 0: tp = 0 but fn = 2) your code divided by zero"),
        (f1_tensor_nan, "with no positives at all (tp = fp = fn = 0: F1 is 0 / 0) you returned nan (0 / 0)"),
        (optloop_helpers.accuracy, "with tp=3, fp=2, fn=1 (y_true="),
        (optloop_helpers.precision, "expected 0.6667, got 0.6000: F1 = 2 * tp / (2 * tp + fp + fn)"),
        (lambda t, p: (1.0, 1.0), "return one number, got (1.0, 1.0) (tuple)"),
    ],
)
def test_f1_by_hand_names_the_mistake(function, message):
    result = check_f1_by_hand(function)
    assert not result.passed
    assert message in result.message


# Epochs to reach a loss -----------------------------------------------------------------------------


def reach_right(losses, target):
    for epoch, loss in enumerate(losses):
        if loss <= target:
            return epoch
    return None


def reach_strict(losses, target):
    for epoch, loss in enumerate(losses):
        if loss < target:
            return epoch
    return None


def reach_minus_one(losses, target):
    result = reach_right(losses, target)
    return -1 if result is None else result


def reach_last(losses, target):
    hits = [epoch for epoch, loss in enumerate(losses) if loss <= target]
    return hits[-1] if hits else None


def test_epochs_to_reach_passes():
    result = check_epochs_to_reach(reach_right)
    assert result.passed, result.message


@pytest.mark.parametrize(
    ("function", "message"),
    [
        (reach_strict, "expected epoch 2, got 3 (a loss equal to the target counts: use <=)"),
        (reach_minus_one, "for a target never reached ([0.9, 0.5, 0.3], target 0.01) return None, got -1"),
        (reach_last, "for a loss that falls below the target ([0.9, 0.5, 0.3, 0.1, 0.05], target 0.2) expected epoch 3, got 4"),
        (lambda losses, target: None, "expected the epoch 3 as a whole number (a plain int), got None (NoneType)"),
        (lambda losses, target: 3.0, "expected the epoch 3 as a whole number (a plain int), got 3.0 (float)"),
    ],
)
def test_epochs_to_reach_names_the_mistake(function, message):
    result = check_epochs_to_reach(function)
    assert not result.passed
    assert message in result.message


def test_checks_are_public_names_of_the_package():
    assert optloop_helpers.check_spot_the_bug is check_spot_the_bug
    assert optloop_helpers.check_epochs_to_reach is check_epochs_to_reach
