"""The step explorer: where ONE optimizer step from the seeded start lands, drawn on its two-panel view."""

import matplotlib

matplotlib.use("Agg")

import pytest
import torch
from torch import nn

from optloop_helpers import LinearRegressionModel, make_line_data, step_explorer


def one_step(lr, loss_fn=None):
    data = make_line_data()
    torch.manual_seed(42)
    model = LinearRegressionModel()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss = (loss_fn or nn.L1Loss())(model(data.X_train), data.y_train)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return model.weights.item(), model.bias.item()


@pytest.mark.parametrize("lr", [0.0001, 0.01, 0.5, 10.0])
def test_step_explorer_shows_where_one_step_lands(lr):
    explorer = step_explorer(lr=0.002)
    explorer.controls["lr"].value = lr  # a change: the step is taken and drawn at once (no event loop here)
    weights, bias = one_step(lr)
    assert explorer.history.param("weights") == [weights]
    assert explorer.history.param("bias") == [bias]
    view = explorer.view
    assert list(view.after_line.get_ydata()) == pytest.approx([bias, weights + bias])
    assert view.arrow.U[0] == pytest.approx(weights - 0.3367, abs=1e-4)
    assert view.arrow.V[0] == pytest.approx(bias - 0.1288, abs=1e-4)
    assert list(view.end.get_xdata()) == [weights]
    assert view.headline.get_text().startswith(f"learning rate {lr:.4g}: weights 0.3367 -> {weights:.4f}")
    assert ("jumps off the map" in view.headline.get_text()) == (lr == 10.0)
    assert explorer.error is None


def test_step_explorer_with_mse_and_run_returns_the_history():
    explorer = step_explorer(loss="mse")
    history = explorer.run()
    assert history is explorer.history and history.epochs_run == 1
    assert history.param("weights") == [one_step(0.01, nn.MSELoss())[0]]
    assert "optloop-step-explorer" in explorer.box._dom_classes
    assert "optloop-control-lr" in explorer.controls["lr"]._dom_classes


def test_step_explorer_lr_slider_is_bounded():
    explorer = step_explorer()
    explorer.controls["lr"].value = 1000
    assert explorer.controls["lr"].value == 10
    explorer.controls["lr"].value = 1e-12
    assert explorer.controls["lr"].value == pytest.approx(1e-4)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"loss": "huber"}, ValueError, "loss must be one of 'l1', 'mse', got 'huber'"),
        ({"data": "points"}, TypeError, "data must have X_train, y_train, weight and bias (e.g. make_line_data()), got str without X_train"),
        ({"lr": 0}, ValueError, "lr must be between 0.0001 and 10, got 0"),
    ],
)
def test_step_explorer_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error) as info:
        step_explorer(**kwargs)
    assert message in str(info.value)


def test_a_failing_step_is_a_message_not_an_exception(monkeypatch):
    explorer = step_explorer()
    monkeypatch.setattr(explorer.view, "draw_step", lambda *a: (_ for _ in ()).throw(ValueError("no picture")))
    explorer.controls["lr"].value = 0.1
    assert explorer.view.headline.get_text() == "something went wrong: ValueError: no picture"


def test_the_step_goes_downhill_along_minus_the_gradient():
    explorer = step_explorer(lr=0.5)
    explorer.run()
    dw, db = explorer.view.downhill(explorer.start)
    # L1 at the seeded start: every prediction is too low, so the gradient is (-mean(X_train), -1)
    mean_x = make_line_data().X_train.mean().item()
    norm = (mean_x**2 + 1) ** 0.5
    assert (dw, db) == pytest.approx((mean_x / norm, 1 / norm))
    step = (explorer.history.param("weights")[0] - 0.3367, explorer.history.param("bias")[0] - 0.1288)
    assert step[0] / step[1] == pytest.approx(dw / db, rel=1e-3)  # the step is along that direction
