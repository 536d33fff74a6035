"""The data sets: make_line_data and LineData (the line, noise, splits, device moves), and beyond the line
make_curve_data, make_classification_data and SplitData: shapes, seeding, splits, bad input."""

import pytest
import torch

from optloop_helpers.data import (
    LineData,
    SplitData,
    make_classification_data,
    make_curve_data,
    make_line_data,
)


def test_defaults_give_the_classic_line():
    data = make_line_data()
    assert (len(data.X_train), len(data.X_test)) == (40, 10)
    expected_X = torch.arange(0, 1, 0.02).unsqueeze(1)
    assert torch.equal(torch.cat([data.X_train, data.X_test]), expected_X)
    assert torch.equal(data.y_train, 0.7 * expected_X[:40] + 0.3)
    assert (data.weight, data.bias) == (0.7, 0.3)


def test_tensors_are_float32_columns():
    data = make_line_data()
    for tensor in (data.X_train, data.y_train, data.X_test, data.y_test):
        assert tensor.dtype == torch.float32
        assert tensor.ndim == 2 and tensor.shape[1] == 1


def test_split_is_sequential_and_follows_train_fraction():
    data = make_line_data(train_fraction=0.5)
    assert len(data.X_train) == 25
    assert data.X_train.max() < data.X_test.min()


def test_noise_is_reproducible_with_a_seed_and_absent_by_default():
    a = make_line_data(noise_std=0.1, seed=3)
    b = make_line_data(noise_std=0.1, seed=3)
    c = make_line_data(noise_std=0.1, seed=4)
    assert torch.equal(a.y_train, b.y_train)
    assert not torch.equal(a.y_train, c.y_train)
    clean = make_line_data()
    residual = a.y_train - clean.y_train
    assert 0.03 < residual.std().item() < 0.2


def test_custom_line():
    data = make_line_data(weight=-2, bias=1, start=-1, end=1, step=0.1)
    assert torch.allclose(data.y_test, -2 * data.X_test + 1)


def test_to_device_returns_a_moved_copy():
    data = make_line_data()
    moved = data.to("cpu")
    assert isinstance(moved, LineData)
    assert moved.device == torch.device("cpu")
    assert (moved.weight, moved.bias) == (data.weight, data.bias)


def test_repr_is_friendly():
    assert repr(make_line_data()) == "LineData(weight=0.7, bias=0.3, train=40 points, test=10 points, device=cpu)"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"step": 0}, ValueError, "step must be > 0, got 0"),
        ({"step": -0.1}, ValueError, "step must be > 0, got -0.1"),
        ({"start": 1.0, "end": 0.5}, ValueError, "end must be greater than start, got start=1.0 and end=0.5"),
        ({"start": 1.0, "end": 1.0}, ValueError, "end must be greater than start"),
        ({"train_fraction": 0}, ValueError, "train_fraction must be strictly between 0 and 1, got 0"),
        ({"train_fraction": 1.5}, ValueError, "train_fraction must be strictly between 0 and 1, got 1.5"),
        ({"train_fraction": 0.99}, ValueError, "splits 50 points into 49 train and 1 test"),
        ({"train_fraction": 0.02}, ValueError, "splits 50 points into 1 train and 49 test"),
        ({"noise_std": -1}, ValueError, "noise_std must be >= 0, got -1"),
        ({"weight": "0.7"}, TypeError, "weight must be a number (int or float), got '0.7' of type str"),
        ({"bias": None}, TypeError, "bias must be a number (int or float), got None"),
        ({"weight": float("nan")}, ValueError, "weight must be a finite number, got nan"),
        ({"step": True}, TypeError, "step must be a number (int or float), got True of type bool"),
        ({"seed": -1, "noise_std": 0.1}, ValueError, "seed must be an integer >= 0, got -1"),
        ({"seed": 1.5}, TypeError, "seed must be an integer, got 1.5 of type float"),
    ],
)
def test_bad_arguments_are_named_in_the_error(kwargs, error, message):
    with pytest.raises(error) as info:
        make_line_data(**kwargs)
    assert message in str(info.value)


def test_validation_split_holds_back_the_end_of_the_training_set_and_never_the_test_set():
    data = make_line_data()
    tuning = data.validation_split()
    assert (len(tuning.X_train), len(tuning.X_test)) == (32, 8)
    assert torch.equal(torch.cat([tuning.X_train, tuning.X_test]), data.X_train)
    assert torch.equal(torch.cat([tuning.y_train, tuning.y_test]), data.y_train)
    assert tuning.held_out == "validation" and "validation=8 points" in repr(tuning)
    assert tuning.to("cpu").held_out == "validation"
    assert not any(torch.isin(tuning.X_test, data.X_test))


@pytest.mark.parametrize(
    ("fraction", "error", "message"),
    [(0.0, ValueError, "fraction must be strictly between 0 and 1, got 0.0"),
     ("0.2", TypeError, "fraction must be a number"),
     (0.01, ValueError, "holds back 0 of 40 training points")],
)
def test_validation_split_rejects_bad_fractions(fraction, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        make_line_data().validation_split(fraction)


# -- beyond the line ------------------------------------------------------------------------------

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
