"""plot_predictions and plot_loss_curves draw what they say and accept awkward tensors."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch
from torch import nn

from optloop_helpers import LinearRegressionModel, fit, make_line_data, plot_loss_curves, plot_predictions


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_plot_predictions_draws_train_test_and_predictions():
    data = make_line_data()
    model = LinearRegressionModel()
    predictions = model(data.X_test)  # requires grad: must still plot
    ax = plot_predictions(data, predictions)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Training data", "Testing data", "Predictions"]
    offsets = ax.collections[2].get_offsets()
    assert offsets.shape == (10, 2)
    assert list(offsets[:, 1]) == pytest.approx(predictions.detach().squeeze().tolist())


def test_plot_predictions_uses_the_given_axes_and_never_shows(monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plot_predictions must not call plt.show()"))
    _, ax = plt.subplots()
    assert plot_predictions(make_line_data(), ax=ax) is ax


def test_plot_loss_curves_draws_the_history():
    torch.manual_seed(42)
    model = LinearRegressionModel()
    history = fit(model, make_line_data(), nn.L1Loss(), torch.optim.SGD(model.parameters(), lr=0.01), 100)
    ax = plot_loss_curves(history, log_scale=True)
    train_line, test_line = ax.get_lines()
    assert list(train_line.get_xdata()) == [0, 20, 40, 60, 80]
    assert list(test_line.get_ydata()) == history.test_loss
    assert ax.get_yscale() == "log"


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: plot_predictions("data"), TypeError, "data must have X_train, y_train, X_test and y_test (e.g. make_line_data()), got str"),
        (lambda: plot_predictions(make_line_data(), [1, 2]), TypeError, "predictions must be a torch.Tensor, got list"),
        (
            lambda: plot_predictions(make_line_data(), torch.zeros(10)),
            ValueError,
            "predictions must have the shape of data.y_test (10, 1), got (10,)",
        ),
        (lambda: plot_loss_curves({"loss": [1]}), TypeError, "history must be a History returned by fit(), got dict"),
    ],
)
def test_plot_functions_reject_bad_input(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
