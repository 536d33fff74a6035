"""The straight-line dataset: y = weight * X + bias, split sequentially.

Example::

    >>> data = make_line_data()
    >>> len(data.X_train), len(data.X_test)
    (40, 10)
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ._validate import check_int, check_number, check_positive_number


@dataclass(frozen=True)
class LineData:
    """Train and test tensors (float32, shape ``[n, 1]``) plus the true parameters.

    ``held_out`` names what ``X_test``/``y_test`` are: the ``"test"`` set, or a ``"validation"`` set
    from :meth:`validation_split`.
    """

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor
    weight: float
    bias: float
    held_out: str = "test"

    def to(self, device: torch.device | str) -> LineData:
        """Return a copy with every tensor on ``device`` (e.g. ``data.to("cuda")``)."""
        return LineData(
            self.X_train.to(device),
            self.y_train.to(device),
            self.X_test.to(device),
            self.y_test.to(device),
            self.weight,
            self.bias,
            self.held_out,
        )

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

    @property
    def device(self) -> torch.device:
        """The device the tensors live on."""
        return self.X_train.device

    def __repr__(self) -> str:
        return (
            f"LineData(weight={self.weight}, bias={self.bias}, "
            f"train={len(self.X_train)} points, {self.held_out}={len(self.X_test)} points, device={self.device.type})"
        )


def make_line_data(
    weight: float = 0.7,
    bias: float = 0.3,
    start: float = 0.0,
    end: float = 1.0,
    step: float = 0.02,
    train_fraction: float = 0.8,
    noise_std: float = 0.0,
    seed: int | None = None,
) -> LineData:
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
    train_fraction = check_number("train_fraction", train_fraction)
    noise_std = check_number("noise_std", noise_std)
    if end <= start:
        raise ValueError(f"end must be greater than start, got start={start} and end={end}")
    if not 0 < train_fraction < 1:
        raise ValueError(f"train_fraction must be strictly between 0 and 1, got {train_fraction}")
    if noise_std < 0:
        raise ValueError(f"noise_std must be >= 0, got {noise_std}")
    if seed is not None:
        check_int("seed", seed, minimum=0)

    X = torch.arange(start, end, step).unsqueeze(dim=1)
    y = weight * X + bias
    if noise_std > 0:
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        y = y + noise_std * torch.randn(y.shape, generator=generator)

    n_train = int(train_fraction * len(X))
    if n_train < 2 or len(X) - n_train < 2:
        raise ValueError(
            f"train_fraction={train_fraction} splits {len(X)} points into {n_train} train and "
            f"{len(X) - n_train} test; each side needs at least 2 (use more points or another train_fraction)"
        )
    return LineData(X[:n_train], y[:n_train], X[n_train:], y[n_train:], weight, bias)
