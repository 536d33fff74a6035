"""One training run described by a few plain values: the settings behind the playground's controls.

``Settings`` holds the learning rate, epochs, optimizer, loss, data noise and seed (each checked
against the same bounds the sliders have); ``run_experiment`` makes the data and the seeded model and
calls :func:`~optloop_helpers.loop.fit`. Nothing here plots or knows about widgets.

Example::

    >>> run = run_experiment(Settings(lr=0.01, epochs=300))
    >>> run.history.epochs[:3], round(run.weights, 4), round(run.bias, 4), round(run.test_loss, 4)
    ([0, 6, 12], 0.699, 0.3093, 0.0084)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from ._validate import check_between, check_choice, check_int
from .data import LineData, make_line_data
from .loop import History, Progress, fit
from .models import LinearRegressionModel

# name -> what the learner reads in the controls
OPTIMIZERS = {"sgd": "SGD", "momentum": "SGD with momentum", "adam": "Adam"}
LOSSES = {"l1": "L1 (mean absolute error)", "mse": "MSE (mean squared error)"}
LR_RANGE = (1e-4, 10.0)
EPOCHS_RANGE = (10, 5000)
NOISE_RANGE = (0.0, 0.5)
SEED_RANGE = (0, 9999)
MOMENTUM = 0.9


@dataclass(frozen=True)
class Settings:
    """Everything one run depends on; the defaults are the article's (SGD, lr 0.01, L1, 300 epochs)."""

    lr: float = 0.01
    epochs: int = 300
    optimizer: str = "sgd"
    loss: str = "l1"
    noise: float = 0.0
    seed: int = 42

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr", check_between("lr", self.lr, *LR_RANGE))
        check_int("epochs", self.epochs, *EPOCHS_RANGE)
        check_choice("optimizer", self.optimizer, tuple(OPTIMIZERS))
        check_choice("loss", self.loss, tuple(LOSSES))
        object.__setattr__(self, "noise", check_between("noise", self.noise, *NOISE_RANGE))
        check_int("seed", self.seed, *SEED_RANGE)

    @property
    def eval_every(self) -> int:
        """Test often enough for about 50 points on the loss curves."""
        return max(1, self.epochs // 50)


def make_loss_fn(loss: str) -> nn.Module:
    """``"l1"`` -> ``nn.L1Loss()``, ``"mse"`` -> ``nn.MSELoss()``.

    Example::

        >>> make_loss_fn("mse")
        MSELoss()
    """
    check_choice("loss", loss, tuple(LOSSES))
    return nn.L1Loss() if loss == "l1" else nn.MSELoss()


def make_optimizer(optimizer: str, params: Any, lr: float) -> torch.optim.Optimizer:
    """``"sgd"``, ``"momentum"`` (SGD with momentum 0.9) or ``"adam"`` over ``params``.

    Example::

        >>> make_optimizer("adam", LinearRegressionModel().parameters(), lr=0.01).__class__.__name__
        'Adam'
    """
    check_choice("optimizer", optimizer, tuple(OPTIMIZERS))
    check_between("lr", lr, *LR_RANGE)
    if optimizer == "adam":
        return torch.optim.Adam(params, lr=lr)
    return torch.optim.SGD(params, lr=lr, momentum=MOMENTUM if optimizer == "momentum" else 0.0)


@functools.lru_cache(maxsize=16)
def make_data(noise: float = 0.0, seed: int = 42) -> LineData:
    """The straight-line data with ``noise`` (standard deviation) drawn from ``seed``; cached."""
    return make_line_data(noise_std=noise, seed=seed)


def start_model(seed: int = 42) -> LinearRegressionModel:
    """``torch.manual_seed(seed)`` then a fresh ``LinearRegressionModel`` (seed 42: ``models.SEEDED_START``)."""
    check_int("seed", seed, *SEED_RANGE)
    torch.manual_seed(seed)
    return LinearRegressionModel()


@dataclass(frozen=True)
class Run:
    """A finished run: ``fit``'s ``History`` and the final numbers (None when the run diverged).

    ``weights`` and ``bias`` are the learned values after the last epoch; ``train_loss`` and
    ``test_loss`` are the final model's losses (``history.final_train_loss`` and ``final_test_loss``).
    """

    history: History

    def _final(self, name: str) -> float | None:
        params = self.history.final_params
        return None if params is None else params[name].item()

    @property
    def weights(self) -> float | None:
        """The learned weight after the last epoch."""
        return self._final("weights")

    @property
    def bias(self) -> float | None:
        """The learned bias after the last epoch."""
        return self._final("bias")

    @property
    def train_loss(self) -> float | None:
        """The final model's loss on the training data."""
        return self.history.final_train_loss

    @property
    def test_loss(self) -> float | None:
        """The final model's loss on the test data."""
        return self.history.final_test_loss


def run_experiment(settings: Settings, callback: Callable[[Progress], Any] | None = None) -> Run:
    """Train a seeded model on the settings' data with ``fit``; return its ``History`` and final numbers."""
    if not isinstance(settings, Settings):
        raise TypeError(f"settings must be a Settings, got {type(settings).__name__}")
    data = make_data(settings.noise, settings.seed)
    model = start_model(settings.seed)
    optimizer = make_optimizer(settings.optimizer, model.parameters(), settings.lr)
    loss_fn = make_loss_fn(settings.loss)
    return Run(fit(model, data, loss_fn, optimizer, settings.epochs, eval_every=settings.eval_every, callback=callback))
