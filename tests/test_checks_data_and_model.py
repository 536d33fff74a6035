"""The checks of notebooks 00-02: right answers pass, typical wrong answers fail with a message saying what."""

from __future__ import annotations

import pytest
import torch
from check_helpers import assert_fails, not_written

from optloop_helpers.checks import check_forward_pass, check_l1_loss, check_mse_loss, check_split


def split_right(X, y, train_fraction=0.8):
    n_train = int(train_fraction * len(X))
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def test_check_split_passes_a_right_answer():
    result = check_split(split_right)
    assert result
    assert result.message == "40 points to train on and 10 to test on, in order"
    assert str(result).startswith("✅ split the data:")


@pytest.mark.parametrize(
    ("answer", "fragments"),
    [
        (lambda X, y, train_fraction=0.8: (X[:40], y[:40], X[40:], y[40:]),
         ["with 50 points and train_fraction=0.5 the training set should have 25 points", "got 40", "not a fixed number"]),
        (lambda X, y, train_fraction=0.8: (X[:40], X[40:], y[:40], y[40:]),
         ["the second tensor holds inputs, not targets", "X_train, y_train, X_test, y_test"]),
        (lambda X, y, train_fraction=0.8: (X.flip(0)[:40], y.flip(0)[:40], X.flip(0)[40:], y.flip(0)[40:]),
         ["not split in order", "do not shuffle"]),
        (lambda X, y, train_fraction=0.8: (X[:40], y[:40], X[39:], y[39:]),
         ["the test set should have the other 10 points, got 11", "exactly one set"]),
        (lambda X, y, train_fraction=0.8: (X[:40], y[10:50], X[40:], y[40:]),
         ["y_train and y_test must hold the targets of X_train and X_test"]),
        (lambda X, y, train_fraction=0.8: (X[:40], y[:40]), ["return four tensors", "got tuple"]),
        (lambda X, y, train_fraction=0.8: (1, 2, 3, 4), ["return four tensors", "slice X and y"]),
    ],
    ids=["fixed-size", "sklearn-order", "shuffled", "overlap", "wrong-targets", "two-items", "not-tensors"],
)
def test_check_split_says_what_is_wrong(answer, fragments):
    assert_fails(check_split(answer), *fragments)




def crashes(*args, **kwargs):
    return args[0] @ "oops"


@pytest.mark.parametrize(
    "check", [check_split, check_forward_pass, check_l1_loss, check_mse_loss], ids=lambda c: c.__name__
)
def test_checks_turn_unwritten_crashing_and_non_function_answers_into_messages(check):
    assert_fails(check(not_written), "not written yet")
    assert_fails(check(crashes), "your code raised TypeError")
    assert_fails(check(torch.ones(3)), "expected a function, got Tensor")


def forward_right(model, X):
    model.eval()
    with torch.inference_mode():
        return model(X)


def test_check_forward_pass_passes_a_right_answer():
    result = check_forward_pass(forward_right)
    assert result
    assert result.message == "10 predictions of shape (10, 1), made in eval mode with autograd off"


def forward_no_grad(model, X):
    with torch.no_grad():
        return model(X)


def forward_squeezed(model, X):
    with torch.inference_mode():
        return model(X).squeeze()


def forward_no_bias(model, X):
    with torch.inference_mode():
        return model.weights * X


def forward_by_hand(model, X):
    with torch.inference_mode():
        return model.weights * X + model.bias


@pytest.mark.parametrize(
    ("answer", "fragments"),
    [
        (lambda model, X: model(X), ["still track gradients (requires_grad=True)", "torch.inference_mode()"]),
        (forward_squeezed, ["shape (10,), expected (10, 1)", "one prediction per input"]),
        (forward_no_bias, ["the bias is missing"]),
        (lambda model, X: model(X).tolist(), ["return the predictions tensor, got list"]),
        (lambda model, X: model.bias * X + model.weights, ["the predictions are not model(X)"]),
        (forward_by_hand, ["call the model instead of computing the line yourself"]),
    ],
    ids=["no-inference-mode", "squeezed", "no-bias", "list", "swapped", "by-hand"],
)
def test_check_forward_pass_says_what_is_wrong(answer, fragments):
    assert_fails(check_forward_pass(answer), *fragments)


def test_check_forward_pass_leaves_the_learners_random_numbers_alone():
    torch.manual_seed(42)
    check_forward_pass(forward_right)
    after_check = torch.rand(1)
    torch.manual_seed(42)
    assert torch.equal(torch.rand(1), after_check)


def test_check_l1_loss_passes_a_right_answer_as_tensor_or_float():
    right = check_l1_loss(lambda y_pred, y_true: torch.mean(torch.abs(y_pred - y_true)))
    assert right
    assert right.message == "0.1800, the same as nn.L1Loss (0.1800), and right for other predictions too"
    assert check_l1_loss(lambda y_pred, y_true: (y_pred - y_true).abs().mean().item())


@pytest.mark.parametrize(
    ("answer", "fragments"),
    [
        (lambda p, t: (p - t).mean(), ["positive and negative errors cancel out", "torch.abs"]),
        (lambda p, t: (p - t).abs(), ["a tensor of shape (5, 1)", "a loss is ONE number", ".mean()"]),
        (lambda p, t: (p - t).abs().sum(), ["5 times too big", "not the sum"]),
        (lambda p, t: ((p - t) ** 2).mean(), ["you squared the errors", "L1 uses the absolute value"]),
        (lambda p, t: (t - p).mean(), ["cancel out"]),
        (lambda p, t: (p - t).abs().max(), ["your loss is 0.3000, expected 0.1800"]),
        (lambda p, t: "0.18", ["return the loss as a tensor holding one number, got str"]),
    ],
    ids=["no-abs", "no-mean", "sum", "squared", "no-abs-flipped", "max", "string"],
)
def test_check_l1_loss_says_what_is_wrong(answer, fragments):
    assert_fails(check_l1_loss(answer), *fragments)


def test_check_mse_loss_passes_a_right_answer():
    result = check_mse_loss(lambda y_pred, y_true: ((y_pred - y_true) ** 2).mean())
    assert result
    assert result.message == "0.0380, the same as nn.MSELoss (0.0380), and right for other predictions too"


@pytest.mark.parametrize(
    ("answer", "fragments"),
    [
        (lambda p, t: ((p - t) ** 2).mean().sqrt(), ["you took the square root: that is the RMSE"]),
        (lambda p, t: (p - t).abs().mean(), ["you took the absolute value: that is the L1 loss"]),
        (lambda p, t: ((p - t) ** 2).sum(), ["5 times too big"]),
        (lambda p, t: (p - t).mean(), ["cancel out", "** 2"]),
        (lambda p, t: (p - t) ** 2, ["a loss is ONE number"]),
    ],
    ids=["rmse", "l1", "sum", "not-squared", "no-mean"],
)
def test_check_mse_loss_says_what_is_wrong(answer, fragments):
    assert_fails(check_mse_loss(answer), *fragments)


def test_check_result_renders_as_html_in_a_notebook():
    html = check_l1_loss(lambda p, t: (p - t).mean())._repr_html_()
    assert html.startswith("<div") and "❌ L1 loss by hand" in html
