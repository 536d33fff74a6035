"""The data sets: the straight line y = weight * X + bias, and, beyond it, a curve and two clouds of points.

Every maker returns train and test tensors (``X_train``, ``y_train``, ``X_test``, ``y_test``), so ``fit``
and the notebooks' loops use them all alike. The line is split in order; the curve and the clouds are
shuffled before the split (with their own seeded generator), so their test points are spread over the
whole range instead of sitting at one end.

Example::

    >>> data = make_line_data()
    >>> len(data.X_train), len(data.X_test)
    (40, 10)
    >>> make_curve_data()
    SplitData(name='sine curve', train=80 points, test=20 points, device=cpu)
    >>> make_classification_data().X_train.shape
    torch.Size([160, 2])
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import TypeVar

import torch

from ._validate import TRAIN_TEST, check_choice, check_int, check_number, check_positive_number

_Data = TypeVar("_Data", bound="TrainTest")


@dataclass(frozen=True)
class TrainTest:
    """Train and test tensors (float32, one row per sample): what every data set here has in common."""

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor

    def to(self: _Data, device: torch.device | str) -> _Data:
        """Return a copy with every tensor on ``device`` (e.g. ``data.to("cuda")``)."""
        return dataclasses.replace(self, **{name: getattr(self, name).to(device) for name in TRAIN_TEST})

    @property
    def device(self) -> torch.device:
        """The device the tensors live on."""
        return self.X_train.device

    def _sizes(self, held_out: str = "test") -> str:
        sizes = f"train={len(self.X_train)} points, {held_out}={len(self.X_test)} points"
        return f"{sizes}, device={self.device.type}"


@dataclass(frozen=True)
class LineData(TrainTest):
    """The straight line's train and test tensors (shape ``[n, 1]``) plus the true parameters.

    ``held_out`` names what ``X_test``/``y_test`` are: the ``"test"`` set, or a ``"validation"`` set
    from :meth:`validation_split`.
    """

    weight: float
    bias: float
    held_out: str = "test"

    def validation_split(self, fraction: float = 0.2) -> LineData:
        """Hold back the last ``fraction`` of the *training* points as a validation set, for tuning.

        The result trains on the other training points and measures on the validation points in
        ``X_test``/``y_test`` (so ``fit`` reports them as its test loss). The test set is not in it:
        choosing a learning rate with it never peeks at the final exam.

        Example::

            >>> make_line_data().validation_split()
            LineData(weight=0.7, bias=0.3, train=32 points, validation=8 points, device=cpu)
        """
        fraction = check_number("fraction", fraction)
        if not 0 < fraction < 1:
            raise ValueError(f"fraction must be strictly between 0 and 1, got {fraction}")
        n_val = int(fraction * len(self.X_train))
        if n_val < 2 or len(self.X_train) - n_val < 2:
            raise ValueError(f"fraction={fraction} holds back {n_val} of {len(self.X_train)} training points; "
                             "the validation and the training part each need at least 2")
        n_fit = len(self.X_train) - n_val
        return LineData(self.X_train[:n_fit], self.y_train[:n_fit], self.X_train[n_fit:], self.y_train[n_fit:],
                        self.weight, self.bias, held_out="validation")

    def __repr__(self) -> str:
        return f"LineData(weight={self.weight}, bias={self.bias}, {self._sizes(self.held_out)})"


@dataclass(frozen=True)
class SplitData(TrainTest):
    """Train and test tensors of a data set beyond the line, and a short name for it."""

    name: str

    def __repr__(self) -> str:
        return f"SplitData(name={self.name!r}, {self._sizes()})"


def _check_split(train_fraction: float, noise_std: float) -> tuple[float, float]:
    """Check the arguments every maker shares; return them as floats."""
    train_fraction = check_number("train_fraction", train_fraction)
    noise_std = check_number("noise_std", noise_std)
    if not 0 < train_fraction < 1:
        raise ValueError(f"train_fraction must be strictly between 0 and 1, got {train_fraction}")
    if noise_std < 0:
        raise ValueError(f"noise_std must be >= 0, got {noise_std}")
    return train_fraction, noise_std


def _n_train(n: int, train_fraction: float) -> int:
    """How many of ``n`` points train; both sides of the split need at least 2."""
    n_train = int(train_fraction * n)
    if n_train < 2 or n - n_train < 2:
        raise ValueError(
            f"train_fraction={train_fraction} splits {n} points into {n_train} train and "
            f"{n - n_train} test; each side needs at least 2 (use more points or another train_fraction)"
        )
    return n_train


def make_line_data(weight: float = 0.7, bias: float = 0.3, start: float = 0.0, end: float = 1.0,
                   step: float = 0.02, train_fraction: float = 0.8, noise_std: float = 0.0,
                   seed: int | None = None) -> LineData:
    """Make ``X = arange(start, end, step)`` and ``y = weight * X + bias`` (+ noise), split in order.

    The first ``int(train_fraction * len(X))`` points are for training, the rest for testing.

    Example::

        >>> data = make_line_data(noise_std=0.05, seed=0)
        >>> data.X_train.shape, data.y_test.dtype
        (torch.Size([40, 1]), torch.float32)
    """
    weight = check_number("weight", weight)
    bias = check_number("bias", bias)
    start = check_number("start", start)
    end = check_number("end", end)
    step = check_positive_number("step", step)
    train_fraction, noise_std = _check_split(train_fraction, noise_std)
    if end <= start:
        raise ValueError(f"end must be greater than start, got start={start} and end={end}")
    if seed is not None:
        check_int("seed", seed, minimum=0)

    X = torch.arange(start, end, step).unsqueeze(dim=1)
    y = weight * X + bias
    if noise_std > 0:
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        y = y + noise_std * torch.randn(y.shape, generator=generator)
    n_train = _n_train(len(X), train_fraction)
    return LineData(X[:n_train], y[:n_train], X[n_train:], y[n_train:], weight, bias)


def _shuffle_split(X: torch.Tensor, y: torch.Tensor, train_fraction: float, generator: torch.Generator,
                   name: str) -> SplitData:
    order = torch.randperm(len(X), generator=generator)
    X, y = X[order], y[order]
    n_train = int(train_fraction * len(X))
    return SplitData(X[:n_train], y[:n_train], X[n_train:], y[n_train:], name)


def _check_sample(n_samples: int, train_fraction: float, noise_std: float, seed: int) -> tuple[float, float]:
    check_int("n_samples", n_samples, minimum=10)
    check_int("seed", seed, minimum=0)
    train_fraction, noise_std = _check_split(train_fraction, noise_std)
    _n_train(n_samples, train_fraction)
    return train_fraction, noise_std


def make_curve_data(shape: str = "sine", n_samples: int = 100, train_fraction: float = 0.8,
                    noise_std: float = 0.05, seed: int = 42) -> SplitData:
    """Points on a curve no straight line can follow: ``y = sin(X)`` or ``y = X ** 2`` (+ noise).

    ``X`` is ``n_samples`` evenly spaced points in [-3, 3] for the sine (almost one full wave)
    and in [-1, 1] for the parabola; tensors have shape ``[n, 1]``.

    Example::

        >>> data = make_curve_data("parabola", n_samples=50, noise_std=0.0)
        >>> data.name, data.X_train.shape, bool(((data.X_test ** 2) == data.y_test).all())
        ('parabola', torch.Size([40, 1]), True)
    """
    check_choice("shape", shape, ("sine", "parabola"))
    train_fraction, noise_std = _check_sample(n_samples, train_fraction, noise_std, seed)
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


def make_classification_data(n_samples: int = 200, distance: float = 3.0, train_fraction: float = 0.8,
                             noise_std: float = 1.0, seed: int = 42) -> SplitData:
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
    train_fraction, noise_std = _check_sample(n_samples, train_fraction, noise_std, seed)
    generator = torch.Generator().manual_seed(seed)
    labels = (torch.arange(n_samples) % 2).float().unsqueeze(dim=1)
    # class 0 centred at -distance/2 and class 1 at +distance/2 along the direction (1, -1) / sqrt(2)
    direction = torch.tensor([1.0, -1.0]) / math.sqrt(2)
    centres = (labels - 0.5) * distance * direction
    X = centres + noise_std * torch.randn(n_samples, 2, generator=generator)
    return _shuffle_split(X, labels, train_fraction, generator, "two clouds")
