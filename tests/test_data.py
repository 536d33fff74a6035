"""make_line_data and LineData: the classic straight line, noise, splits and device moves."""

import pytest
import torch

from optloop_helpers import LineData, make_line_data


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
