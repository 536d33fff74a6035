"""The settings of a playground run, each written once: one spec per setting, the presets, and one run.

A :class:`Spec` holds all about one setting (label, kind of control, default, range or choices, step):
the controls, ``playground()``'s signature, the presets and the error messages read it, so changing a
default, adding an optimizer or adding a setting is a change here only. :class:`Settings` holds one
run's values; :func:`run_experiment` trains the seeded model with ``fit``. No plots, no widgets here.

Example::

    >>> run = run_experiment(Settings(lr=0.01, epochs=300))
    >>> run.history.epochs[:3], round(run.weights, 4), round(run.bias, 4), round(run.test_loss, 4)
    ([0, 7, 14], 0.699, 0.3093, 0.0084)
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from ..data import LineData, make_line_data
from ..loop import History, Progress, fit
from ..models import LinearRegressionModel
from .spec import Option, Spec

MOMENTUM = 0.9  # the momentum of "SGD with momentum"
OPTIMIZERS: dict[str, Option] = {  # make(parameters, lr)
    "sgd": Option("SGD", lambda params, lr: torch.optim.SGD(params, lr=lr, momentum=0.0)),
    "momentum": Option("SGD with momentum", lambda params, lr: torch.optim.SGD(params, lr=lr, momentum=MOMENTUM)),
    "adam": Option("Adam", lambda params, lr: torch.optim.Adam(params, lr=lr)),
}
LOSSES: dict[str, Option] = {  # make(**loss_options), e.g. make(reduction="none")
    "l1": Option("L1 (mean absolute error)", nn.L1Loss),
    "mse": Option("MSE (mean squared error)", nn.MSELoss),
}


def _labels(table: Mapping[str, Option]) -> dict[str, str]:
    return {name: option.label for name, option in table.items()}


LR = Spec("lr", "learning rate", "log", 0.01, low=1e-4, high=10.0, step=0.05, readout=".4g", width="380px")
EPOCHS = Spec("epochs", "epochs", "int", 300, low=10, high=5000, step=10, width="380px")
OPTIMIZER = Spec("optimizer", "optimizer", "choice", "sgd", choices=_labels(OPTIMIZERS))
LOSS = Spec("loss", "loss", "choice", "l1", choices=_labels(LOSSES))
NOISE = Spec("noise", "data noise", "float", 0.0, low=0.0, high=0.5, step=0.01, readout=".2f")
SEED = Spec("seed", "seed", "int_text", 42, low=0, high=9999, width="160px")
LOG_SCALE = Spec("log_scale", "log scale", "bool", False)

# name -> the settings a preset applies (to the controls and to the fixed settings alike)
_DEFAULTS = {spec.name: spec.default for spec in (LR, EPOCHS, OPTIMIZER, LOSS)}
PRESETS: dict[str, dict[str, Any]] = {
    "too small": {**_DEFAULTS, "lr": LR.low},
    "about right": _DEFAULTS,
    # L1's gradient never grows, so SGD only bounces; MSE's grows with the error, so a big step blows up.
    "too big: diverges": {**_DEFAULTS, "lr": LR.high, "loss": "mse"},
}
CUSTOM = "custom"  # what the preset control shows when the values are no preset's
PRESET = Spec("preset", "preset", "choice", "about right", choices={name: name for name in (CUSTOM, *PRESETS)})

# every setting with a control, in the order the playground shows them
SPECS = {spec.name: spec for spec in (PRESET, LR, EPOCHS, OPTIMIZER, LOSS, NOISE, SEED, LOG_SCALE)}
CONTROL_NAMES = tuple(SPECS)


def preset_for(values: Mapping[str, Any]) -> str:
    """The preset whose every value ``values`` has, or ``"custom"``.

    Example::

        >>> preset_for({"lr": 10.0, "epochs": 300, "optimizer": "sgd", "loss": "mse", "noise": 0.2})
        'too big: diverges'
    """
    for name, preset in PRESETS.items():
        if all(values[key] == value for key, value in preset.items()):
            return name
    return CUSTOM


@dataclass(frozen=True)
class Settings:
    """Everything one run depends on, each value checked by its spec; the defaults are the article's."""

    lr: float = LR.default
    epochs: int = EPOCHS.default
    optimizer: str = OPTIMIZER.default
    loss: str = LOSS.default
    noise: float = NOISE.default
    seed: int = SEED.default

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            object.__setattr__(self, field.name, SPECS[field.name].check(getattr(self, field.name)))

    @property
    def eval_every(self) -> int:
        """Test often enough for about 50 points on the loss curves, every odd number of epochs.

        Odd, so that a run hopping between two points (L1 with a big learning rate) is drawn hopping:
        tested every even number of epochs it would always be caught on the same side and look frozen.
        """
        return max(1, self.epochs // 50) | 1


SETTING_NAMES = tuple(field.name for field in dataclasses.fields(Settings))


def make_loss_fn(loss: str) -> nn.Module:
    """The loss named ``loss``: ``"l1"`` -> ``nn.L1Loss()``, ``"mse"`` -> ``nn.MSELoss()``.

    Example::

        >>> make_loss_fn("mse")
        MSELoss()
    """
    return LOSSES[LOSS.check(loss)].make()


def make_optimizer(optimizer: str, params: Any, lr: float) -> torch.optim.Optimizer:
    """``"sgd"``, ``"momentum"`` (SGD with momentum 0.9) or ``"adam"`` over ``params``.

    Example::

        >>> make_optimizer("adam", LinearRegressionModel().parameters(), lr=0.01).__class__.__name__
        'Adam'
    """
    OPTIMIZER.check(optimizer)
    return OPTIMIZERS[optimizer].make(params, LR.check(lr))


@functools.lru_cache(maxsize=16)
def make_data(noise: float = NOISE.default, seed: int = SEED.default) -> LineData:
    """The straight-line data with ``noise`` (standard deviation) drawn from ``seed``; cached."""
    return make_line_data(noise_std=noise, seed=seed)


def start_model(seed: int = SEED.default) -> LinearRegressionModel:
    """``torch.manual_seed(seed)`` then a fresh ``LinearRegressionModel``, as the notebooks make it."""
    SEED.check(seed)
    torch.manual_seed(seed)
    return LinearRegressionModel()


def seeded_start(seed: int = SEED.default) -> tuple[float, float]:
    """``(weights, bias)`` of ``start_model(seed)``, leaving torch's global random state alone.

    Example::

        >>> [round(value, 4) for value in seeded_start(42)]  # models.SEEDED_START
        [0.3367, 0.1288]
    """
    with torch.random.fork_rng(devices=[]):
        model = start_model(seed)
    return model.weights.item(), model.bias.item()


@dataclass(frozen=True, eq=False)
class Run:
    """One run: its settings, data and seeded start, and (once trained) ``fit``'s ``History``.

    ``start`` is the seeded ``(weights, bias)`` and ``start_losses`` its (train, test) loss before the first
    step. ``weights`` and ``bias`` are the learned values after the last epoch; ``train_loss`` and
    ``test_loss`` the final model's losses. They are None before training and when the run diverged.
    """

    settings: Settings
    data: LineData
    start: tuple[float, float]
    start_losses: tuple[float, float]
    history: History = dataclasses.field(default_factory=History)  # empty until trained

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


@functools.lru_cache(maxsize=16)
def _begin(settings: Settings) -> Run:
    data = make_data(settings.noise, settings.seed)
    weights, bias = seeded_start(settings.seed)
    loss_fn = make_loss_fn(settings.loss)
    with torch.inference_mode():
        losses = tuple(loss_fn(weights * X + bias, y).item() for X, y in ((data.X_train, data.y_train),
                                                                          (data.X_test, data.y_test)))
    return Run(settings, data, (weights, bias), losses)


def begin_run(settings: Settings) -> Run:
    """The run ``settings`` describe, before it trains: data, seeded start and its losses (cached)."""
    if not isinstance(settings, Settings):
        raise TypeError(f"settings must be a Settings, got {type(settings).__name__}")
    return _begin(settings)


def run_experiment(settings: Settings, callback: Callable[[Progress], Any] | None = None) -> Run:
    """Train a seeded model on the settings' data with ``fit``; return the run with its ``History``."""
    run = begin_run(settings)
    model = start_model(settings.seed)
    optimizer = make_optimizer(settings.optimizer, model.parameters(), settings.lr)
    history = fit(model, run.data, make_loss_fn(settings.loss), optimizer, settings.epochs,
                  eval_every=settings.eval_every, callback=callback)
    return dataclasses.replace(run, history=history)
