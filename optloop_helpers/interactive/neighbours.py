"""The settings a learner is likely to try next: one and two slider steps either side, then the alternatives.

The playground computes these runs while the learner looks at the current one (see :mod:`.speculate`), so
that the next arrow-key press finds its run ready. A slider step is the one the control takes: for the
learning rate, ``LR.step`` on the exponent's grid (``10 ** (log10(low) + k * step)``), kept as its readout
shows it (4 significant digits), which is also the value a slider move sends, whichever front end computed it.

Example::

    >>> [s.lr for s in neighbours(Settings(lr=0.01), ("lr",))]
    [0.01122, 0.008913, 0.01259, 0.007943]
    >>> [(s.epochs, s.optimizer) for s in neighbours(Settings(), ("epochs", "optimizer"))]
    [(310, 'sgd'), (290, 'sgd'), (320, 'sgd'), (280, 'sgd'), (300, 'momentum'), (300, 'adam')]
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from typing import Any

from .settings import PRESETS, SPECS, Settings
from .spec import Spec


def slider_value(spec: Spec, value: Any, steps: int) -> Any:
    """The value ``steps`` slider steps from ``value`` on ``spec``'s control, or None past its ends."""
    if spec.kind == "log":
        low, high = math.log10(spec.low), math.log10(spec.high)
        k = round((math.log10(value) - low) / spec.step) + steps
        exponent = low + k * spec.step
        return None if not low - 1e-9 <= exponent <= high + 1e-9 else spec.check(min(max(10 ** exponent, spec.low),
                                                                                         spec.high))
    if spec.kind in ("int", "float", "int_text"):
        step = spec.step or 1
        new = value + steps * step
        if not spec.low - 1e-9 <= new <= spec.high + 1e-9:
            return None
        return spec.check(int(round(new)) if spec.type is int else new)
    return None


def neighbours(settings: Settings, controls: Iterable[str]) -> list[Settings]:
    """The runs to compute next, in order: the learning rate ±1 and ±2 steps, the epochs likewise, then one
    step of every other slider, every other choice of each drop-down, and the presets (only settings that
    have a control in ``controls``, and each at most once)."""
    controls = tuple(controls)
    values = dataclasses.asdict(settings)
    wanted: list[dict[str, Any]] = []
    for steps in (1, 2):
        for name in ("lr", "epochs"):
            if name in controls:
                wanted += [{name: slider_value(SPECS[name], values[name], sign * steps)} for sign in (1, -1)]
    for name in controls:
        spec = SPECS[name]
        if name in ("lr", "epochs") or name not in values or not spec.matters(values):
            continue
        if spec.kind in ("choice", "int_choice"):
            wanted += [{name: choice} for choice in spec.choices if choice != values[name]]
        elif spec.kind != "bool":
            wanted += [{name: slider_value(spec, values[name], sign)} for sign in (1, -1)]
    if "preset" in controls:
        wanted += [dict(preset) for preset in PRESETS.values()]
    found: list[Settings] = [settings]
    for change in wanted:
        if None in change.values():
            continue
        candidate = dataclasses.replace(settings, **{k: v for k, v in change.items() if k in values})
        if candidate not in found:
            found.append(candidate)
    return found[1:]
