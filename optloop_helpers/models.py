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

from ._validate import check_int, check_number

# The parameters torch.manual_seed(42) gives a new LinearRegressionModel (weights, bias), rounded to 4 places:
# the start every notebook prints and every picture and check uses.
SEEDED_START = (0.3367, 0.1288)


class LinearRegressionModel(nn.Module):
    """``y = weights * x + bias`` with both parameters drawn from ``torch.randn``."""

    def __init__(self) -> None:
        super().__init__()
        self.weights = nn.Parameter(torch.randn(1, dtype=torch.float))
        self.bias = nn.Parameter(torch.randn(1, dtype=torch.float))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Predict ``weights * x + bias`` for every input."""
        return self.weights * x + self.bias


class MLPModel(nn.Module):
    """A small multi-layer perceptron: ``Linear -> ReLU -> Linear -> ReLU -> Linear`` (optional Dropout).

    Straight lines cannot bend; the ReLUs between the layers let this model fit curves. With
    ``dropout > 0`` a ``Dropout`` layer follows each ReLU, so ``model.train()`` and ``model.eval()``
    give different outputs.

    Example::

        >>> import torch
        >>> _ = torch.manual_seed(42)
        >>> model = MLPModel(in_features=1, hidden_units=8)
        >>> model(torch.zeros(5, 1)).shape
        torch.Size([5, 1])
    """

    def __init__(
        self, in_features: int = 1, hidden_units: int = 16, out_features: int = 1, dropout: float = 0.0
    ) -> None:
        check_int("in_features", in_features, minimum=1)
        check_int("hidden_units", hidden_units, minimum=1)
        check_int("out_features", out_features, minimum=1)
        dropout = check_number("dropout", dropout)
        if not 0 <= dropout < 1:
            raise ValueError(f"dropout must be >= 0 and < 1, got {dropout!r}")
        super().__init__()
        layers: list[nn.Module] = []
        for n_in in (in_features, hidden_units):
            layers += [nn.Linear(n_in, hidden_units), nn.ReLU()]
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
        layers.append(nn.Linear(hidden_units, out_features))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Pass ``x`` (shape ``[n, in_features]``) through the layers."""
        return self.layers(x)


class LogisticRegressionModel(nn.Module):
    """One linear layer that outputs a **logit** per sample for binary classification.

    A logit is any real number; ``torch.sigmoid(logit)`` turns it into the probability of class 1,
    and rounding that gives a 0/1 label. Train it with ``nn.BCEWithLogitsLoss`` (which applies
    the sigmoid itself, in a numerically stable way).

    Example::

        >>> import torch
        >>> _ = torch.manual_seed(42)
        >>> model = LogisticRegressionModel(in_features=2)
        >>> logits = model(torch.zeros(3, 2))
        >>> logits.shape, torch.round(torch.sigmoid(logits)).flatten().tolist()
        (torch.Size([3, 1]), [0.0, 0.0, 0.0])
    """

    def __init__(self, in_features: int = 2) -> None:
        check_int("in_features", in_features, minimum=1)
        super().__init__()
        self.linear = nn.Linear(in_features, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return the logits, shape ``[n, 1]``."""
        return self.linear(x)
