"""The checks of notebook 13 (mini-batches): right answers pass, the wrong ones learners type fail saying what."""

from __future__ import annotations

import pytest
import torch
from check_helpers import assert_fails, not_written
from torch.utils.data import DataLoader

from optloop_helpers import get_device
from optloop_helpers.checks import check_batch_loop, check_epoch_loss


def batch_loop(model, loader, loss_fn, optimizer):
    model.train()
    for X_batch, y_batch in loader:
        y_pred = model(X_batch)  # 1. Forward pass
        loss = loss_fn(y_pred, y_batch)  # 2. Calculate the loss
        optimizer.zero_grad()  # 3. Zero the gradients
        loss.backward()  # 4. Backpropagation
        optimizer.step()  # 5. Step the optimizer


def batch_loop_zero_after_step(model, loader, loss_fn, optimizer):
    model.train()
    for X_batch, y_batch in loader:
        loss = loss_fn(model(X_batch), y_batch)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=False)


def batch_loop_returning_the_epoch_loss(model, loader, loss_fn, optimizer):
    model.train()
    total = 0.0
    for X_batch, y_batch in loader:
        loss = loss_fn(model(X_batch), y_batch)
        model.zero_grad()  # the model's zero_grad is right too
        loss.backward()
        optimizer.step()
        total += loss.item() * len(X_batch)
    return total / len(loader.dataset)


def no_zero_grad(model, loader, loss_fn, optimizer):
    model.train()
    for X_batch, y_batch in loader:
        loss = loss_fn(model(X_batch), y_batch)
        loss.backward()
        optimizer.step()


def zero_grad_once_per_epoch(model, loader, loss_fn, optimizer):
    model.train()
    optimizer.zero_grad()
    for X_batch, y_batch in loader:
        loss = loss_fn(model(X_batch), y_batch)
        loss.backward()
        optimizer.step()


def step_once_per_epoch(model, loader, loss_fn, optimizer):
    """Gradient accumulation over the whole epoch: one step per epoch."""
    model.train()
    optimizer.zero_grad()
    for X_batch, y_batch in loader:
        loss_fn(model(X_batch), y_batch).backward()
    optimizer.step()


def whole_training_set(model, loader, loss_fn, optimizer):
    X, y = loader.dataset.tensors
    model.train()
    for _ in loader:
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def no_train_mode(model, loader, loss_fn, optimizer):
    for X_batch, y_batch in loader:
        loss = loss_fn(model(X_batch), y_batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def own_unshuffled_loader(model, loader, loss_fn, optimizer):
    model.train()
    for X_batch, y_batch in DataLoader(loader.dataset, batch_size=loader.batch_size):
        loss = loss_fn(model(X_batch), y_batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def two_steps_per_batch(model, loader, loss_fn, optimizer):
    model.train()
    for X_batch, y_batch in loader:
        loss = loss_fn(model(X_batch), y_batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        optimizer.step()


def zero_between_backward_and_step(model, loader, loss_fn, optimizer):
    model.train()
    for X_batch, y_batch in loader:
        loss = loss_fn(model(X_batch), y_batch)
        loss.backward()
        optimizer.zero_grad()
        optimizer.step()


@pytest.mark.parametrize("answer", [batch_loop, batch_loop_zero_after_step, batch_loop_returning_the_epoch_loss])
def test_check_batch_loop_passes_every_right_loop(answer):
    result = check_batch_loop(answer)
    assert result, result
    assert result.message == ("2 epochs of 3 shuffled batches: 6 optimizer steps, and the parameters match the "
                              "five steps done on every batch")


@pytest.mark.parametrize(
    ("answer", "fragments"),
    [
        (no_zero_grad, ["optimizer.zero_grad() ran 0 times for 6 batches", "accumulated across batches"]),
        (zero_grad_once_per_epoch, ["optimizer.zero_grad() ran 2 times for 6 batches"]),
        (step_once_per_epoch, ["stepped the optimizer only 2 times", "inside the batch loop, once per batch"]),
        (whole_training_set, ["the model saw the whole training set at once"]),
        (no_train_mode, ["the forward pass ran in eval mode", "model.train()"]),
        (own_unshuffled_loader, ["the batches were not the loader's", "shuffled"]),
        (two_steps_per_batch, ["should make 6 optimizer steps (one per batch), yours made 12"]),
        (zero_between_backward_and_step, ["the parameters ended at", "run the five steps on every batch"]),
        (lambda model, loader, loss_fn, optimizer: None, ["the model was never called"]),
    ],
    ids=["no-zero-grad", "zero-once-per-epoch", "step-once-per-epoch", "whole-set", "no-train-mode",
         "own-loader", "two-steps", "zero-between", "does-nothing"],
)
def test_check_batch_loop_says_what_is_wrong(answer, fragments):
    assert_fails(check_batch_loop(answer), *fragments)


@pytest.mark.parametrize("check", [check_batch_loop, check_epoch_loss], ids=lambda c: c.__name__)
def test_checks_turn_unwritten_crashing_and_non_function_answers_into_messages(check):
    assert_fails(check(not_written), "not written yet")
    assert_fails(check(lambda *args: args[0].no_such_thing), "your code raised AttributeError")
    assert_fails(check(42), "expected a function, got int")


def weighted(batch_losses, batch_sizes):
    return sum(loss * size for loss, size in zip(batch_losses, batch_sizes, strict=True)) / sum(batch_sizes)


def weighted_with_tensors(batch_losses, batch_sizes):
    losses, sizes = torch.tensor(batch_losses), torch.tensor(batch_sizes, dtype=torch.float)
    return ((losses * sizes).sum() / sizes.sum()).item()


@pytest.mark.parametrize("answer", [weighted, weighted_with_tensors])
def test_check_epoch_loss_passes_the_weighted_mean(answer):
    result = check_epoch_loss(answer)
    assert result, result
    assert "0.4200 for batches of 16, 16 and 8" in result.message


@pytest.mark.parametrize(
    ("answer", "fragments"),
    [
        (lambda batch_losses, batch_sizes: sum(batch_losses) / len(batch_losses),
         ["you returned 0.5000, the plain mean of the batch losses", "expected 0.4200"]),
        (lambda batch_losses, batch_sizes: sum(loss * s for loss, s in zip(batch_losses, batch_sizes, strict=True)),
         ["the weighted sum: divide it by the number of samples"]),
        (lambda batch_losses, batch_sizes: sum(loss * s for loss, s in zip(batch_losses, batch_sizes, strict=True))
         / len(batch_losses), ["not by the number of batches"]),
        (lambda batch_losses, batch_sizes: sum(loss * batch_sizes[0] for loss in batch_losses) / sum(batch_sizes),
         ["expected 0.4200: sum(loss × size) / sum(sizes)"]),
        (lambda batch_losses, batch_sizes: sum(loss * s for loss, s in zip(batch_losses, batch_sizes, strict=True))
         / (batch_sizes[0] * len(batch_sizes)), ["not every batch holds 16 samples"]),
        (lambda batch_losses, batch_sizes: 0.42, ["returned 0.4200 again", "not from a number printed above"]),
        (lambda batch_losses, batch_sizes: torch.tensor(batch_losses), ["as one number (a float), got a tensor"]),
        (lambda batch_losses, batch_sizes: None, ["as one number (a float), got NoneType"]),
    ],
    ids=["plain-mean", "weighted-sum", "by-batches", "first-size", "same-size", "typed-in", "tensor", "none"],
)
def test_check_epoch_loss_says_what_is_wrong(answer, fragments):
    assert_fails(check_epoch_loss(answer), *fragments)


def batch_loop_moving_batches_to_the_device(model, loader, loss_fn, optimizer):
    """The notebook's style: every batch moved with .to(device), device = get_device()."""
    device = get_device()
    model.train()
    for X_batch, y_batch in loader:
        X_batch, y_batch = X_batch.to(device), y_batch.to(device)
        loss = loss_fn(model(X_batch), y_batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def test_check_batch_loop_passes_with_or_without_to_device():
    result = check_batch_loop(batch_loop_moving_batches_to_the_device)
    assert result, result


def test_check_batch_loop_puts_model_and_batches_on_get_device():
    seen = []

    def recording_loop(model, loader, loss_fn, optimizer):
        model.train()
        for X_batch, y_batch in loader:
            seen.append((next(model.parameters()).device.type, X_batch.device.type, y_batch.device.type))
            loss = loss_fn(model(X_batch), y_batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    assert check_batch_loop(recording_loop)
    assert set(seen) == {(get_device().type,) * 3}
