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
from ..loop import Progress, fit
from ..models import LinearRegressionModel
from .run import Run
from .spec import Option, Spec

# "SGD with momentum": each step also carries on momentum β (0 ... 0.99) of the previous one
BETA = Spec("momentum", "momentum β", "float", 0.9, low=0.0, high=0.99, step=0.01, readout=".2f",
            needs=("optimizer", "momentum"))
MOMENTUM = BETA.default  # the default β (notebooks 09 and 12 quote it)
OPTIMIZERS: dict[str, Option] = {  # make(parameters, lr, momentum)
    "sgd": Option("SGD", lambda params, lr, momentum: torch.optim.SGD(params, lr=lr, momentum=0.0)),
    "momentum": Option("SGD with momentum",
                       lambda params, lr, momentum: torch.optim.SGD(params, lr=lr, momentum=momentum)),
    "adam": Option("Adam", lambda params, lr, momentum: torch.optim.Adam(params, lr=lr)),
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
# mini-batches (notebook 13): None trains on all 40 training points at once, the article's loop
BATCH = Spec("batch_size", "batch size", "int_choice", None,
             choices={None: "full batch", 1: "1", 2: "2", 4: "4", 8: "8", 16: "16"})
NOISE = Spec("noise", "data noise", "float", 0.0, low=0.0, high=0.5, step=0.01, readout=".2f")
SEED = Spec("seed", "seed", "int_text", 42, low=0, high=9999, width="160px")
LOG_SCALE = Spec("log_scale", "log scale", "bool", False)


@functools.lru_cache(maxsize=16)
def make_data(noise: float = NOISE.default, seed: int = SEED.default) -> LineData:
    """The straight-line data with ``noise`` (standard deviation) drawn from ``seed``; cached."""
    return make_line_data(noise_std=noise, seed=seed)


def stable_lr_limit(data: LineData) -> float:
    """The largest learning rate at which plain SGD on the MSE loss does not blow up: ``2 / λ``.

    λ is the largest eigenvalue of the MSE loss's Hessian, ``2 * mean([X, 1]^T [X, 1])`` over the training
    points: the same at every (weights, bias), as the loss is a bowl. Along that steepest direction each step
    lands ``1 - lr * λ`` times as far from the valley floor, on the other side: a zig-zag that shrinks below
    the limit and grows above it. Noise and seed change the targets, not ``X``, so not the limit either.

    Example::

        >>> round(stable_lr_limit(make_data()), 3)
        0.862
    """
    if not isinstance(data, LineData):
        raise TypeError(f"data must be a LineData (e.g. make_data()), got {type(data).__name__}")
    X = data.X_train.double().reshape(-1, 1)
    design = torch.cat([X, torch.ones_like(X)], dim=1)  # [X, 1]: the model is weights * X + bias * 1
    hessian = 2 * design.T @ design / len(design)
    return 2 / torch.linalg.eigvalsh(hessian).max().item()


# name -> the settings a preset applies (to the controls and to the fixed settings alike)
_DEFAULTS = {spec.name: spec.default for spec in (LR, EPOCHS, OPTIMIZER, LOSS)}
_EDGE = {**_DEFAULTS, "epochs": 100, "loss": "mse"}  # plain SGD on MSE, where stable_lr_limit holds
STABLE_LR_LIMIT = stable_lr_limit(make_data())  # about 0.862 for the 40 training points
PRESETS: dict[str, dict[str, Any]] = {
    "too small": {**_DEFAULTS, "lr": LR.low},
    "about right": _DEFAULTS,
    # just below and just above the largest stable learning rate: each step overshoots the valley floor
    # (rounded to 2 places, so a learner can read and type them: 0.82 and 0.91 for the default data)
    "edge: zig-zag shrinks": {**_EDGE, "lr": round(0.95 * STABLE_LR_LIMIT, 2)},
    "edge: zig-zag grows": {**_EDGE, "lr": round(1.05 * STABLE_LR_LIMIT, 2)},
    # L1's gradient never grows, so SGD only bounces; MSE's grows with the error, so a big step blows up.
    "too big: diverges": {**_DEFAULTS, "lr": LR.high, "loss": "mse"},
}
CUSTOM = "custom"  # what the preset control shows when the values are no preset's
PRESET = Spec("preset", "preset", "choice", "about right", choices={name: name for name in (CUSTOM, *PRESETS)})

# every setting with a control, in the order the playground shows them
SPECS = {spec.name: spec for spec in (PRESET, LR, EPOCHS, OPTIMIZER, BETA, LOSS, BATCH, NOISE, SEED, LOG_SCALE)}
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
    momentum: float = BETA.default  # used by "momentum" only
    batch_size: int | None = BATCH.default  # None: the full batch

    def shuffle_generator(self) -> torch.Generator | None:
        """What shuffles the mini-batches: a generator seeded with ``seed`` (None for the full batch)."""
        return None if self.batch_size is None else torch.Generator().manual_seed(self.seed)

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


def make_optimizer(optimizer: str, params: Any, lr: float, momentum: float = BETA.default) -> torch.optim.Optimizer:
    """``"sgd"``, ``"momentum"`` (SGD with momentum β ``momentum``, 0.9 by default) or ``"adam"``.

    Example::

        >>> make_optimizer("momentum", LinearRegressionModel().parameters(), 0.01, momentum=0.5).defaults["momentum"]
        0.5
    """
    OPTIMIZER.check(optimizer)
    return OPTIMIZERS[optimizer].make(params, LR.check(lr), BETA.check(momentum))


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
    optimizer = make_optimizer(settings.optimizer, model.parameters(), settings.lr, settings.momentum)
    history = fit(model, run.data, make_loss_fn(settings.loss), optimizer, settings.epochs,
                  eval_every=settings.eval_every, callback=callback, batch_size=settings.batch_size,
                  generator=settings.shuffle_generator())
    return dataclasses.replace(run, history=history)
