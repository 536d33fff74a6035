"""The coalescer: a burst of requests becomes one run with the latest values, on the kernel's event loop."""

import asyncio

import pytest

from optloop_helpers.interactive.coalesce import Coalescer


def test_coalescer_runs_at_once_without_an_event_loop():
    runs = []
    coalescer = Coalescer(lambda: runs.append(1))
    for _ in range(3):
        coalescer.request()
    assert len(runs) == 3 and coalescer.runs == 3


def test_coalescer_merges_a_burst_in_a_running_loop_and_can_cancel():
    runs = []
    coalescer = Coalescer(lambda: runs.append(1), delay=0.01)

    async def burst():
        for _ in range(100):
            coalescer.request()
        await asyncio.sleep(0.05)
        coalescer.request()
        coalescer.cancel()
        await asyncio.sleep(0.05)

    asyncio.run(burst())
    assert runs == [1]


def test_coalescer_rejects_a_non_callable():
    with pytest.raises(TypeError, match="action must be callable, got 3"):
        Coalescer(3)


def test_coalescer_waits_for_a_quiet_moment_but_not_longer_than_max_wait(monkeypatch):
    """A fake event loop and clock: the scheduling decisions, without depending on real timing."""
    now = [0.0]
    scheduled = []

    class FakeLoop:
        def call_later(self, delay, callback, *args):
            scheduled.append((now[0] + delay, callback, args))

        def is_running(self):
            return True

        def is_closed(self):
            return False

    loop = FakeLoop()
    monkeypatch.setattr("optloop_helpers.interactive.coalesce.running_loop", lambda: loop)
    monkeypatch.setattr("optloop_helpers.interactive.coalesce.time.perf_counter", lambda: now[0])
    runs = []
    coalescer = Coalescer(lambda: runs.append(now[0]), delay=0.02, max_wait=0.1)

    def advance_to(t):
        while scheduled and min(item[0] for item in scheduled) <= t:
            due, callback, args = scheduled.pop(scheduled.index(min(scheduled, key=lambda item: item[0])))
            now[0] = due
            callback(*args)
        now[0] = t

    for step in range(40):  # a request every 5 ms: never quiet for 20 ms
        advance_to(step * 0.005)
        coalescer.request()
    advance_to(1.0)
    assert 0.1 <= runs[0] <= 0.1 + 0.02  # max_wait reached during the stream (checked every <= 20 ms)
    assert runs[-1] == pytest.approx(0.195 + 0.02)  # 20 ms after the last request
    assert len(runs) == 2


def test_requests_from_another_thread_run_on_the_home_loop_one_at_a_time():
    """ipykernel 7 may run widget callbacks on a subshell thread: runs must still happen on the main loop."""
    import threading

    ran_on = []

    async def main():
        coalescer = Coalescer(lambda: ran_on.append(threading.current_thread().name), delay=0.01)
        threads = [threading.Thread(target=lambda: [coalescer.request() for _ in range(50)]) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            await asyncio.to_thread(thread.join)
        await asyncio.sleep(0.2)
        return coalescer

    coalescer = asyncio.run(main())
    assert ran_on and set(ran_on) == {threading.main_thread().name}
    assert not coalescer.pending
