"""Data beyond the straight line: a curve to fit and two clouds of 2-D points to tell apart.

Both makers return a :class:`SplitData` with ``X_train``, ``y_train``, ``X_test`` and ``y_test``, so
``fit`` and the notebooks' loops use them exactly like ``make_line_data()``. The points are
shuffled before the split (with their own seeded generator), so the test points are spread over
the whole range instead of sitting at one end.

Example::

    >>> make_curve_data()
    SplitData(name='sine curve', train=80 points, test=20 points, device=cpu)
    >>> make_classification_data().X_train.shape
    torch.Size([160, 2])
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from ._validate import check_choice, check_int, check_number


@dataclass(frozen=True)
class SplitData:
    """Train and test tensors (float32, one row per sample) and a short name for the data."""

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor
    name: str

    def to(self, device: torch.device | str) -> SplitData:
        """Return a copy with every tensor on ``device`` (e.g. ``data.to("cuda")``)."""
        return SplitData(
            self.X_train.to(device), self.y_train.to(device), self.X_test.to(device), self.y_test.to(device),
            self.name,
        )

    @property
    def device(self) -> torch.device:
        """The device the tensors live on."""
        return self.X_train.device

    def __repr__(self) -> str:
        return (
            f"SplitData(name={self.name!r}, train={len(self.X_train)} points, "
            f"test={len(self.X_test)} points, device={self.device.type})"
        )


def _check_common(n_samples: int, train_fraction: float, noise_std: float, seed: int) -> tuple[float, float]:
    check_int("n_samples", n_samples, minimum=10)
    train_fraction = check_number("train_fraction", train_fraction)
    noise_std = check_number("noise_std", noise_std)
    check_int("seed", seed, minimum=0)
    if not 0 < train_fraction < 1:
        raise ValueError(f"train_fraction must be strictly between 0 and 1, got {train_fraction}")
    if noise_std < 0:
        raise ValueError(f"noise_std must be >= 0, got {noise_std}")
    n_train = int(train_fraction * n_samples)
    if n_train < 2 or n_samples - n_train < 2:
        raise ValueError(
            f"train_fraction={train_fraction} splits {n_samples} points into {n_train} train and "
            f"{n_samples - n_train} test; each side needs at least 2"
        )
    return train_fraction, noise_std


def _shuffle_split(X: torch.Tensor, y: torch.Tensor, train_fraction: float, generator: torch.Generator, name: str):
    order = torch.randperm(len(X), generator=generator)
    X, y = X[order], y[order]
    n_train = int(train_fraction * len(X))
    return SplitData(X[:n_train], y[:n_train], X[n_train:], y[n_train:], name)


def make_curve_data(
    shape: str = "sine",
    n_samples: int = 100,
    train_fraction: float = 0.8,
    noise_std: float = 0.05,
    seed: int = 42,
) -> SplitData:
    """Points on a curve no straight line can follow: ``y = sin(X)`` or ``y = X ** 2`` (+ noise).

    ``X`` is ``n_samples`` evenly spaced points in [-3, 3] for the sine (almost one full wave)
    and in [-1, 1] for the parabola; tensors have shape ``[n, 1]``.

    Example::

        >>> data = make_curve_data("parabola", n_samples=50, noise_std=0.0)
        >>> data.name, data.X_train.shape, bool(((data.X_test ** 2) == data.y_test).all())
        ('parabola', torch.Size([40, 1]), True)
    """
    check_choice("shape", shape, ("sine", "parabola"))
    train_fraction, noise_std = _check_common(n_samples, train_fraction, noise_std, seed)
    generator = torch.Generator().manual_seed(seed)
    if shape == "sine":
        X = torch.linspace(-3, 3, n_samples).unsqueeze(dim=1)
        y = torch.sin(X)
    else:
        X = torch.linspace(-1, 1, n_samples).unsqueeze(dim=1)
        y = X**2
    if noise_std > 0:
        y = y + noise_std * torch.randn(y.shape, generator=generator)
    return _shuffle_split(X, y, train_fraction, generator, "sine curve" if shape == "sine" else "parabola")


def make_classification_data(
    n_samples: int = 200,
    distance: float = 3.0,
    train_fraction: float = 0.8,
    noise_std: float = 1.0,
    seed: int = 42,
) -> SplitData:
    """Two round clouds of 2-D points, class 0 (upper left) and class 1 (lower right), centres ``distance`` apart.

    Half the points are in each class. ``X`` has shape ``[n, 2]``; ``y`` holds the labels as
    float32 0.0/1.0 with shape ``[n, 1]`` (what ``nn.BCEWithLogitsLoss`` expects). The larger
    ``noise_std`` is compared with ``distance``, the more the clouds overlap and the more mistakes
    even the best straight boundary makes.

    Example::

        >>> data = make_classification_data(n_samples=20)
        >>> data.y_train.dtype, sorted(set(data.y_train.flatten().tolist()))
        (torch.float32, [0.0, 1.0])
    """
    distance = check_number("distance", distance)
    if distance < 0:
        raise ValueError(f"distance must be >= 0, got {distance}")
    train_fraction, noise_std = _check_common(n_samples, train_fraction, noise_std, seed)
    generator = torch.Generator().manual_seed(seed)
    labels = (torch.arange(n_samples) % 2).float().unsqueeze(dim=1)
    # class 0 centred at -distance/2 and class 1 at +distance/2 along the direction (1, -1) / sqrt(2)
    direction = torch.tensor([1.0, -1.0]) / math.sqrt(2)
    centres = (labels - 0.5) * distance * direction
    X = centres + noise_std * torch.randn(n_samples, 2, generator=generator)
    return _shuffle_split(X, labels, train_fraction, generator, "two clouds")
