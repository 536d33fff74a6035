"""train_step, test_step and fit: right answers, the article's loop bit for bit, divergence, bad input."""

import math

import pytest
import torch
from torch import nn

from optloop_helpers import History, LinearRegressionModel, fit, make_line_data, test_step, train_step


def article_loop(epochs: int = 300):
    """The plain optimization loop, written out as in the article (test pass every epoch, recorded every 20)."""
    torch.manual_seed(42)
    model = LinearRegressionModel()
    loss_fn = nn.L1Loss()
    optimizer = torch.optim.SGD(params=model.parameters(), lr=0.01)
    data = make_line_data()
    epoch_count, train_loss_values, test_loss_values, weights = [], [], [], []
    for epoch in range(epochs):
        model.train()
        y_pred = model(data.X_train)
        loss = loss_fn(y_pred, data.y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        model.eval()
        with torch.inference_mode():
            test_pred = model(data.X_test)
            test_loss = loss_fn(test_pred, data.y_test.type(torch.float))
            if epoch % 20 == 0:
                epoch_count.append(epoch)
                train_loss_values.append(loss.detach().numpy())
                test_loss_values.append(test_loss.detach().numpy())
                weights.append(model.weights.item())
    return epoch_count, train_loss_values, test_loss_values, weights


def fit_like_the_article(**kwargs) -> History:
    torch.manual_seed(42)
    model = LinearRegressionModel()
    optimizer = torch.optim.SGD(params=model.parameters(), lr=0.01)
    return fit(model, make_line_data(), nn.L1Loss(), optimizer, epochs=300, eval_every=20, **kwargs)


def test_fit_reproduces_the_article_loop_bit_for_bit():
    epochs, train, test, weights = article_loop()
    history = fit_like_the_article()
    assert history.epochs == epochs == list(range(0, 300, 20))
    assert history.train_loss == [float(v) for v in train]  # exact equality, not approx
    assert history.test_loss == [float(v) for v in test]
    assert history.param("weights") == weights
    assert not history.diverged and history.epochs_run == 300


def test_the_final_numbers_are_those_of_the_final_parameters():
    """'The final loss' has one meaning: the model after the last epoch, measured once more (not epoch 280's)."""
    torch.manual_seed(42)
    model = LinearRegressionModel()
    data = make_line_data()
    history = fit(model, data, nn.L1Loss(), torch.optim.SGD(model.parameters(), lr=0.01), epochs=300)
    model.eval()
    with torch.inference_mode():
        assert history.final_train_loss == nn.L1Loss()(model(data.X_train), data.y_train).item()
        assert history.final_test_loss == nn.L1Loss()(model(data.X_test), data.y_test).item()
    assert {name: p.item() for name, p in history.final_params.items()} == {
        "weights": model.weights.item(), "bias": model.bias.item()}
    assert history.epochs[-1] == 280 and history.epochs_run == 300
    # the loss recorded in epoch 299's forward pass (before its step) is the other point L1 + SGD hops between
    assert round(history.final_train_loss, 4) == 0.0089
    assert "final |     0.0089 |     0.0084" in history.table()


def test_a_run_stopped_by_its_callback_measures_where_it_stopped():
    torch.manual_seed(42)
    model = LinearRegressionModel()
    data = make_line_data()
    history = fit(model, data, nn.L1Loss(), torch.optim.SGD(model.parameters(), lr=0.01), epochs=300,
                  callback=lambda progress: progress.epoch < 40)
    assert history.epochs_run == 41
    assert history.final_test_loss == test_step(model, data.X_test, data.y_test, nn.L1Loss())


def test_a_diverged_run_has_no_final_numbers():
    torch.manual_seed(42)
    model = LinearRegressionModel()
    history = fit(model, make_line_data(), nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=10.0), epochs=100)
    assert history.diverged
    assert history.final_train_loss is history.final_test_loss is history.final_params is None
    assert "final" not in history.table()


def test_fit_learns_the_line():
    history = fit_like_the_article()
    assert abs(history.param("weights")[-1] - 0.7) < 0.01
    assert abs(history.param("bias")[-1] - 0.3) < 0.01
    assert history.test_loss[-1] < 0.01


def test_train_step_runs_the_five_steps_in_order():
    calls = []

    class Spy(torch.optim.SGD):
        def zero_grad(self, set_to_none=True):
            calls.append("zero_grad")
            super().zero_grad(set_to_none)

        def step(self, closure=None):
            calls.append("step")
            return super().step(closure)

    class SpyModel(LinearRegressionModel):
        def forward(self, x):
            calls.append("forward")
            return super().forward(x)

    def loss_fn(pred, y):
        calls.append("loss")
        loss = nn.functional.l1_loss(pred, y)
        loss.register_hook(lambda grad: calls.append("backward"))
        return loss

    model = SpyModel()
    data = make_line_data()
    loss = train_step(model, data.X_train, data.y_train, loss_fn, Spy(model.parameters(), lr=0.1))
    assert calls == ["forward", "loss", "zero_grad", "backward", "step"]
    assert isinstance(loss, float) and model.training


def test_train_step_does_not_accumulate_gradients():
    torch.manual_seed(0)
    model, data = LinearRegressionModel(), make_line_data()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)  # lr 0: parameters stay, gradients are visible
    train_step(model, data.X_train, data.y_train, nn.MSELoss(), optimizer)
    first = model.weights.grad.clone()
    train_step(model, data.X_train, data.y_train, nn.MSELoss(), optimizer)
    assert torch.equal(model.weights.grad, first)


def test_test_step_uses_eval_and_inference_mode():
    seen = {}

    class Probe(LinearRegressionModel):
        def forward(self, x):
            seen["training"] = self.training
            seen["inference"] = torch.is_inference_mode_enabled()
            return super().forward(x)

    data = make_line_data()
    loss = test_step(Probe(), data.X_test, data.y_test, nn.L1Loss())
    assert seen == {"training": False, "inference": True}
    assert isinstance(loss, float)


def test_callback_sees_progress_and_can_stop():
    seen = []

    def callback(progress):
        seen.append((progress.epoch, progress.epochs, progress.test_loss == progress.history.test_loss[-1]))
        return progress.epoch < 40 or False

    history = fit_like_the_article(callback=callback)
    assert seen == [(0, 300, True), (20, 300, True), (40, 300, True)]
    assert history.epochs == [0, 20, 40] and history.epochs_run == 41


def test_divergence_stops_and_is_recorded_instead_of_raising():
    torch.manual_seed(42)
    model = LinearRegressionModel()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e20)
    history = fit(model, make_line_data(), nn.MSELoss(), optimizer, epochs=500, eval_every=1)
    assert history.diverged
    assert history.epochs_run <= history.diverged_epoch + 1 < 500
    assert not math.isfinite(history.diverged_loss)
    assert f"diverged at epoch {history.diverged_epoch}" in history.divergence_message()
    assert "try a smaller learning rate" in history.table()


@pytest.mark.parametrize("lr", [1.0, 3.0, 10.0])
def test_the_divergence_epoch_does_not_depend_on_how_often_the_run_is_tested(lr):
    epochs = set()
    for eval_every in (1, 6, 20):
        torch.manual_seed(42)
        model = LinearRegressionModel()
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        history = fit(model, make_line_data(), nn.MSELoss(), optimizer, epochs=400, eval_every=eval_every)
        epochs.add(history.diverged_epoch)
    assert len(epochs) == 1 and None not in epochs


def test_fit_moves_model_and_data_to_the_device():
    torch.manual_seed(42)
    model = LinearRegressionModel()
    history = fit(model, make_line_data(), nn.L1Loss(), torch.optim.SGD(model.parameters(), lr=0.01), 5, device="cpu")
    assert history.epochs == [0]


def test_history_table_is_rounded_to_four_places():
    table = fit_like_the_article().table().splitlines()
    assert table[0] == "epoch | train loss |  test loss"
    assert table[1] == "    0 |     0.3129 |     0.4811"
    assert table[-2] == "  280 |     0.0089 |     0.0050"
    assert table[-1] == "final |     0.0089 |     0.0084"


def test_history_param_names_the_allowed_names():
    with pytest.raises(KeyError, match=r"name must be one of \['bias', 'weights'\], got 'slope'"):
        fit_like_the_article().param("slope")


# --- bad input -----------------------------------------------------------------------------------

def _parts():
    model = LinearRegressionModel()
    return model, make_line_data(), nn.L1Loss(), torch.optim.SGD(model.parameters(), lr=0.01)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"epochs": 0}, ValueError, "epochs must be an integer >= 1, got 0"),
        ({"epochs": 2.5}, TypeError, "epochs must be an integer, got 2.5 of type float"),
        ({"eval_every": 0}, ValueError, "eval_every must be an integer >= 1, got 0"),
        ({"model": nn.Identity()}, ValueError, "model must have at least one parameter to learn, got Identity"),
        ({"model": "model"}, TypeError, "model must be a torch.nn.Module, got str"),
        ({"data": [1, 2, 3]}, TypeError, "data must have X_train, y_train, X_test and y_test"),
        ({"loss_fn": "L1"}, TypeError, "loss_fn must be callable (e.g. nn.L1Loss()), got 'L1'"),
        ({"optimizer": "sgd"}, TypeError, "optimizer must be a torch.optim.Optimizer (e.g. torch.optim.SGD), got str"),
        ({"callback": 5}, TypeError, "callback must be callable"),
    ],
)
def test_fit_rejects_bad_arguments(change, error, message):
    model, data, loss_fn, optimizer = _parts()
    kwargs = {"model": model, "data": data, "loss_fn": loss_fn, "optimizer": optimizer, "epochs": 10, **change}
    with pytest.raises(error) as info:
        fit(**kwargs)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("X", "y", "error", "message"),
    [
        ([[0.0]], torch.zeros(1, 1), TypeError, "X must be a torch.Tensor, got list"),
        (torch.zeros(3, 1), None, TypeError, "y must be a torch.Tensor, got NoneType"),
        (torch.zeros(3, 1), torch.zeros(2, 1), ValueError, "X and y must hold the same number of samples, got 3 and 2"),
        (torch.zeros(0, 1), torch.zeros(0, 1), ValueError, "X must not be empty, got shape (0, 1)"),
        (torch.zeros(3, 1), torch.zeros(3), ValueError, "the model's output has shape (3, 1) but y has shape (3,)"),
    ],
)
def test_steps_reject_bad_batches(X, y, error, message):
    model, _, loss_fn, optimizer = _parts()
    with pytest.raises(error) as info:
        train_step(model, X, y, loss_fn, optimizer)
    assert message in str(info.value)
    with pytest.raises(error) as info:
        test_step(model, X, y, loss_fn)
    assert message in str(info.value)


def test_train_loss_by_epoch_holds_every_epoch_and_agrees_with_the_checkpoints():
    history = fit_like_the_article()
    assert len(history.train_loss_by_epoch) == history.epochs_run == 300
    assert [history.train_loss_by_epoch[e] for e in history.epochs] == history.train_loss


def _diverge(lr: float, eval_every: int):
    torch.manual_seed(42)
    model = LinearRegressionModel()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    return fit(model, make_line_data(), nn.MSELoss(), optimizer, epochs=500, eval_every=eval_every)


def test_train_loss_by_epoch_ends_at_the_first_non_finite_training_loss():
    history = _diverge(lr=10.0, eval_every=1000)  # tested at epoch 0 only: the training loss breaks first
    losses = history.train_loss_by_epoch
    assert len(losses) == history.epochs_run and history.diverged_epoch == history.epochs_run - 1
    assert not math.isfinite(losses[-1]) and all(math.isfinite(v) for v in losses[:-1])
    assert losses[-1] == history.diverged_loss or math.isnan(losses[-1])


def test_train_loss_by_epoch_ends_at_the_last_finite_training_loss_when_the_test_loss_broke_first():
    history = _diverge(lr=1e20, eval_every=1)  # the first step already breaks the test loss
    losses = history.train_loss_by_epoch
    assert not math.isfinite(history.test_loss[-1])  # the test loss broke first
    assert len(losses) == history.epochs_run and all(math.isfinite(v) for v in losses)
    assert losses[-1] == history.train_loss[-1]
