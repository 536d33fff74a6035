"""LinearRegressionModel, the models for the other use cases, and get_device."""

import pytest
import torch
from torch import nn

from optloop_helpers import LinearRegressionModel, get_device
from optloop_helpers.models import LogisticRegressionModel, MLPModel


def test_parameters_are_weights_then_bias_and_seeded():
    torch.manual_seed(42)
    model = LinearRegressionModel()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["weights", "bias"]
    assert all(isinstance(p, nn.Parameter) and p.shape == (1,) for p in model.parameters())
    assert round(model.weights.item(), 4) == 0.3367
    assert round(model.bias.item(), 4) == 0.1288


def test_forward_is_a_straight_line():
    model = LinearRegressionModel()
    X = torch.linspace(0, 1, 5).unsqueeze(1)
    assert torch.allclose(model(X), model.weights * X + model.bias)


def test_get_device_is_a_real_device():
    device = get_device()
    assert device.type in {"cuda", "mps", "cpu"}
    assert torch.zeros(1, device=device).device.type == device.type


# MLPModel and LogisticRegressionModel (the other use cases) ----------------------------------------

def test_mlp_shapes_and_layers():
    model = MLPModel(in_features=2, hidden_units=8, out_features=3)
    assert model(torch.zeros(5, 2)).shape == (5, 3)
    assert [type(layer).__name__ for layer in model.layers] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]


def test_mlp_dropout_differs_between_train_and_eval_mode():
    torch.manual_seed(0)
    model = MLPModel(dropout=0.5)
    X = torch.linspace(-1, 1, 50).unsqueeze(1)
    model.train()
    assert not torch.equal(model(X), model(X))
    model.eval()
    assert torch.equal(model(X), model(X))


def test_logistic_model_is_one_linear_layer_giving_logits():
    model = LogisticRegressionModel(in_features=2)
    assert sum(p.numel() for p in model.parameters()) == 3
    X = torch.randn(4, 2)
    assert torch.allclose(model(X), X @ model.linear.weight.T + model.linear.bias)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: MLPModel(hidden_units=0), ValueError, "hidden_units must be an integer >= 1, got 0"),
        (lambda: MLPModel(in_features=1.5), TypeError, "in_features must be an integer, got 1.5"),
        (lambda: MLPModel(dropout=1.0), ValueError, "dropout must be >= 0 and < 1, got 1.0"),
        (lambda: LogisticRegressionModel(in_features=0), ValueError, "in_features must be an integer >= 1, got 0"),
    ],
)
def test_new_models_bad_input(make, error, message):
    with pytest.raises(error, match=message):
        make()
