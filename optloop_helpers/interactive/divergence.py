"""What the playground's view draws when a run leaves the chart: finite curves, a log axis, an arrow.

A diverging run ends with losses that are huge, then infinite or NaN, and parameters far outside the
landscape. These small functions decide what of it can be drawn: the finite start of a loss curve,
whether the loss axis needs a log scale, and the part of the path inside the frame plus where an
arrow towards the next point meets the frame's edge.

Example::

    >>> finite_prefix([0.5, 2.0, float("inf"), float("nan")])
    [0.5, 2.0]
    >>> log_span([0.1, 1.0, 1e6])  # orders of magnitude between the smallest and the largest loss
    7
    >>> in_frame([(0.0, 0.0), (0.5, 0.5), (4.0, 0.5)], (-1.0, 1.0), (-1.0, 1.0))
    ([(0.0, 0.0), (0.5, 0.5)], (1.0, 0.5))
"""

from __future__ import annotations

import math
from collections.abc import Sequence

LOG_RATIO = 1e3  # finite losses spanning more than this (largest / smallest) are drawn on a log axis

Point = tuple[float, float]


def finite_prefix(values: Sequence[float]) -> list[float]:
    """The values up to (not including) the first NaN or infinite one."""
    kept = []
    for value in values:
        if not math.isfinite(value):
            break
        kept.append(value)
    return kept


def log_span(values: Sequence[float]) -> int:
    """How many orders of magnitude the positive finite ``values`` span (0 when fewer than two)."""
    positive = [v for v in values if math.isfinite(v) and v > 0]
    if len(positive) < 2:
        return 0
    return math.floor(math.log10(max(positive) / min(positive)))


def needs_log_scale(values: Sequence[float], ratio: float = LOG_RATIO) -> bool:
    """True when the positive finite ``values`` span more than ``ratio`` (largest / smallest).

    Example::

        >>> needs_log_scale([0.1, 50.0]), needs_log_scale([0.1, 5e3])
        (False, True)
    """
    positive = [v for v in values if math.isfinite(v) and v > 0]
    return len(positive) >= 2 and max(positive) / min(positive) > ratio


def log_note(losses: Sequence[float]) -> str:
    """What the loss panel says when it switched to a log axis by itself ('' when it need not).

    Example::

        >>> log_note([0.2, 3e7])
        'log scale: the losses span 8 orders of magnitude'
    """
    return f"log scale: the losses span {log_span(losses)} orders of magnitude" if needs_log_scale(losses) else ""


def loss_ylim(initial: float, losses: Sequence[float], log: bool) -> tuple[float, float]:
    """The loss axis limits: from the ``initial`` loss, widened to every finite loss in ``losses``.

    Example::

        >>> loss_ylim(0.5, [], log=False), loss_ylim(0.5, [0.25, 4.0], log=True)
        ((0.0, 0.55), (5e-05, 8.0))
    """
    low, high = (initial * 1e-4, initial * 2.0) if log else (0.0, initial * 1.1)
    values = [v for v in losses if math.isfinite(v)]
    if values:
        high = max(high, max(values) * (2.0 if log else 1.1))
        positive = [v for v in values if v > 0]
        if log and positive:
            low = min(low, min(positive) / 2)
    return low, high


def _inside(point: Point, xlim: tuple[float, float], ylim: tuple[float, float]) -> bool:
    x, y = point
    return math.isfinite(x) and math.isfinite(y) and xlim[0] <= x <= xlim[1] and ylim[0] <= y <= ylim[1]


def _edge(start: Point, target: Point, xlim: tuple[float, float], ylim: tuple[float, float]) -> Point | None:
    """Where the segment from ``start`` (inside) towards ``target`` (outside) crosses the frame."""
    if math.isnan(target[0]) or math.isnan(target[1]):
        return None
    big = 1e300  # an infinite coordinate still has a direction
    dx, dy = (max(-big, min(big, t)) - s for s, t in zip(start, target, strict=True))
    if dx == 0 and dy == 0:
        return None
    t = 1.0
    for delta, origin, (low, high) in ((dx, start[0], xlim), (dy, start[1], ylim)):
        if delta > 0:
            t = min(t, (high - origin) / delta)
        elif delta < 0:
            t = min(t, (low - origin) / delta)
    return start[0] + t * dx, start[1] + t * dy


def in_frame(points: Sequence[Point], xlim: tuple[float, float],
             ylim: tuple[float, float]) -> tuple[list[Point], Point | None]:
    """The path up to its first point outside the frame, and where an arrow towards that point leaves it.

    The arrow's end is None when every point is inside, or when the next point is NaN (no direction).
    """
    kept: list[Point] = []
    for point in points:
        if not _inside(point, xlim, ylim):
            return kept, (_edge(kept[-1], point, xlim, ylim) if kept else None)
        kept.append(point)
    return kept, None
