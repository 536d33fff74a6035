"""The checks of notebooks 03-05: right answers pass, typical wrong answers fail with a message saying what."""

from __future__ import annotations

import pytest
import torch
from check_helpers import assert_fails, not_written

from optloop_helpers.checks import check_mse_gradients, check_optimizer_step, check_zero_grad


@pytest.mark.parametrize(
    "check", [check_zero_grad, check_mse_gradients, check_optimizer_step], ids=lambda c: c.__name__
)
def test_checks_turn_unwritten_crashing_and_non_function_answers_into_messages(check):
    assert_fails(check(not_written), "not written yet")
    assert_fails(check(lambda *args: 1 / 0), "your code raised ZeroDivisionError: division by zero")
    assert_fails(check(None), "expected a function, got NoneType")


# --- 03: zero the gradients -------------------------------------------------------------------------------------


def zero_then_backward(model, X, y, loss_fn, optimizer):
    loss = loss_fn(model(X), y)
    optimizer.zero_grad()
    loss.backward()


def zero_to_zeros_then_backward(model, X, y, loss_fn, optimizer):
    optimizer.zero_grad(set_to_none=False)
    loss_fn(model(X), y).backward()


@pytest.mark.parametrize("answer", [zero_then_backward, zero_to_zeros_then_backward])
def test_check_zero_grad_passes_right_answers(answer):
    result = check_zero_grad(answer)
    assert result
    assert result.message == "after two calls .grad is still (-0.3900, -1.0000): each call starts from zero"


def never_zeroed(model, X, y, loss_fn, optimizer):
    loss_fn(model(X), y).backward()


def zeroed_after_backward(model, X, y, loss_fn, optimizer):
    loss_fn(model(X), y).backward()
    optimizer.zero_grad()


def no_backward(model, X, y, loss_fn, optimizer):
    optimizer.zero_grad()
    loss_fn(model(X), y)


def also_steps(model, X, y, loss_fn, optimizer):
    zero_then_backward(model, X, y, loss_fn, optimizer)
    optimizer.step()


def wrong_loss(model, X, y, loss_fn, optimizer):
    optimizer.zero_grad()
    loss_fn(model(X), -y).backward()


@pytest.mark.parametrize(
    ("answer", "fragments"),
    [
        (never_zeroed, ["gradients not zeroed", "(-0.7800, -2.0000), twice the right (-0.3900, -1.0000)",
                        "optimizer.zero_grad() before loss.backward()"]),
        (zeroed_after_backward, ["the gradients are empty", "you zeroed them after loss.backward()"]),
        (no_backward, ["no gradients were computed: call loss.backward()"]),
        (also_steps, ["the parameters changed", "leave out optimizer.step()"]),
        (wrong_loss, [".grad is (0.3900, 1.0000), expected (-0.3900, -1.0000)"]),
    ],
    ids=["never-zeroed", "zeroed-after", "no-backward", "steps", "wrong-loss"],
)
def test_check_zero_grad_says_what_is_wrong(answer, fragments):
    assert_fails(check_zero_grad(answer), *fragments)


# --- 04: backpropagation by hand ---------------------------------------------------------------------------------


def gradients(model, X, y, sign=1.0, factor=2.0, reduce="mean", with_x=True):
    error = sign * (model.weights * X + model.bias - y)
    dw = factor * error * (X if with_x else 1)
    db = factor * error
    return (dw.mean(), db.mean()) if reduce == "mean" else (dw.sum(), db.sum())


def test_check_mse_gradients_passes_a_right_answer_as_tensors_or_floats():
    result = check_mse_gradients(gradients)
    assert result
    assert result.message == "dL/dweights = -0.2828, dL/dbias = -0.6258, the same as autograd (and right for another model too)"
    assert check_mse_gradients(lambda m, X, y: tuple(g.item() for g in gradients(m, X, y)))


def used_autograd(model, X, y):
    loss = torch.nn.MSELoss()(model(X), y)
    loss.backward()
    return model.weights.grad, model.bias.grad


@pytest.mark.parametrize(
    ("answer", "fragments"),
    [
        (lambda m, X, y: gradients(m, X, y, sign=-1.0),
         ["wrong sign", "you returned (0.2828, 0.6258), the right answer is (-0.2828, -0.6258)", "y_pred - y"]),
        (lambda m, X, y: gradients(m, X, y, factor=1.0), ["half the right size", "2 * error"]),
        (lambda m, X, y: gradients(m, X, y)[::-1], ["the two gradients are swapped"]),
        (lambda m, X, y: gradients(m, X, y, reduce="sum"), ["40 times too big", ".mean(), not .sum()"]),
        (lambda m, X, y: gradients(m, X, y, with_x=False), ["dL/dweights must include X", "chain rule"]),
        (used_autograd, ["you let autograd compute them", "work the gradients out by hand"]),
        (lambda m, X, y: (2 * (m(X) - y) * X, 2 * (m(X) - y)), ["each gradient must be one number", ".mean()"]),
        (lambda m, X, y: -0.2828, ["return two numbers, (dL/dweights, dL/dbias), got float"]),
        (lambda m, X, y: (0.1, 0.2), ["you returned (0.1000, 0.2000), expected (-0.2828, -0.6258)"]),
    ],
    ids=["sign", "no-factor-2", "swapped", "sum", "no-x", "autograd", "not-reduced", "one-number", "other"],
)
def test_check_mse_gradients_says_what_is_wrong(answer, fragments):
    assert_fails(check_mse_gradients(answer), *fragments)


# --- 05: the optimizer step --------------------------------------------------------------------------------------


def sgd_right(parameters, lr):
    with torch.no_grad():
        for p in parameters:
            p -= lr * p.grad


def test_check_optimizer_step_passes_a_right_answer():
    result = check_optimizer_step(sgd_right)
    assert result
    assert result.message == (
        "the parameters moved from (0.3367, 0.1288) to (0.3406, 0.1388), just like optimizer.step() "
        "(and right for other parameters, gradients and lr too)"
    )


def sgd_uphill(parameters, lr):
    with torch.no_grad():
        for p in parameters:
            p += lr * p.grad


def sgd_without_no_grad(parameters, lr):
    for p in parameters:
        p -= lr * p.grad


def sgd_rebinds(parameters, lr):
    for p in parameters:
        p = p - lr * p.grad  # noqa: PLW2901 - the mistake under test


def sgd_no_lr(parameters, lr):
    with torch.no_grad():
        for p in parameters:
            p -= p.grad


def sgd_detaches(parameters, lr):
    with torch.no_grad():
        for p in parameters:
            p -= lr * p.grad
            p.requires_grad_(False)


def sgd_double(parameters, lr):
    with torch.no_grad():
        for p in parameters:
            p -= 2 * lr * p.grad


@pytest.mark.parametrize(
    ("answer", "fragments"),
    [
        (sgd_uphill, ["wrong sign: the parameters moved uphill, to (0.3328, 0.1188)", "p -= lr * p.grad"]),
        (sgd_without_no_grad, ["refused to change a parameter in place", "`with torch.no_grad():`"]),
        (sgd_rebinds, ["the parameters did not change", "`p = p - lr * p.grad` makes a new tensor"]),
        (sgd_no_lr, ["the step is too big: you forgot the learning rate"]),
        (sgd_detaches, ["no longer require gradients"]),
        (sgd_double, ["moved to (0.3445, 0.1488), expected (0.3406, 0.1388)"]),
    ],
    ids=["uphill", "no-no-grad", "rebinds", "no-lr", "detaches", "double"],
)
def test_check_optimizer_step_says_what_is_wrong(answer, fragments):
    assert_fails(check_optimizer_step(answer), *fragments)
