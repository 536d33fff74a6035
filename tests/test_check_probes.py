"""The adversary's probes: every exercise check, tried with the wrong answers a learner really types and with every
right variant PyTorch allows.

A wrong answer must fail with a message naming the mistake; a right one must pass (a tip is fine). These are the
probes of the trust issue (typed-in numbers, logits thresholded at 0.5, dummy calls, no train mode, a consumed
generator, F1 wording, NumPy integers); a future change to a check cannot quietly reopen them.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from check_helpers import assert_fails
from torch import nn

from optloop_helpers import f1_score
from optloop_helpers.checks import (
    check_batch_loop,
    check_epochs_to_reach,
    check_f1_by_hand,
    check_forward_pass,
    check_l1_loss,
    check_learning_rate,
    check_logits_to_labels,
    check_mse_gradients,
    check_mse_loss,
    check_one_epoch,
    check_optimizer_step,
    check_split,
    check_spot_the_bug,
    check_testing_step,
    check_training_step,
    check_zero_grad,
)


def assert_passes(result):
    assert result, result


# --- typed-in numbers: the values printed a few cells above the exercise ----------------------------------------


def split_for_fifty(X, y, train_fraction=0.8):
    n_train = int(train_fraction * 50)  # the notebook's 50 points, typed in
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def forward_typed(model, X):
    with torch.inference_mode():
        return 0.3367 * X + 0.1288


def forward_typed_with_dummy_call(model, X):
    model.eval()
    with torch.inference_mode():
        model(X)  # a dummy call, to satisfy an inspection
        return 0.3367 * X + 0.1288


def forward_by_hand_with_dummy_call(model, X):
    with torch.inference_mode():
        model(X)
        return model.weights * X + model.bias


def gradients_typed(model, X, y):
    return -0.2828, -0.6258


def step_typed(parameters, lr):
    weights, bias = parameters
    with torch.no_grad():
        weights.fill_(0.3406)
        bias.fill_(0.1388)


def typed_testing_step(model, X, y, loss_fn):
    model.eval()
    with torch.inference_mode():
        model(X)
    return 0.4945


@pytest.mark.parametrize(
    ("check", "answer", "fragments"),
    [
        (check_split, split_for_fifty, ["with 30 points and train_fraction=0.7", "count the points with len(X)"]),
        (check_split, lambda X, y, train_fraction=0.8: (X[:40], y[:40], X[40:], y[40:]), ["not a fixed number"]),
        (check_forward_pass, forward_typed, ["return what model(X) gives you", "instead of computing the line"]),
        (check_forward_pass, forward_typed_with_dummy_call, ["is not what model(X) returned"]),
        (check_forward_pass, forward_by_hand_with_dummy_call, ["is not what model(X) returned"]),
        (check_l1_loss, lambda y_pred, y_true: 0.18, ["returned 0.1800 again", "not from a number printed above"]),
        (check_l1_loss, lambda y_pred, y_true: torch.tensor(0.18), ["returned 0.1800 again"]),
        (check_mse_loss, lambda y_pred, y_true: 0.038, ["returned 0.0380 again"]),
        (check_mse_gradients, gradients_typed, ["returned (-0.2828, -0.6258) again", "not from a number printed above"]),
        (check_optimizer_step, step_typed, ["with lr=0.1", "expected (-1.3300, 0.8700)", "the lr and the .grad"]),
        (check_testing_step, typed_testing_step, ["expected the test loss", "for another model and other test data"]),
    ],
    ids=["split-50", "split-40", "forward-typed", "forward-typed-dummy", "forward-by-hand-dummy", "l1-typed",
         "l1-typed-tensor", "mse-typed", "gradients-typed", "step-typed", "testing-typed"],
)
def test_typed_in_numbers_fail_and_say_so(check, answer, fragments):
    assert_fails(check(answer), *fragments)


# --- the classic mistakes, hidden behind a correct-looking extra call --------------------------------------------


def dummy_call_testing_step(model, X, y, loss_fn):
    loss = loss_fn(model(X), y)  # train mode, gradients on: the loss that is returned
    model.eval()
    with torch.inference_mode():
        model(X)  # a dummy call, made the right way
    return loss.item()


def one_epoch_test_loss_in_train_mode_then_dummy(model, data, loss_fn, optimizer):
    model.train()
    loss = loss_fn(model(data.X_train), data.y_train)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    test_loss = loss_fn(model(data.X_test), data.y_test)  # still train mode, gradients on
    model.eval()
    with torch.inference_mode():
        model(data.X_test)  # a dummy call
    return loss.item(), test_loss.item()


def spot_the_bug_without_train_mode(model, X, y, loss_fn, optimizer):
    loss = loss_fn(model(X), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def buggy_train_step(model, X, y, loss_fn, optimizer):  # notebook 10's two bugs
    model.train()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    return loss


@pytest.mark.parametrize(
    ("check", "answer", "fragments"),
    [
        (check_logits_to_labels, lambda logits: (logits >= 0.5).float(), ["compared the logits with 0.5"]),
        (check_logits_to_labels, lambda logits: (logits > 0.5).float(), ["compared the logits with 0.5"]),
        (check_logits_to_labels, lambda logits: (logits > 0.04).float(), ["labels are wrong"]),
        (check_logits_to_labels, lambda logits: (logits > -0.05).float(), ["labels are wrong"]),
        (check_logits_to_labels, lambda logits: logits.sigmoid_().round_(), ["changed the logits it was given"]),
        (check_testing_step, dummy_call_testing_step, ["call model.eval()", "torch.inference_mode()"]),
        (check_one_epoch, one_epoch_test_loss_in_train_mode_then_dummy, ["call model.eval()", "inference_mode"]),
        (check_spot_the_bug, spot_the_bug_without_train_mode, ["ran in eval mode: call model.train()"]),
        (check_spot_the_bug, buggy_train_step, ["gradients not zeroed", "optimizer.zero_grad() before loss.backward()"]),
    ],
    ids=["logits-at-0.5", "logits-above-0.5", "logits-near-0", "logits-below-0", "logits-in-place", "testing-dummy-call", "one-epoch-dummy-call", "spot-no-train-mode",
         "spot-buggy-version"],
)
def test_hidden_mistakes_fail_and_say_so(check, answer, fragments):
    assert_fails(check(answer), *fragments)


# --- every right variant passes ------------------------------------------------------------------------------------


def forward_inference(model, X):
    model.eval()
    with torch.inference_mode():
        return model(X)


def forward_no_grad(model, X):
    model.eval()
    with torch.no_grad():
        return model(X)


def forward_calls_forward(model, X):
    model.train(False)  # the same as model.eval()
    with torch.inference_mode():
        return model.forward(X)


def sgd_counts_parameters_first(parameters, lr):
    assert len(list(parameters)) == 2  # consumes a generator: the check passes a list
    with torch.no_grad():
        for p in parameters:
            p -= lr * p.grad


def sgd_sub_(parameters, lr):
    with torch.no_grad():
        for p in parameters:
            p.sub_(lr * p.grad)


def sgd_add_alpha(parameters, lr):
    with torch.no_grad():
        for p in parameters:
            p.add_(p.grad, alpha=-lr)


def sgd_inference_mode(parameters, lr):
    with torch.inference_mode():
        for p in parameters:
            p -= lr * p.grad


def gradients_with_sum(model, X, y):
    error = (model.weights * X + model.bias - y).detach()
    return (2 * (error * X).sum() / len(X)).item(), (2 * error.sum() / len(X)).item()


def make_testing(context, evaluate=True):
    def testing_step(model, X, y, loss_fn):
        if evaluate:
            model.eval()
        with context():
            return float(loss_fn(model(X), y))

    return testing_step


def one_epoch_no_grad(model, data, loss_fn, optimizer):
    model.train()
    loss = loss_fn(model(data.X_train), data.y_train)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    model.eval()
    with torch.no_grad():
        test_loss = loss_fn(model(data.X_test), data.y_test)
    return loss.item(), test_loss.item()


def step_zero_last(model, X, y, loss_fn, optimizer):
    model.train()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    return loss.item()


def f1_from_precision_and_recall(y_true, y_pred):
    tp = ((y_pred == 1) & (y_true == 1)).sum().item()
    fp = ((y_pred == 1) & (y_true == 0)).sum().item()
    fn = ((y_pred == 0) & (y_true == 1)).sum().item()
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def reach_numpy(losses, target):
    hits = np.nonzero(np.array(losses) <= target)[0]
    return hits[0] if len(hits) else None  # an np.int64


def reach_torch(losses, target):
    hits = torch.nonzero(torch.tensor(losses) <= target)
    return hits[0] if len(hits) else None  # a one-element integer tensor


RIGHT = [
    (check_split, lambda X, y, train_fraction=0.8: (
        X[: int(train_fraction * len(X))], y[: int(train_fraction * len(X))],
        X[int(train_fraction * len(X)):], y[int(train_fraction * len(X)):])),
    (check_forward_pass, forward_inference),
    (check_forward_pass, forward_no_grad),
    (check_forward_pass, forward_calls_forward),
    (check_l1_loss, lambda y_pred, y_true: torch.mean(torch.abs(y_pred - y_true))),
    (check_l1_loss, lambda y_pred, y_true: F.l1_loss(y_pred, y_true)),
    (check_l1_loss, lambda y_pred, y_true: (y_pred - y_true).abs().mean().item()),
    (check_mse_loss, lambda y_pred, y_true: ((y_pred - y_true) ** 2).mean()),
    (check_mse_loss, lambda y_pred, y_true: nn.MSELoss()(y_pred, y_true)),
    (check_mse_loss, lambda y_pred, y_true: (y_pred - y_true).pow(2).sum() / len(y_pred)),
    (check_mse_gradients, gradients_with_sum),
    (check_optimizer_step, sgd_counts_parameters_first),
    (check_optimizer_step, sgd_sub_),
    (check_optimizer_step, sgd_add_alpha),
    (check_optimizer_step, sgd_inference_mode),
    (check_testing_step, make_testing(torch.inference_mode)),
    (check_testing_step, make_testing(torch.no_grad)),
    (check_one_epoch, one_epoch_no_grad),
    (check_training_step, step_zero_last),
    (check_spot_the_bug, step_zero_last),
    (check_logits_to_labels, lambda logits: torch.round(torch.sigmoid(logits))),
    (check_logits_to_labels, lambda logits: (logits > 0).float()),
    (check_logits_to_labels, lambda logits: (torch.sigmoid(logits) >= 0.5).float()),
    (check_logits_to_labels, lambda logits: (torch.sigmoid(logits) > 0.5).to(torch.float32)),
    (check_logits_to_labels, lambda logits: logits > 0),
    (check_f1_by_hand, f1_from_precision_and_recall),
    (check_f1_by_hand, f1_score),
    (check_epochs_to_reach, reach_numpy),
    (check_epochs_to_reach, reach_torch),
    (check_epochs_to_reach, lambda losses, target: np.int64(
        next((i for i, loss in enumerate(losses) if loss <= target), -1)) if min(losses) <= target else None),
]


@pytest.mark.parametrize(("check", "answer"), RIGHT, ids=lambda value: getattr(value, "__name__", ""))
def test_every_right_variant_passes(check, answer):
    assert_passes(check(answer))


def test_no_grad_answers_pass_with_a_tip_about_inference_mode():
    for result in (check_forward_pass(forward_no_grad), check_testing_step(make_testing(torch.no_grad)),
                   check_one_epoch(one_epoch_no_grad)):
        assert result, result
        assert "with torch.no_grad() is right too" in result.tip
        assert "inference_mode" in str(result)
    assert check_forward_pass(forward_inference).tip == ""


def test_the_forward_pass_check_names_what_was_missed():
    def without_eval(model, X):
        with torch.inference_mode():
            return model(X)

    def detached_afterwards(model, X):
        model.eval()
        return model(X).detach()

    def copied(model, X):
        model.eval()
        with torch.inference_mode():
            return model(X).clone()

    assert_fails(check_forward_pass(without_eval), "the model was in training mode: call model.eval() first")
    assert_fails(check_forward_pass(detached_afterwards), ".detach() afterwards does not undo the recording")
    assert_fails(check_forward_pass(copied), "is not what model(X) returned (a copy")


def test_the_loop_checks_name_a_step_that_bypassed_the_given_optimizer():
    def own_optimizer(model, data, loss_fn, optimizer):
        mine = torch.optim.SGD(model.parameters(), lr=0.01)
        model.train()
        loss = loss_fn(model(data.X_train), data.y_train)
        mine.zero_grad()
        loss.backward()
        mine.step()
        model.eval()
        with torch.inference_mode():
            return loss.item(), loss_fn(model(data.X_test), data.y_test).item()

    def by_hand(model, X, y, loss_fn, optimizer):
        model.train()
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= 0.01 * p.grad
        return loss.item()

    assert_fails(check_one_epoch(own_optimizer), "not through the optimizer your function is given")
    assert_fails(check_training_step(by_hand), "not through the optimizer your function is given")


def test_a_train_mode_call_on_other_inputs_cannot_hide_behind_a_correct_one():
    def reshaped_train_mode_loss(model, X, y, loss_fn):
        model.eval()
        with torch.inference_mode():
            model(X)  # the dummy call, made the right way
        model.train()
        return loss_fn(model(X[:, 0].reshape(-1, 1) + 0), y).item()  # the real one: train mode, autograd on

    assert_fails(check_testing_step(reshaped_train_mode_loss), "call model.eval() and make the predictions")


def test_the_split_check_names_a_mismatched_y_train():
    def short_targets(X, y, train_fraction=0.8):
        n = int(train_fraction * len(X))
        return X[:n], y[: n - 1], X[n:], y[n - 1 :]

    assert_fails(check_split(short_targets), "y_train has 39 targets but X_train has 40 points")


def test_the_gradient_checks_see_typed_gradients_and_autograd():
    def typed_zero_grad(model, X, y, loss_fn, optimizer):
        optimizer.zero_grad()
        (model(X).sum() * 0).backward()  # a dummy backward, then the printed numbers typed in
        model.weights.grad, model.bias.grad = torch.tensor([-0.39]), torch.tensor([-1.0])

    def backward_then_hidden(model, X, y):
        loss = ((model(X) - y) ** 2).mean()
        loss.backward()
        grads = (model.weights.grad.clone(), model.bias.grad.clone())
        model.zero_grad(set_to_none=True)  # hide the evidence
        return grads

    def autograd_grad(model, X, y):
        return torch.autograd.grad(((model(X) - y) ** 2).mean(), [model.weights, model.bias])

    assert_fails(check_zero_grad(typed_zero_grad), "returned (-0.3900, -1.0000) again")
    assert_fails(check_mse_gradients(backward_then_hidden), "you let autograd compute them")
    assert_fails(check_mse_gradients(autograd_grad), "you let autograd compute them")


def test_f1_wording_says_f1_is_zero_when_nothing_is_predicted_positive():
    def divides_by_precision(y_true, y_pred):
        tp = ((y_pred == 1) & (y_true == 1)).sum().item()
        fp = ((y_pred == 1) & (y_true == 0)).sum().item()
        fn = ((y_pred == 0) & (y_true == 1)).sum().item()
        precision, recall = tp / (tp + fp), tp / (tp + fn)
        return 2 * precision * recall / (precision + recall)

    result = check_f1_by_hand(divides_by_precision)
    assert_fails(result, "nothing predicted positive (F1 = 0: tp = 0 but fn = 2)", "divided by zero")
    assert "undefined" not in result.message
    assert "F1 = 0" in str(check_f1_by_hand(f1_score))


# --- notebook 09: the check trains with the learner's optimizer -------------------------------------------------


def sgd_with(lr, **options):
    return lambda parameters: torch.optim.SGD(parameters, lr=lr, **options)


@pytest.mark.parametrize("lr", [0.3, 0.5, 0.8, float(np.float64(0.5))], ids=str)
def test_check_learning_rate_passes_every_learning_rate_that_works(lr):
    assert_passes(check_learning_rate(sgd_with(lr)))


def test_check_learning_rate_passes_a_list_of_parameters_and_a_param_group():
    assert_passes(check_learning_rate(lambda parameters: torch.optim.SGD(list(parameters), lr=0.5)))
    assert_passes(check_learning_rate(lambda parameters: torch.optim.SGD([{"params": parameters}], lr=0.5)))


@pytest.mark.parametrize(
    ("answer", "fragments"),
    [
        (sgd_with(0.01), ["final train loss after 30 epochs is 0.0281", "too small, try a bigger"]),
        (sgd_with(0.1), ["is 0.0019, not below 0.001", "too small"]),  # a value the notebook's sweep prints
        (sgd_with(0.85), ["zig-zag", "try a somewhat smaller"]),
        (sgd_with(0.9), ["the train loss grew from 0.1049", "try a smaller learning rate"]),
        (sgd_with(10), ["diverged at epoch 15", "try a smaller learning rate"]),
        (sgd_with(0.5, momentum=0.9), ["plain SGD only: leave out momentum"]),
        (lambda parameters: torch.optim.Adam(parameters, lr=0.5), ["plain SGD", "not Adam"]),
        (lambda parameters: torch.optim.SGD(nn.Linear(1, 1).parameters(), lr=0.5), ["the parameters your function is given"]),
        (lambda parameters: 0.5, ["return the optimizer", "got float"]),
    ],
    ids=["too-small", "sweep-value", "zig-zag", "grows", "diverges", "momentum", "adam", "other-params", "number"],
)
def test_check_learning_rate_says_what_training_did(answer, fragments):
    assert_fails(check_learning_rate(answer), *fragments)


def test_check_learning_rate_leaves_the_learners_random_state_alone():
    torch.manual_seed(0)
    expected = torch.rand(1)
    torch.manual_seed(0)
    check_learning_rate(sgd_with(0.5))
    assert torch.equal(torch.rand(1), expected)


# --- in-place changes to the inputs, and another default dtype ---------------------------------------------------


def split_shuffled_in_place(X, y, train_fraction=0.8):
    perm = torch.randperm(len(X))
    X.copy_(X[perm])
    y.copy_(y[perm])
    n = int(train_fraction * len(X))
    return X[:n], y[:n], X[n:], y[n:]


def l1_doubled_in_place(y_pred, y_true):
    y_pred.sub_(y_true)  # changes y_pred in place: the expected value must not move with it
    return (2 * y_pred).abs().mean()


def test_the_split_check_sees_an_in_place_shuffle():
    assert_fails(check_split(split_shuffled_in_place), "changed the X or y it was given", "in order")


def test_the_l1_check_expects_the_loss_of_the_predictions_it_gave():
    assert_fails(check_l1_loss(l1_doubled_in_place), "your loss is 0.3600, expected 0.1800")


def test_the_optimizer_step_check_works_under_float64_default():
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        assert_passes(check_optimizer_step(sgd_sub_))
        assert_fails(check_optimizer_step(step_typed), "with lr=0.1")
    finally:
        torch.set_default_dtype(previous)


def test_the_logits_check_does_not_print_the_labels_to_copy():
    typed = torch.tensor([[0.0], [1.0], [1.0], [0.0], [1.0], [1.0], [1.0], [0.0], [1.0], [0.0]])
    result = check_logits_to_labels(lambda logits: (logits > 2).float())
    assert_fails(result, "labels are wrong", "sigmoid(logit) is above 0.5")
    assert "[0.0, 1.0, 1.0" not in result.message
    assert_fails(check_logits_to_labels(lambda logits: typed.clone()), "the labels have shape (10, 1) but the logits have shape (6, 1)")
    assert_fails(check_logits_to_labels(lambda logits: typed[: len(logits)].clone()), "labels are wrong")


def test_check_learning_rate_fails_a_function_that_sets_the_true_parameters():
    def cheat(parameters):
        parameters = list(parameters)
        with torch.no_grad():
            parameters[0].fill_(0.7)
            parameters[1].fill_(0.3)
        return torch.optim.SGD(parameters, lr=0.01)

    assert_fails(check_learning_rate(cheat), "changed the model's parameters", "only build the optimizer")


def make_batch_loop(eval_inside=False):
    def train_one_epoch(model, loader, loss_fn, optimizer):
        model.train()
        for X_batch, y_batch in loader:
            loss = loss_fn(model(X_batch), y_batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if eval_inside:
                model.eval()  # batches 2..n then train in eval mode
        return loss.item()

    return train_one_epoch


def test_the_batch_loop_check_looks_at_every_forward_pass():
    assert_passes(check_batch_loop(make_batch_loop()))
    assert_fails(check_batch_loop(make_batch_loop(eval_inside=True)), "ran in eval mode", "calls model.eval()")


def forward_grad_off_for_good(model, X):
    model.eval()
    torch.set_grad_enabled(False)  # a statement: autograd stays off for the rest of the notebook
    return model(X)


def grad_off_for_good_testing_step(model, X, y, loss_fn):
    model.eval()
    torch.set_grad_enabled(False)
    return loss_fn(model(X), y).item()


def forward_as_double(model, X):
    model.eval()
    with torch.inference_mode():
        return model(X).double()


@pytest.mark.parametrize(("check", "answer"), [(check_forward_pass, forward_grad_off_for_good),
                                               (check_testing_step, grad_off_for_good_testing_step)])
def test_autograd_left_off_fails_and_is_turned_back_on(check, answer):
    try:
        assert_fails(check(answer), "autograd was still off after your function returned", "set_grad_enabled(False)")
        assert torch.is_grad_enabled()
    finally:
        torch.set_grad_enabled(True)


def test_the_forward_pass_check_names_a_dtype_change():
    assert_fails(check_forward_pass(forward_as_double), "torch.float64", "without .double()")


def gradients_on_detached_copies(model, X, y):
    w = model.weights.detach().clone().requires_grad_(True)
    b = model.bias.detach().clone().requires_grad_(True)
    ((w * X + b - y) ** 2).mean().backward()
    return w.grad.item(), b.grad.item()


def gradients_on_a_deepcopy(model, X, y):
    import copy

    twin = copy.deepcopy(model)
    ((twin(X) - y) ** 2).mean().backward()
    return twin.weights.grad.item(), twin.bias.grad.item()


def gradients_with_torch_func(model, X, y):
    def loss(w, b):
        return ((w * X + b - y) ** 2).mean()

    dw, db = torch.func.grad(loss, argnums=(0, 1))(model.weights.detach(), model.bias.detach())
    return dw.item(), db.item()


def gradients_then_a_quiet_step(model, X, y):
    error = (model.weights * X + model.bias - y).detach()
    dw, db = (2 * error * X).mean(), (2 * error).mean()
    with torch.no_grad():
        model.weights -= 0.01 * dw
        model.bias -= 0.01 * db
    return dw.item(), db.item()


@pytest.mark.parametrize(
    ("answer", "fragments"),
    [(gradients_on_detached_copies, ["you let autograd compute them"]),
     (gradients_on_a_deepcopy, ["you let autograd compute them"]),
     (gradients_with_torch_func, ["you let autograd compute them", "torch.func.grad"]),
     (gradients_then_a_quiet_step, ["changed the model's parameters"])],
    ids=["detached", "deepcopy", "torch-func", "quiet-step"],
)
def test_the_mse_gradients_check_sees_autograd_anywhere_and_a_step(answer, fragments):
    assert_fails(check_mse_gradients(answer), *fragments)
