"""Work done while the learner looks: a plan run in small slices on the kernel's event loop, dropped at once.

A plan is a generator: each ``next()`` does one small piece of work (a few milliseconds of training, or one
frame) and yields. After ``start(plan)`` the :class:`Speculator` waits ``idle_delay`` seconds (and until no
notebook cell has run for that long: :class:`CellActivity`), then runs one piece per turn of the event loop
(``call_soon``), so a widget message that arrives is handled after at most one piece; ``pause()``, which every control change calls first, drops the plan. No thread touches torch: the
pieces run on the loop the speculator was made on (in a notebook: the kernel's main thread). Without a
running loop nothing runs by itself; ``step()`` and ``drain()`` run pieces by hand (tests, scripts).

Example::

    >>> done = []
    >>> def plan():
    ...     for n in range(3):
    ...         done.append(n)
    ...         yield
    >>> speculator = Speculator()
    >>> speculator.start(plan())
    >>> speculator.drain(), done
    (3, [0, 1, 2])
"""

from __future__ import annotations

import math
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from typing import Any

from .coalesce import running_loop


class CellActivity:
    """Whether the kernel is running a notebook cell, from IPython's ``pre_run_cell``/``post_run_cell`` events.

    Speculation waits while a cell runs and until the kernel has been idle for a moment, so it never slows
    the learner's cells (an IPython cell has await points at which the event loop would otherwise run it).
    Outside IPython there are no cells: always idle.
    """

    def __init__(self) -> None:
        self.running = False
        self.finished = -math.inf
        self._shell: Any = None

    def hook(self) -> None:
        """Listen to IPython's cell events, once (from inside a cell: that cell is running now)."""
        try:
            from IPython import get_ipython
        except ImportError:
            return
        shell = get_ipython()
        if shell is None or shell is self._shell:
            return
        shell.events.register("pre_run_cell", self._started)
        shell.events.register("post_run_cell", self._ended)
        self._shell, self.running = shell, True

    def _started(self, *info: Any) -> None:
        self.running = True

    def _ended(self, *info: Any) -> None:
        self.running, self.finished = False, time.perf_counter()

    def wait(self, quiet: float) -> float:
        """Seconds until no cell has run for ``quiet`` seconds (0: now; ``quiet`` while one runs)."""
        if self.running:
            return quiet
        return max(0.0, self.finished + quiet - time.perf_counter())


CELLS = CellActivity()


class Speculator:
    """Run one plan at a time in slices of about ``slice_seconds`` on the event loop; ``pause()`` drops it.

    One speculator works at a time in a kernel: ``start()`` pauses the others (the learner moved on to this
    tool), and ``pause_all()`` (any control change) stops them all, so a change never waits behind another
    tool's speculation.
    """

    _all: weakref.WeakSet[Speculator] = weakref.WeakSet()

    def __init__(self, idle_delay: float = 0.05, slice_seconds: float = 0.004,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.idle_delay = idle_delay
        self.slice_seconds = slice_seconds
        self.clock = clock
        self.deadline = 0.0  # a piece of work should stop around here (the plan reads it)
        self.slices = 0  # pieces run so far (a counting hook for tests)
        self.on_slice: Callable[[], Any] | None = None  # called before every piece (tests)
        self._home = running_loop()
        CELLS.hook()
        self._lock = threading.Lock()
        self._plan: Iterator[Any] | None = None
        self._ticket = 0
        Speculator._all.add(self)

    @classmethod
    def pause_all(cls) -> None:
        """Pause every speculator in this process (e.g. because a control changed)."""
        for speculator in list(cls._all):
            speculator.pause()

    @property
    def busy(self) -> bool:
        """True while a plan has work left."""
        return self._plan is not None

    def start(self, plan: Iterator[Any]) -> None:
        """Replace the plan with ``plan`` (pausing the other speculators); on a running loop its first piece runs
        ``idle_delay`` seconds from now."""
        for other in list(Speculator._all):
            if other is not self:
                other.pause()
        with self._lock:
            self._ticket += 1
            self._plan, ticket = plan, self._ticket
        loop = self._home
        if loop is None or not loop.is_running() or loop.is_closed():
            loop = self._home = running_loop()  # made outside the loop (a script): the loop running now
        if loop is not None:
            if loop is running_loop():
                loop.call_later(self.idle_delay, self._tick, ticket)
            else:
                loop.call_soon_threadsafe(loop.call_later, self.idle_delay, self._tick, ticket)

    def pause(self) -> None:
        """Drop the plan (from any thread): no piece of it runs after this returns, bar one already running."""
        with self._lock:
            self._ticket += 1
            self._plan = None

    def step(self) -> bool:
        """Run one piece of the plan now; return whether work is left."""
        with self._lock:
            plan = self._plan
        if plan is None:
            return False
        if self.on_slice is not None:
            self.on_slice()
        self.slices += 1
        self.deadline = self.clock() + self.slice_seconds
        try:
            next(plan)
        except StopIteration:
            with self._lock:
                if self._plan is plan:
                    self._plan = None
            return False
        return self.busy

    def drain(self, limit: int = 100_000) -> int:
        """Run pieces until the plan is done (at most ``limit``); return how many pieces yielded."""
        count = 0
        while count < limit and self.step():
            count += 1
        return count

    def _tick(self, ticket: int) -> None:
        with self._lock:
            if ticket != self._ticket:
                return  # paused or replaced meanwhile
        wait = CELLS.wait(self.idle_delay)
        if wait > 0:  # a cell is running, or has just run: the kernel is not idle yet
            running_loop().call_later(wait, self._tick, ticket)
            return
        try:
            more = self.step()
        except Exception:  # speculation must never break the kernel: drop the plan
            self.pause()
            return
        with self._lock:
            if not more or ticket != self._ticket:
                return
        running_loop().call_soon(self._tick, ticket)
