"""The model we train: a straight line with a learnable weight and bias.

Example::

    >>> import torch
    >>> _ = torch.manual_seed(42)
    >>> model = LinearRegressionModel()
    >>> round(model.weights.item(), 4), round(model.bias.item(), 4)
    (0.3367, 0.1288)
"""

from __future__ import annotations

import torch
from torch import nn


class LinearRegressionModel(nn.Module):
    """``y = weights * x + bias`` with both parameters drawn from ``torch.randn``."""

    def __init__(self) -> None:
        super().__init__()
        self.weights = nn.Parameter(torch.randn(1, dtype=torch.float))
        self.bias = nn.Parameter(torch.randn(1, dtype=torch.float))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Predict ``weights * x + bias`` for every input."""
        return self.weights * x + self.bias
