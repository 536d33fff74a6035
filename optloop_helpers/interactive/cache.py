"""Runs remembered: a run is a pure function of its settings, so the playground trains each path only once.

A :class:`Path` is one training path: every setting but the number of epochs (training never looks at the
total, so a 300-epoch run is the first 300 epochs of a 5000-epoch one). It keeps the live model *and
optimizer* (so momentum and Adam continue exactly), and per epoch the training loss and the parameters
after the step; a longer run continues it, a shorter one is a prefix. :func:`replay` turns a path into the
``History`` that ``fit`` would record for a given number of epochs, test schedule included (the test losses
are measured from the stored parameters, with the same code ``fit`` uses, when first asked for).
:class:`RunCache` keeps recent paths within a memory budget (least recently used go first).

Bit for bit what a fresh ``fit`` gives (tests/test_interactive_cache.py compares them).

Example::

    >>> from optloop_helpers.interactive.settings import Settings, run_experiment
    >>> cache = RunCache()
    >>> run = cache.run(Settings(epochs=300))
    >>> shorter = cache.run(Settings(epochs=100))  # a prefix: no training
    >>> cache.epochs_trained, shorter.history.train_loss == run_experiment(Settings(epochs=100)).history.train_loss
    (300, True)
"""

from __future__ import annotations

import dataclasses
import math
import time
from array import array
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import torch

from ..loop import History, Progress, _test_step, _train_epoch
from .run import Run
from .settings import Settings, begin_run, make_loss_fn, make_optimizer, start_model

PATH_BYTES = 4096  # what a path costs besides its per-epoch numbers: model, optimizer, tensors (an estimate)
EPOCH_BYTES = 3 * 8  # per epoch: the training loss and two parameters, as C doubles in arrays
BUDGET_BYTES = 16 * 2**20  # the default budget of the shared cache (measured in docs/benchmarks.md)


def path_key(settings: Settings) -> tuple[Any, ...]:
    """Every setting but ``epochs``, read from ``Settings``' fields (so a new setting is part of it at once)."""
    return tuple(getattr(settings, f.name) for f in dataclasses.fields(settings) if f.name != "epochs")


class Path:
    """One training path: the model and optimizer as training left them, and each epoch's numbers."""

    def __init__(self, settings: Settings) -> None:
        self.run = begin_run(dataclasses.replace(settings, epochs=Settings.epochs))  # data, start, start losses
        with torch.random.fork_rng(devices=[]):  # a seeded start that leaves the learner's random state alone
            self.model = start_model(settings.seed)
        self.names = [name for name, _ in self.model.named_parameters()]
        self._like = [(p.dtype, p.shape) for p in self.model.parameters()]  # single-number parameters
        self.loss_fn = make_loss_fn(settings.loss)
        self.optimizer = make_optimizer(settings.optimizer, self.model.parameters(), settings.lr, settings.momentum)
        self.batch_size, self.generator = settings.batch_size, settings.shuffle_generator()  # continued, too
        self.train_loss = array("d")  # train_loss[e]: epoch e's forward pass, before its step
        self.values = [array("d") for _ in self.names]  # values[i][e]: parameter i after epoch e's step
        self.stopped = False  # a non-finite training loss: training cannot go on from there
        self._measured: dict[tuple[int, str], float] = {}
        self._scratch: Any = None

    @property
    def epochs_trained(self) -> int:
        """How many epochs this path has trained so far."""
        return len(self.train_loss)

    @property
    def nbytes(self) -> int:
        """An estimate of the memory this path holds."""
        return PATH_BYTES + EPOCH_BYTES * self.epochs_trained + 100 * len(self._measured)

    def covers(self, epochs: int) -> bool:
        """Whether a run of ``epochs`` epochs needs no more training."""
        return self.stopped or self.epochs_trained >= epochs

    def extend(self, epochs: int, deadline: float | None = None) -> bool:
        """Train up to ``epochs`` epochs (or until ``time.perf_counter()`` passes ``deadline``); True when done."""
        data, model, params = self.run.data, self.model, list(self.model.parameters())
        while not self.covers(epochs):
            loss = _train_epoch(model, data.X_train, data.y_train, self.loss_fn, self.optimizer, self.batch_size,
                                self.generator)
            self.train_loss.append(loss)
            for values, param in zip(self.values, params, strict=True):
                values.append(param.item())
            if not math.isfinite(loss):
                self.stopped = True
            elif deadline is not None and self.epochs_trained % 8 == 0 and time.perf_counter() > deadline:
                return self.covers(epochs)
        return True

    def params(self, epoch: int) -> dict[str, torch.Tensor]:
        """The parameters after ``epoch``'s step as ``fit`` records them ({name: tensor})."""
        return {name: torch.tensor(values[epoch], dtype=dtype).reshape(shape)
                for name, values, (dtype, shape) in zip(self.names, self.values, self._like, strict=True)}

    def measured(self, epoch: int, split: str) -> float:
        """The loss on ``split`` ("train" or "test") of the parameters after ``epoch``'s step, in eval mode."""
        key = (epoch, split)
        if key not in self._measured:
            if self._scratch is None:
                with torch.random.fork_rng(devices=[]):
                    self._scratch = start_model(self.run.settings.seed)
            with torch.no_grad():
                for param, value in zip(self._scratch.parameters(), self.params(epoch).values(), strict=True):
                    param.copy_(value)
            data = self.run.data
            X, y = (data.X_train, data.y_train) if split == "train" else (data.X_test, data.y_test)
            self._measured[key] = _test_step(self._scratch, X, y, self.loss_fn)
        return self._measured[key]


def replay(path: Path, epochs: int, eval_every: int, callback: Callable[[Progress], Any] | None = None) -> History:
    """The ``History`` ``fit(..., epochs, eval_every, callback=callback)`` records, trained on ``path`` as needed.

    The same bookkeeping as ``fit``: a test every ``eval_every`` epochs, a stop at the first non-finite loss
    (a broken test loss is met by the next epoch's forward pass), ``callback`` after every test (``False``
    stops), and the final model measured once more.
    """
    history = History()
    for epoch in range(0, epochs, eval_every):  # train up to each test, then record the epochs since the last
        if not _record_training(history, path, epoch + 1):
            return history
        test_loss = path.measured(epoch, "test")
        history.epochs.append(epoch)
        history.train_loss.append(path.train_loss[epoch])
        history.test_loss.append(test_loss)
        history.params.append(path.params(epoch))
        if not math.isfinite(test_loss):
            history.diverged_epoch, history.diverged_loss = epoch + 1, test_loss
            return history
        if callback is not None and callback(Progress(epoch, epochs, path.train_loss[epoch], test_loss,
                                                      history)) is False:
            return _finish(history, path)
    return _finish(history, path) if _record_training(history, path, epochs) else history


def _record_training(history: History, path: Path, until: int) -> bool:
    """Train ``path`` up to ``until`` epochs and record the training losses since the last record; False (and
    the divergence recorded) when one of them is not finite."""
    path.extend(until)
    first = history.epochs_run
    broken = next((e for e in range(first, min(until, path.epochs_trained)) if not math.isfinite(path.train_loss[e])),
                  None)
    last = until - 1 if broken is None else broken
    history.train_loss_by_epoch.extend(path.train_loss[first:last + 1])
    history.epochs_run = last + 1
    if broken is not None:
        history.diverged_epoch, history.diverged_loss = broken, path.train_loss[broken]
    return broken is None


def _finish(history: History, path: Path) -> History:
    """``fit``'s last measurement: the final model's losses and parameters (or where it overshot to inf/nan)."""
    last = history.epochs_run - 1
    final_train, final_test = path.measured(last, "train"), path.measured(last, "test")
    if not (math.isfinite(final_train) and math.isfinite(final_test)):
        history.diverged_epoch, history.diverged_loss = history.epochs_run, final_train
        return history
    history.final_train_loss, history.final_test_loss = final_train, final_test
    history.final_params = path.params(last)
    return history


class RunCache:
    """Recent paths, least recently used dropped first once they hold more than ``budget`` bytes."""

    def __init__(self, budget: int = BUDGET_BYTES) -> None:
        self.budget = budget
        self._paths: OrderedDict[tuple[Any, ...], Path] = OrderedDict()

    def __len__(self) -> int:
        return len(self._paths)

    @property
    def nbytes(self) -> int:
        """The estimated memory all paths hold (at most ``budget``, apart from the one in use)."""
        return sum(path.nbytes for path in self._paths.values())

    @property
    def epochs_trained(self) -> int:
        """The epochs trained by the most recently used path (0 when empty)."""
        return next(reversed(self._paths.values())).epochs_trained if self._paths else 0

    def path(self, settings: Settings) -> Path:
        """The path of ``settings`` (made when new), now the most recently used."""
        if not isinstance(settings, Settings):
            raise TypeError(f"settings must be a Settings, got {type(settings).__name__}")
        key = path_key(settings)
        path = self._paths.pop(key, None) or Path(settings)
        self._paths[key] = path
        return path

    def peek(self, settings: Settings) -> Path | None:
        """The path of ``settings`` if there is one, without making it or changing the order."""
        return self._paths.get(path_key(settings))

    def covers(self, settings: Settings) -> bool:
        """Whether ``run(settings)`` would train nothing."""
        path = self.peek(settings)
        return path is not None and path.covers(settings.epochs)

    def full(self) -> bool:
        """Whether the paths hold the budget: speculation stops there."""
        return self.nbytes >= self.budget

    def run(self, settings: Settings, callback: Callable[[Progress], Any] | None = None) -> Run:
        """The run ``settings`` describe, as a fresh ``run_experiment`` would give it, training only what is new."""
        path = self.path(settings)
        history = replay(path, settings.epochs, settings.eval_every, callback)
        self.trim()
        return dataclasses.replace(begin_run(settings), history=history)

    def trim(self) -> None:
        """Drop the least recently used paths until the rest fit the budget (the newest always stays)."""
        while len(self._paths) > 1 and self.nbytes > self.budget:
            self._paths.popitem(last=False)

    def clear(self) -> None:
        """Forget every path."""
        self._paths.clear()


class FrameCache:
    """Final frames (PNG bytes) by key, least recently used dropped first beyond ``budget`` bytes."""

    def __init__(self, budget: int = BUDGET_BYTES) -> None:
        self.budget = budget
        self._frames: OrderedDict[Any, bytes] = OrderedDict()
        self.nbytes = 0

    def __len__(self) -> int:
        return len(self._frames)

    def __contains__(self, key: Any) -> bool:
        return key in self._frames

    def get(self, key: Any) -> bytes | None:
        """The frame stored under ``key`` (now the most recently used), or None."""
        png = self._frames.get(key)
        if png is not None:
            self._frames.move_to_end(key)
        return png

    def put(self, key: Any, png: bytes) -> None:
        """Store ``png`` under ``key``, then drop the oldest frames beyond the budget."""
        self.nbytes -= len(self._frames.pop(key, b""))
        self._frames[key] = png
        self.nbytes += len(png)
        while len(self._frames) > 1 and self.nbytes > self.budget:
            self.nbytes -= len(self._frames.popitem(last=False)[1])

    def full(self) -> bool:
        """Whether the frames hold the budget: speculation stops there."""
        return self.nbytes >= self.budget

    def clear(self) -> None:
        """Forget every frame."""
        self._frames.clear()
        self.nbytes = 0


# what every playground in the kernel shares: 16 MiB of paths and 16 MiB of frames (docs/benchmarks.md measures it)
RUNS = RunCache()
FRAMES = FrameCache()
