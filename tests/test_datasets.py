"""make_curve_data, make_classification_data and SplitData: shapes, seeding, splits, bad input."""

import pytest
import torch

from optloop_helpers.datasets import SplitData, make_classification_data, make_curve_data


def test_sine_curve_shapes_and_values():
    data = make_curve_data(noise_std=0.0)
    assert isinstance(data, SplitData)
    assert data.X_train.shape == (80, 1) and data.X_test.shape == (20, 1)
    assert torch.allclose(data.y_train, torch.sin(data.X_train))
    assert data.X_train.min() >= -3 and data.X_train.max() <= 3


def test_parabola_values():
    data = make_curve_data("parabola", noise_std=0.0)
    assert torch.allclose(data.y_test, data.X_test**2)


def test_curve_split_is_shuffled_and_covers_all_points():
    data = make_curve_data(noise_std=0.0)
    X = torch.cat([data.X_train, data.X_test]).flatten().sort().values
    assert torch.allclose(X, torch.linspace(-3, 3, 100))
    # test points are spread out, not the last 20 % of the range
    assert data.X_test.min() < 0 < data.X_test.max()


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = make_curve_data(seed=1), make_curve_data(seed=1), make_curve_data(seed=2)
    assert torch.equal(a.y_train, b.y_train)
    assert not torch.equal(a.y_train, c.y_train)


def test_makers_leave_the_global_random_state_alone():
    torch.manual_seed(0)
    expected = torch.rand(1)
    torch.manual_seed(0)
    make_curve_data()
    make_classification_data()
    assert torch.equal(torch.rand(1), expected)


def test_classification_shapes_labels_and_balance():
    data = make_classification_data()
    assert data.X_train.shape == (160, 2) and data.y_train.shape == (160, 1)
    assert data.y_train.dtype == torch.float32
    y = torch.cat([data.y_train, data.y_test])
    assert set(y.flatten().tolist()) == {0.0, 1.0}
    assert y.sum().item() == 100


def test_classes_sit_around_their_centres():
    data = make_classification_data(n_samples=2000, distance=4.0, noise_std=0.1)
    X, y = data.X_train, data.y_train.flatten()
    assert torch.allclose(X[y == 1].mean(0), torch.tensor([2**0.5, -(2**0.5)]), atol=0.05)
    assert torch.allclose(X[y == 0].mean(0), torch.tensor([-(2**0.5), 2**0.5]), atol=0.05)


def test_repr_and_to():
    data = make_classification_data()
    assert repr(data) == "SplitData(name='two clouds', train=160 points, test=40 points, device=cpu)"
    moved = data.to("cpu")
    assert moved.device.type == "cpu" and torch.equal(moved.X_test, data.X_test)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"shape": "circle"}, ValueError, "shape must be one of 'sine', 'parabola', got 'circle'"),
        ({"n_samples": 5}, ValueError, "n_samples must be an integer >= 10, got 5"),
        ({"n_samples": 10.5}, TypeError, "n_samples must be an integer, got 10.5"),
        ({"train_fraction": 1.0}, ValueError, "train_fraction must be strictly between 0 and 1, got 1.0"),
        ({"noise_std": -0.1}, ValueError, "noise_std must be >= 0, got -0.1"),
        ({"seed": -1}, ValueError, "seed must be an integer >= 0, got -1"),
        ({"n_samples": 10, "train_fraction": 0.1}, ValueError, "splits 10 points into 1 train and 9 test"),
    ],
)
def test_curve_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        make_curve_data(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"distance": -1.0}, ValueError, "distance must be >= 0, got -1.0"),
        ({"distance": "far"}, TypeError, "distance must be a number (int or float), got 'far'"),
        ({"noise_std": float("nan")}, ValueError, "noise_std must be a finite number, got nan"),
    ],
)
def test_classification_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        make_classification_data(**kwargs)
