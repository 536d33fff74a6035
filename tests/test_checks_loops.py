"""The checks of notebooks 06-08: right answers pass, typical wrong answers fail with a message saying what."""

from __future__ import annotations

import pytest
import torch
from check_helpers import assert_fails, make_training_step, not_written

from optloop_helpers.checks import check_one_epoch, check_testing_step, check_training_step


@pytest.mark.parametrize(
    "check", [check_training_step, check_testing_step, check_one_epoch], ids=lambda c: c.__name__
)
def test_checks_turn_unwritten_crashing_and_non_function_answers_into_messages(check):
    assert_fails(check(not_written), "not written yet")
    assert_fails(check(lambda *args: args[0].no_such_thing), "your code raised AttributeError")
    assert_fails(check(42), "expected a function, got int")


# --- 06: the training step ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "order",
    [
        ("train", "forward", "zero", "backward", "step"),
        ("train", "zero", "forward", "backward", "step"),
        ("train", "forward", "backward", "step", "zero"),
    ],
    ids=["zero-backward-step", "zero-first", "backward-step-zero"],
)
def test_check_training_step_passes_every_valid_order(order):
    result = check_training_step(make_training_step(order))
    assert result, result
    assert result.message == "two epochs: loss 0.3129 then 0.3014, parameters (0.3445, 0.1488)"


@pytest.mark.parametrize(
    ("answer", "fragments"),
    [
        (make_training_step(("train", "forward", "backward", "step")),
         ["gradients not zeroed", "optimizer.zero_grad() before loss.backward()"]),
        (make_training_step(("train", "forward", "zero", "step")), ["no gradients were computed", "loss.backward()"]),
        (make_training_step(("train", "forward", "zero", "backward")),
         ["the parameters did not change: call optimizer.step()"]),
        (make_training_step(("train", "forward", "backward", "zero", "step")),
         ["you zeroed the gradients between loss.backward() and optimizer.step()"]),
        (make_training_step(("forward", "zero", "backward", "step")), ["ran in eval mode", "model.train()"]),
        (make_training_step(returns="tensor"), ["as a Python float with loss.item(), got a tensor of shape ()"]),
        (make_training_step(("train", "zero", "step", "forward", "backward")),
         ["the parameters did not end where the five steps lead"]),
    ],
    ids=["no-zero", "no-backward", "no-step", "zero-between", "no-train-mode", "tensor", "step-first"],
)
def test_check_training_step_says_what_is_wrong(answer, fragments):
    assert_fails(check_training_step(answer), *fragments)


def test_check_training_step_notices_a_wrong_return_value():
    inner = make_training_step()
    assert_fails(check_training_step(lambda *args: inner(*args) * 2), "you returned the losses (0.6258, 0.6027)")


def test_check_training_step_notices_a_model_never_called():
    def training_step(model, X, y, loss_fn, optimizer):
        return 0.0

    assert_fails(check_training_step(training_step), "the model was never called")


# --- 07: the testing step ----------------------------------------------------------------------------------------


def make_testing_step(evaluate=True, grad_off="inference", item=True):
    def testing_step(model, X, y, loss_fn):
        if evaluate:
            model.eval()
        context = {"inference": torch.inference_mode, "no_grad": torch.no_grad}.get(grad_off, torch.enable_grad)
        with context():
            loss = loss_fn(model(X), y)
        return loss.item() if item else loss

    return testing_step


def test_check_testing_step_passes_a_right_answer():
    result = check_testing_step(make_testing_step())
    assert result
    assert result.message == "test loss 0.4945, measured in eval mode with autograd off"


def moves_the_bias_then_tests(model, X, y, loss_fn):
    with torch.no_grad():
        model.bias += 1
    return make_testing_step()(model, X, y, loss_fn)


@pytest.mark.parametrize(
    ("answer", "fragments"),
    [
        (make_testing_step(evaluate=False), ["still in training mode: call model.eval()", "dropout"]),
        (make_testing_step(grad_off=None), ["tracked gradients: forgot inference_mode"]),
        (make_testing_step(evaluate=False, grad_off=None), ["call model.eval() and make the predictions inside"]),
        (make_testing_step(item=False), ["test loss as a Python float with loss.item(), got a tensor"]),
        (moves_the_bias_then_tests, ["the parameters changed: the testing step only measures"]),
        (lambda model, X, y, loss_fn: "low", ["the model was never called"]),
    ],
    ids=["no-eval", "no-inference", "neither", "tensor", "changes-params", "never-calls"],
)
def test_check_testing_step_says_what_is_wrong(answer, fragments):
    assert_fails(check_testing_step(answer), *fragments)


def test_check_testing_step_notices_a_wrong_loss():
    def on_wrong_targets(model, X, y, loss_fn):
        return make_testing_step()(model, X, y * 0, loss_fn)

    assert_fails(check_testing_step(on_wrong_targets), "expected the test loss 0.4945")


# --- 08: one epoch -----------------------------------------------------------------------------------------------


def make_one_epoch(test_first=False, zero=True, evaluate=True, inference=True, swap=False):
    def one_epoch(model, data, loss_fn, optimizer):
        def test():
            if evaluate:
                model.eval()
            with torch.inference_mode() if inference else torch.enable_grad():
                return loss_fn(model(data.X_test), data.y_test).item()

        test_loss = test() if test_first else None
        model.train()
        loss = loss_fn(model(data.X_train), data.y_train)
        if zero:
            optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if not test_first:
            test_loss = test()
        return (test_loss, loss.item()) if swap else (loss.item(), test_loss)

    return one_epoch


def test_check_one_epoch_passes_a_right_answer():
    result = check_one_epoch(make_one_epoch())
    assert result, result
    assert result.message == "two calls in a row: train loss (0.3129, 0.3014), test loss (0.4811, 0.4676)"


@pytest.mark.parametrize(
    ("answer", "fragments"),
    [
        (make_one_epoch(test_first=True), ["you tested before the optimizer step"]),
        (make_one_epoch(zero=False), ["gradients not zeroed"]),
        (make_one_epoch(evaluate=False), ["still in training mode: call model.eval()"]),
        (make_one_epoch(inference=False), ["forgot inference_mode"]),
        (make_one_epoch(swap=True), ["the two losses are swapped: return (train_loss, test_loss)"]),
        (lambda model, data, loss_fn, optimizer: 0.5, ["return two numbers, (train_loss, test_loss), got float"]),
    ],
    ids=["test-first", "no-zero", "no-eval", "no-inference", "swapped", "one-number"],
)
def test_check_one_epoch_says_what_is_wrong(answer, fragments):
    assert_fails(check_one_epoch(answer), *fragments)
