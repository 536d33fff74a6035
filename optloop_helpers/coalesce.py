"""Coalescing: many rapid requests (slider moves) become one run with the latest values.

In a running Jupyter kernel a request schedules the action on the kernel's asyncio event loop: it runs
once no request has come for ``delay`` seconds (so a burst of queued slider messages is drained first),
or at the latest ``max_wait`` seconds after the first request (so a long drag still shows frames).
Further requests join that one pending run, and the action reads the controls' values when it runs, so
the last value wins. While an action runs it holds the kernel, so control changes that arrive meanwhile
wait and are coalesced into the next single run: nothing piles up and no callback blocks the kernel
longer than one run. Without a running event loop (a script, plain pytest) each request runs at once.

Example::

    >>> runs = []
    >>> coalescer = Coalescer(lambda: runs.append("run"))
    >>> with coalescer.hold():  # e.g. a preset that changes four controls
    ...     for _ in range(4):
    ...         coalescer.request()
    >>> runs
    ['run']
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any


def running_loop() -> asyncio.AbstractEventLoop | None:
    """The asyncio event loop running in this thread (a Jupyter kernel's), or None."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class Coalescer:
    """Run ``action`` once per burst of ``request()`` calls; at most one run is ever pending."""

    def __init__(self, action: Callable[[], Any], delay: float = 0.01, max_wait: float = 0.1) -> None:
        if not callable(action):
            raise TypeError(f"action must be callable, got {action!r}")
        self.action = action
        self.delay = delay
        self.max_wait = max_wait
        self._first_request = self._last_request = 0.0
        self.runs = 0
        self._pending: asyncio.TimerHandle | None = None
        self._held = 0
        self._wanted = False

    @property
    def pending(self) -> bool:
        """True while a run is scheduled and has not started yet."""
        return self._pending is not None

    def request(self) -> None:
        """Ask for a run with the latest values: scheduled on the event loop, or now without one."""
        if self._held:
            self._wanted = True
            return
        loop = running_loop()
        self._last_request = time.perf_counter()
        if loop is None:
            self._fire()
        elif self._pending is None:
            self._first_request = self._last_request
            self._pending = loop.call_later(self.delay, self._fire_when_quiet, loop)

    def cancel(self) -> None:
        """Drop the pending run, if any (e.g. because a run is about to happen anyway)."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Collect the requests made inside the ``with`` block into one request at its end."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            if not self._held and self._wanted:
                self._wanted = False
                self.request()

    def _fire_when_quiet(self, loop: asyncio.AbstractEventLoop) -> None:
        now = time.perf_counter()
        quiet = now - self._last_request
        if quiet < self.delay and now - self._first_request < self.max_wait:  # requests still coming in
            self._pending = loop.call_later(self.delay - quiet, self._fire_when_quiet, loop)
            return
        self._fire()

    def _fire(self) -> None:
        self._pending = None
        self.runs += 1
        self.action()
