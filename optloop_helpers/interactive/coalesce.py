"""Coalescing: many rapid requests (slider moves) become one run with the latest values.

In a running Jupyter kernel a request schedules the action on the kernel's asyncio event loop: it runs
once no request has come for ``delay`` seconds (so a burst of queued slider messages is drained first),
or at the latest ``max_wait`` seconds after the first request (so a long drag still shows frames); when
``quick()`` says the action is cheap now (its run is cached), on the loop's next turn.
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
import threading
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
    """Run ``action`` once per burst of ``request()`` calls; at most one run is ever pending.

    Runs happen on the event loop that was running when the coalescer was made (in a notebook: the
    kernel's main thread), even when requests come from another thread: ipykernel 7 may handle widget
    messages on a subshell thread. So runs never overlap, and the last request always leads to a run.
    """

    def __init__(self, action: Callable[[], Any], delay: float = 0.005, max_wait: float = 0.1,
                 quick: Callable[[], bool] | None = None) -> None:
        if not callable(action):
            raise TypeError(f"action must be callable, got {action!r}")
        self.action = action
        self.delay = delay
        self.quick = quick  # True when the action would be quick now (e.g. its run is cached): no wait
        self._wait = delay
        self.max_wait = max_wait
        self.runs = 0
        self._home = running_loop()
        self._lock = threading.RLock()
        self._first_request = self._last_request = 0.0
        self._pending = False
        self._ticket = 0  # bumped by cancel(): a timer armed before that does nothing
        self._held = 0
        self._wanted = False

    @property
    def pending(self) -> bool:
        """True while a run is scheduled and has not started yet."""
        return self._pending

    @property
    def held(self) -> bool:
        """True inside a ``with hold():`` block: requests made now are collected into one at its end."""
        return self._held > 0

    def _loop(self) -> asyncio.AbstractEventLoop | None:
        home = self._home
        if home is not None and home.is_running() and not home.is_closed():
            return home
        return running_loop()

    def request(self) -> None:
        """Ask for a run with the latest values: scheduled on the event loop, or now without one."""
        with self._lock:
            if self._held:
                self._wanted = True
                return
            self._last_request = time.perf_counter()
            loop = self._loop()
            if loop is not None:
                if not self._pending:
                    self._pending, self._first_request = True, self._last_request
                    self._wait = 0.0 if self._is_quick() else self.delay
                    if loop is running_loop():
                        self._arm(loop, self._ticket, self._wait)
                    else:  # a request from another thread: the timer must live on the home loop
                        loop.call_soon_threadsafe(self._arm, loop, self._ticket, self._wait)
                return
        self._fire()

    def _is_quick(self) -> bool:
        try:
            return self.quick is not None and bool(self.quick())
        except Exception:  # e.g. a value the run will reject: the run shows the error, without hurry
            return False

    def cancel(self) -> None:
        """Drop the pending run, if any (e.g. because a run is about to happen anyway)."""
        with self._lock:
            self._ticket += 1
            self._pending = False

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Collect the requests made inside the ``with`` block into one request at its end."""
        with self._lock:
            self._held += 1
        try:
            yield
        finally:
            with self._lock:
                self._held -= 1
                wanted = not self._held and self._wanted
                if wanted:
                    self._wanted = False
            if wanted:
                self.request()

    def _arm(self, loop: asyncio.AbstractEventLoop, ticket: int, delay: float) -> None:
        with self._lock:
            if ticket == self._ticket:
                loop.call_later(delay, self._fire_when_quiet, loop, ticket)

    def _fire_when_quiet(self, loop: asyncio.AbstractEventLoop, ticket: int) -> None:
        with self._lock:
            if ticket != self._ticket:
                return  # cancelled meanwhile
            now = time.perf_counter()
            quiet = now - self._last_request
            if quiet < self._wait and now - self._first_request < self.max_wait:  # requests still coming in
                self._arm(loop, ticket, self._wait - quiet)
                return
            self._pending = False
        self._fire()

    def _fire(self) -> None:
        with self._lock:
            self.runs += 1
        self.action()
