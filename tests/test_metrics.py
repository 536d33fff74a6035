"""Regression and classification metrics: hand-computed values, the undefined cases, and bad input."""

import math

import pytest
import torch

import optloop_helpers
from optloop_helpers.metrics import (
    ConfusionCounts,
    accuracy,
    confusion_counts,
    f1_score,
    mae,
    mse,
    precision,
    r2_score,
    recall,
    rmse,
)

REGRESSION = [mae, mse, rmse, r2_score]
CLASSIFICATION = [accuracy, precision, recall, f1_score]
ALL = [*REGRESSION, confusion_counts, *CLASSIFICATION]


# Regression ----------------------------------------------------------------------------------------

# errors: -0.5, 0.0, 1.0, 1.0 (y_pred - y_true); mean of y_true = 4.25
Y_TRUE = torch.tensor([3.0, 5.0, 2.0, 7.0])
Y_PRED = torch.tensor([2.5, 5.0, 3.0, 8.0])


def test_mae_by_hand():
    assert mae(Y_TRUE, Y_PRED) == pytest.approx((0.5 + 0 + 1 + 1) / 4)


def test_mse_by_hand():
    assert mse(Y_TRUE, Y_PRED) == pytest.approx((0.25 + 0 + 1 + 1) / 4)


def test_rmse_by_hand():
    assert rmse(Y_TRUE, Y_PRED) == pytest.approx(math.sqrt(2.25 / 4))


def test_r2_by_hand():
    ss_tot = (3 - 4.25) ** 2 + (5 - 4.25) ** 2 + (2 - 4.25) ** 2 + (7 - 4.25) ** 2  # 14.75
    assert r2_score(Y_TRUE, Y_PRED) == pytest.approx(1 - 2.25 / ss_tot)


def test_regression_metrics_return_python_floats():
    for metric in REGRESSION:
        assert type(metric(Y_TRUE, Y_PRED)) is float, metric.__name__


def test_perfect_predictions():
    assert (mae(Y_TRUE, Y_TRUE), mse(Y_TRUE, Y_TRUE), rmse(Y_TRUE, Y_TRUE), r2_score(Y_TRUE, Y_TRUE)) == (
        0.0,
        0.0,
        0.0,
        1.0,
    )


def test_r2_of_predicting_the_mean_is_zero_and_worse_is_negative():
    assert r2_score(Y_TRUE, torch.full_like(Y_TRUE, 4.25)) == pytest.approx(0.0)
    assert r2_score(Y_TRUE, -Y_TRUE) < 0


def test_r2_with_constant_targets():
    y = torch.full((3,), 2.0)
    assert r2_score(y, y) == 1.0
    assert r2_score(y, y + 1) == 0.0


def test_regression_metrics_match_the_torch_losses():
    torch.manual_seed(0)
    y_true, y_pred = torch.randn(20, 1), torch.randn(20, 1)
    assert mae(y_true, y_pred) == pytest.approx(torch.nn.L1Loss()(y_pred, y_true).item(), rel=1e-6)
    assert mse(y_true, y_pred) == pytest.approx(torch.nn.MSELoss()(y_pred, y_true).item(), rel=1e-6)


def test_metrics_accept_tensors_that_require_grad():
    y_pred = Y_PRED.clone().requires_grad_(True)
    assert mae(Y_TRUE, y_pred) == pytest.approx(0.625)


def test_integer_tensors_work_for_regression():
    assert mae(torch.tensor([1, 2]), torch.tensor([2, 4])) == 1.5


# Classification ------------------------------------------------------------------------------------

# y_true: 1 1 1 1 0 0 0 0 0 0
# y_pred: 1 1 1 0 1 1 0 0 0 0  -> tp=3, fn=1, fp=2, tn=4
LABELS = torch.tensor([1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
PREDS = torch.tensor([1, 1, 1, 0, 1, 1, 0, 0, 0, 0])


def test_confusion_counts_by_hand():
    assert confusion_counts(LABELS, PREDS) == ConfusionCounts(tp=3, fp=2, fn=1, tn=4)


def test_classification_metrics_by_hand():
    assert accuracy(LABELS, PREDS) == pytest.approx(7 / 10)
    assert precision(LABELS, PREDS) == pytest.approx(3 / 5)
    assert recall(LABELS, PREDS) == pytest.approx(3 / 4)
    p, r = 3 / 5, 3 / 4
    assert f1_score(LABELS, PREDS) == pytest.approx(2 * p * r / (p + r))


def test_second_confusion_matrix_by_hand():
    # tp=1, fp=3, fn=2, tn=0
    y_true = torch.tensor([1, 1, 1, 0, 0, 0])
    y_pred = torch.tensor([1, 0, 0, 1, 1, 1])
    assert confusion_counts(y_true, y_pred) == (1, 3, 2, 0)
    assert accuracy(y_true, y_pred) == pytest.approx(1 / 6)
    assert precision(y_true, y_pred) == pytest.approx(1 / 4)
    assert recall(y_true, y_pred) == pytest.approx(1 / 3)
    assert f1_score(y_true, y_pred) == pytest.approx(2 / 7)


def test_swapping_arguments_swaps_precision_and_recall():
    assert precision(PREDS, LABELS) == recall(LABELS, PREDS)


def test_classification_metrics_are_floats_in_0_1():
    torch.manual_seed(1)
    for _ in range(20):
        y_true, y_pred = torch.randint(0, 2, (15,)), torch.randint(0, 2, (15,))
        for metric in CLASSIFICATION:
            value = metric(y_true, y_pred)
            assert type(value) is float and 0.0 <= value <= 1.0, metric.__name__


def test_all_right():
    for metric in CLASSIFICATION:
        assert metric(LABELS, LABELS) == 1.0, metric.__name__


def test_all_wrong():
    for metric in CLASSIFICATION:
        assert metric(LABELS, 1 - LABELS) == 0.0, metric.__name__


def test_no_predicted_positives_gives_zero_precision_and_f1():
    y_pred = torch.zeros(10, dtype=torch.long)
    assert precision(LABELS, y_pred) == 0.0
    assert recall(LABELS, y_pred) == 0.0
    assert f1_score(LABELS, y_pred) == 0.0
    assert accuracy(LABELS, y_pred) == pytest.approx(0.6)


def test_no_actual_positives_gives_zero_recall_and_f1():
    y_true = torch.zeros(10, dtype=torch.long)
    assert recall(y_true, PREDS) == 0.0
    assert precision(y_true, PREDS) == 0.0
    assert f1_score(y_true, PREDS) == 0.0
    assert accuracy(y_true, PREDS) == pytest.approx(0.5)


def test_no_positives_anywhere_is_all_correct_but_precision_recall_f1_are_undefined():
    zeros = torch.zeros(4)
    assert accuracy(zeros, zeros) == 1.0
    assert (precision(zeros, zeros), recall(zeros, zeros), f1_score(zeros, zeros)) == (0.0, 0.0, 0.0)


def test_labels_may_be_float_bool_or_column_tensors():
    expected = f1_score(LABELS, PREDS)
    assert f1_score(LABELS.float(), PREDS.float()) == expected
    assert f1_score(LABELS.bool(), PREDS.bool()) == expected
    assert f1_score(LABELS.float().unsqueeze(1), PREDS.float().unsqueeze(1)) == expected


def test_single_sample():
    one = torch.tensor([1])
    assert (accuracy(one, one), precision(one, one), recall(one, one), f1_score(one, one)) == (1.0, 1.0, 1.0, 1.0)


# Bad input -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("metric", ALL)
def test_empty_input_is_a_clear_error(metric):
    with pytest.raises(ValueError, match=r"y_true must not be empty, got shape \(0,\)"):
        metric(torch.tensor([]), torch.tensor([]))


@pytest.mark.parametrize("metric", ALL)
def test_mismatched_shapes_are_a_clear_error(metric):
    with pytest.raises(ValueError, match=r"y_true and y_pred must have the same shape, got \(3,\) and \(2,\)"):
        metric(torch.tensor([1.0, 0.0, 1.0]), torch.tensor([1.0, 0.0]))


@pytest.mark.parametrize("metric", ALL)
def test_column_versus_flat_is_a_clear_error(metric):
    with pytest.raises(ValueError, match=r"same shape, got \(3, 1\) and \(3,\)"):
        metric(torch.ones(3, 1), torch.ones(3))


@pytest.mark.parametrize("metric", ALL)
def test_lists_are_a_clear_error(metric):
    with pytest.raises(TypeError, match="y_true must be a torch.Tensor, got list"):
        metric([1, 0], torch.tensor([1, 0]))
    with pytest.raises(TypeError, match="y_pred must be a torch.Tensor, got list"):
        metric(torch.tensor([1, 0]), [1, 0])


@pytest.mark.parametrize("metric", [confusion_counts, *CLASSIFICATION])
def test_probabilities_instead_of_labels_are_a_clear_error(metric):
    with pytest.raises(ValueError, match=r"y_pred must hold only 0/1 labels, got values such as \[0.3, 0.8\]"):
        metric(torch.tensor([0.0, 1.0, 1.0]), torch.tensor([0.3, 0.8, 1.0]))
    with pytest.raises(ValueError, match=r"y_true must hold only 0/1 labels, got values such as \[2.0\].*sigmoid"):
        metric(torch.tensor([0, 2]), torch.tensor([0, 1]))


def test_metrics_are_public_names_of_the_package():
    assert optloop_helpers.f1_score is f1_score
    assert optloop_helpers.r2_score is r2_score
    assert "accuracy" in dir(optloop_helpers)
