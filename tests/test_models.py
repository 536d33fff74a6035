"""LinearRegressionModel and get_device."""

import torch
from torch import nn

from optloop_helpers import LinearRegressionModel, get_device


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
