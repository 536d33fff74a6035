"""One run of the playground (:class:`Run`): its settings, data, seeded start and, once trained, its ``History``.

:mod:`.settings` makes runs (``begin_run``, ``run_experiment``); views are handed them and draw them.

Example::

    >>> from optloop_helpers.interactive.settings import Settings, begin_run
    >>> run = begin_run(Settings())
    >>> [round(value, 4) for value in run.start], run.history.epochs, run.weights
    ([0.3367, 0.1288], [], None)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..data import LineData
from ..loop import History

if TYPE_CHECKING:
    from .settings import Settings


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
