"""The speculator: slices on the event loop, dropped by pause(), and never while a notebook cell runs."""

import asyncio

from optloop_helpers.interactive import speculate
from optloop_helpers.interactive.speculate import CellActivity, Speculator


def counting_plan(log, pieces=1000):
    for n in range(pieces):
        log.append(n)
        yield


def test_pause_drops_the_plan_and_start_replaces_it():
    log = []
    speculator = Speculator()
    speculator.start(counting_plan(log))
    assert speculator.step() and speculator.step() and log == [0, 1]
    speculator.pause()
    assert not speculator.busy and not speculator.step() and log == [0, 1]
    speculator.start(counting_plan(log, pieces=2))
    assert speculator.drain() == 2 and log == [0, 1, 0, 1] and not speculator.busy


def test_slices_run_on_the_loop_only_once_no_cell_has_run_for_idle_delay(monkeypatch):
    cells = CellActivity()
    monkeypatch.setattr(speculate, "CELLS", cells)
    log = []

    async def scenario():
        speculator = Speculator(idle_delay=0.02)
        cells._started()  # a cell is running
        speculator.start(counting_plan(log))
        await asyncio.sleep(0.1)
        during = len(log)
        cells._ended()
        await asyncio.sleep(0.01)
        just_after = len(log)  # the kernel has not been idle for idle_delay yet
        await asyncio.sleep(0.1)
        speculator.pause()
        return during, just_after, len(log)

    during, just_after, later = asyncio.run(scenario())
    assert during == 0 and just_after == 0 and later > 0


def test_cell_activity_waits_while_a_cell_runs():
    cells = CellActivity()
    assert cells.wait(0.05) == 0.0  # no cell ever ran (a script)
    cells._started()
    assert cells.wait(0.05) == 0.05
    cells._ended()
    assert 0 < cells.wait(0.05) <= 0.05
    cells.hook()  # outside IPython: nothing to listen to
    assert not cells.running


def test_one_speculator_works_at_a_time_and_a_change_stops_them_all():
    first, second, log = Speculator(), Speculator(), []
    first.start(counting_plan(log))
    second.start(counting_plan(log))  # the learner moved on to another tool
    assert not first.busy and second.busy
    first.start(counting_plan(log))
    Speculator.pause_all()  # a control changed somewhere
    assert not first.busy and not second.busy
