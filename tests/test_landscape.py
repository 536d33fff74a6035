"""The loss landscape grid is the training loss at every (weights, bias) pair."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch
from torch import nn

from optloop_helpers import make_line_data, plot_loss_landscape
from optloop_helpers.landscape import loss_landscape


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize(("loss", "loss_fn"), [("l1", nn.L1Loss()), ("mse", nn.MSELoss())])
def test_grid_values_are_the_training_loss(loss, loss_fn):
    data = make_line_data(noise_std=0.05, seed=3)
    grid = loss_landscape(data, loss, steps=11)
    for i, j in [(0, 0), (3, 7), (10, 10)]:
        w, b = float(grid.weights[j]), float(grid.bias[i])
        expected = loss_fn(w * data.X_train + b, data.y_train).item()
        assert grid.loss[i, j] == pytest.approx(expected, rel=1e-5)


def test_grid_covers_the_true_parameters_and_the_included_points():
    grid = loss_landscape(make_line_data(), include=((-2.0, 3.0),), margin=0.5)
    assert grid.weights[0] == pytest.approx(-2.5) and grid.weights[-1] == pytest.approx(1.2)
    assert grid.bias[0] == pytest.approx(-0.2) and grid.bias[-1] == pytest.approx(3.5)


def test_plot_loss_landscape_draws_the_path_and_the_true_star():
    path = [(0.3367, 0.1288), (0.5, 0.2), (0.69, 0.31)]
    ax = plot_loss_landscape(make_line_data(), loss="mse", path=path)
    star, drawn = ax.get_lines()
    assert star.get_marker() == "*" and list(star.get_xdata()) == [0.7]
    assert list(zip(drawn.get_xdata(), drawn.get_ydata(), strict=True)) == path
    assert ax.get_title() == "Training loss (MSE) over weights and bias"


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: loss_landscape("data"), TypeError, "data must have X_train, y_train, weight and bias (e.g. make_line_data()), got str without X_train"),
        (lambda: loss_landscape(make_line_data(), "huber"), ValueError, "loss must be one of 'l1', 'mse', got 'huber'"),
        (lambda: loss_landscape(make_line_data(), steps=1), ValueError, "steps must be an integer between 2 and 400, got 1"),
        (lambda: plot_loss_landscape(make_line_data(), path=[(1,)]), ValueError, "not enough values to unpack"),
    ],
)
def test_landscape_rejects_bad_input(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


def test_grid_is_float_and_finite():
    grid = loss_landscape(make_line_data(), steps=5)
    assert torch.isfinite(torch.as_tensor(grid.loss)).all()
