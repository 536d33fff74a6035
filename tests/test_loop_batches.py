"""fit(batch_size=...): mini-batches exactly as a DataLoader loop gives them, the weighted epoch loss, bad input.

batch_size=None is the full batch, bit for bit the article's loop (tests/test_loop.py, left as it was).
"""

import math

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from optloop_helpers import LinearRegressionModel, fit, make_line_data
from optloop_helpers.batches import check_batch_size, check_generator, shuffled_batches
from optloop_helpers.loop import _train_epoch, _train_step


def seeded_parts(lr=0.01, optimizer=torch.optim.SGD):
    torch.manual_seed(42)
    model = LinearRegressionModel()
    return model, make_line_data(), nn.L1Loss(), optimizer(model.parameters(), lr=lr)


def dataloader_loop(batch_size, seed, epochs, optimizer=torch.optim.SGD, lr=0.01, generator=True):
    """The mini-batch loop written by hand over a DataLoader: the five steps once per batch, the weighted loss."""
    model, data, loss_fn, opt = seeded_parts(lr, optimizer)
    g = torch.Generator().manual_seed(seed) if generator else None
    loader = DataLoader(TensorDataset(data.X_train, data.y_train), batch_size=batch_size, shuffle=True, generator=g)
    epoch_losses, steps = [], 0
    for _ in range(epochs):
        total = 0.0
        for X, y in loader:
            model.train()
            y_pred = model(X)  # 1. Forward pass
            loss = loss_fn(y_pred, y)  # 2. Calculate the loss
            opt.zero_grad()  # 3. Zero the gradients
            loss.backward()  # 4. Backpropagation
            opt.step()  # 5. Step the optimizer
            total += loss.item() * len(X)
            steps += 1
        epoch_losses.append(total / len(loader.dataset))
    return epoch_losses, model.weights.item(), model.bias.item(), steps


def count_steps(optimizer):
    counter = [0]
    optimizer.register_step_post_hook(lambda *_: counter.__setitem__(0, counter[0] + 1))
    return counter


@pytest.mark.parametrize("batch_size", [1, 7, 8, 13, 40])
def test_fit_with_batches_matches_a_dataloader_loop_bit_for_bit(batch_size):
    epochs = 12
    losses, weight, bias, steps = dataloader_loop(batch_size, seed=3, epochs=epochs)
    model, data, loss_fn, optimizer = seeded_parts()
    history = fit(model, data, loss_fn, optimizer, epochs=epochs, eval_every=1, batch_size=batch_size,
                  generator=torch.Generator().manual_seed(3))
    assert history.train_loss_by_epoch == losses  # exact equality
    assert (model.weights.item(), model.bias.item()) == (weight, bias)
    assert steps == epochs * math.ceil(40 / batch_size)


def test_fit_with_batches_and_no_generator_follows_torch_manual_seed_like_a_dataloader():
    losses, weight, bias, _ = dataloader_loop(8, seed=0, epochs=5, generator=False)
    model, data, loss_fn, optimizer = seeded_parts()  # seeds 42, as dataloader_loop did
    history = fit(model, data, loss_fn, optimizer, epochs=5, batch_size=8)
    assert history.train_loss_by_epoch == losses
    assert (model.weights.item(), model.bias.item()) == (weight, bias)


def test_momentum_and_adam_keep_their_state_across_batches_as_in_the_dataloader_loop():
    for optimizer in (torch.optim.Adam, torch.optim.RMSprop):
        losses, weight, bias, _ = dataloader_loop(6, seed=11, epochs=4, optimizer=optimizer)
        model, data, loss_fn, opt = seeded_parts(optimizer=optimizer)
        history = fit(model, data, loss_fn, opt, epochs=4, batch_size=6, generator=torch.Generator().manual_seed(11))
        assert history.train_loss_by_epoch == losses
        assert (model.weights.item(), model.bias.item()) == (weight, bias)


@pytest.mark.parametrize(("batch_size", "epochs"), [(None, 30), (1, 3), (8, 10), (7, 10), (40, 10)])
def test_fit_runs_epochs_times_ceil_n_over_batch_size_optimizer_steps(batch_size, epochs):
    model, data, loss_fn, optimizer = seeded_parts()
    steps = count_steps(optimizer)
    history = fit(model, data, loss_fn, optimizer, epochs=epochs, batch_size=batch_size,
                  generator=torch.Generator().manual_seed(0))
    assert history.epochs_run == epochs
    assert steps[0] == epochs * math.ceil(40 / (batch_size or 40))


def test_the_epoch_loss_is_the_batch_losses_weighted_by_batch_size():
    model, data, loss_fn, optimizer = seeded_parts()
    batches = shuffled_batches(40, 16, torch.Generator().manual_seed(5))  # 16, 16 and a last batch of 8
    assert [len(b) for b in batches] == [16, 16, 8]
    losses = []
    for index in batches:
        losses.append(_train_step(model, data.X_train[index], data.y_train[index], loss_fn, optimizer))
    weighted = (losses[0] * 16 + losses[1] * 16 + losses[2] * 8) / 40
    model, data, loss_fn, optimizer = seeded_parts()
    got = _train_epoch(model, data.X_train, data.y_train, loss_fn, optimizer, 16, torch.Generator().manual_seed(5))
    assert got == weighted
    assert got != sum(losses) / 3, "the unweighted mean gives the small last batch too much weight"


def test_train_epoch_without_a_batch_size_is_one_full_batch_train_step():
    model, data, loss_fn, optimizer = seeded_parts()
    one = _train_epoch(model, data.X_train, data.y_train, loss_fn, optimizer)
    after = (model.weights.item(), model.bias.item())
    model, data, loss_fn, optimizer = seeded_parts()
    assert one == _train_step(model, data.X_train, data.y_train, loss_fn, optimizer)
    assert after == (model.weights.item(), model.bias.item())


def test_epochs_continued_one_by_one_repeat_a_whole_run():
    """The playground's run cache continues a run epoch by epoch with _train_epoch and the same generator."""
    model, data, loss_fn, optimizer = seeded_parts()
    history = fit(model, data, loss_fn, optimizer, epochs=6, batch_size=8, generator=torch.Generator().manual_seed(1))
    model, data, loss_fn, optimizer = seeded_parts()
    generator = torch.Generator().manual_seed(1)
    losses = [_train_epoch(model, data.X_train, data.y_train, loss_fn, optimizer, 8, generator) for _ in range(6)]
    assert losses == history.train_loss_by_epoch
    assert model.weights.item() == history.final_params["weights"].item()


def test_a_diverging_mini_batch_run_is_recorded_instead_of_raising():
    model, data, loss_fn, optimizer = seeded_parts(lr=1e30)
    history = fit(model, data, nn.MSELoss(), optimizer, epochs=50, batch_size=4, generator=torch.Generator())
    assert history.diverged and history.final_train_loss is None
    assert not math.isfinite(history.train_loss_by_epoch[-1]) or not math.isfinite(history.diverged_loss)


def test_the_batches_cover_every_sample_once_per_epoch_and_the_last_is_smaller():
    batches = shuffled_batches(40, 16, torch.Generator().manual_seed(0))
    assert sorted(torch.cat(batches).tolist()) == list(range(40))
    assert [len(b) for b in batches] == [16, 16, 8]


@pytest.mark.parametrize(
    ("batch_size", "error", "message"),
    [
        (0, ValueError, "batch_size must be None (the full batch) or an integer between 1 and 40 (the number of "
                        "training samples), got 0"),
        (41, ValueError, "an integer between 1 and 40 (the number of training samples), got 41"),
        (8.0, TypeError, "got 8.0 of type float"),
        (True, TypeError, "got True of type bool"),
        ("8", TypeError, "got '8' of type str"),
    ],
)
def test_fit_rejects_a_bad_batch_size(batch_size, error, message):
    model, data, loss_fn, optimizer = seeded_parts()
    with pytest.raises(error) as info:
        fit(model, data, loss_fn, optimizer, epochs=2, batch_size=batch_size)
    assert message in str(info.value)


@pytest.mark.parametrize("generator", [42, "seed", torch.manual_seed])
def test_fit_rejects_a_generator_that_is_not_a_torch_generator(generator):
    model, data, loss_fn, optimizer = seeded_parts()
    with pytest.raises(TypeError, match=r"generator must be a torch.Generator \(e.g. torch.Generator\(\).manual_seed"):
        fit(model, data, loss_fn, optimizer, epochs=2, batch_size=8, generator=generator)


def test_the_argument_checks_return_what_they_accept():
    assert check_batch_size(None, 40) is None and check_batch_size(40, 40) == 40
    generator = torch.Generator()
    assert check_generator(generator) is generator and check_generator(None) is None
