"""Remembered, prefix-reused and speculated runs are bit for bit the runs a fresh ``fit`` gives."""

import asyncio
import dataclasses
import importlib
import math
import tracemalloc

import pytest
import torch

from optloop_helpers import playground
from optloop_helpers.interactive import cache as cache_module
from optloop_helpers.interactive.cache import FRAMES, RUNS, FrameCache, RunCache, path_key
from optloop_helpers.interactive.neighbours import neighbours, slider_value
from optloop_helpers.interactive.settings import CONTROL_NAMES, LR, SETTING_NAMES, Settings, run_experiment

FIELDS = ("epochs", "train_loss", "test_loss", "params", "epochs_run", "train_loss_by_epoch", "diverged_epoch",
          "diverged_loss", "final_train_loss", "final_test_loss", "final_params")


def same(x, y) -> bool:
    """Equal bit for bit: floats (NaN equals NaN), tensors (values, dtype, shape), and lists/dicts of them."""
    if isinstance(x, float) and isinstance(y, float):
        return x == y or (math.isnan(x) and math.isnan(y))
    if isinstance(x, torch.Tensor):
        return isinstance(y, torch.Tensor) and x.dtype == y.dtype and x.shape == y.shape and torch.equal(x, y)
    if isinstance(x, dict):
        return isinstance(y, dict) and x.keys() == y.keys() and all(same(x[k], y[k]) for k in x)
    if isinstance(x, list):
        return isinstance(y, list) and len(x) == len(y) and all(same(a, b) for a, b in zip(x, y, strict=True))
    return type(x) is type(y) and x == y


def assert_same_run(run, settings):
    fresh = run_experiment(settings).history
    for name in FIELDS:
        assert same(getattr(run.history, name), getattr(fresh, name)), f"{name} differs for {settings}"
    assert run.settings == settings and run.start == run_experiment(settings).start


CASES = [  # (path settings, epoch counts in the order asked: first, then shrink / grow)
    (dict(), (300, 100, 310, 1000)),
    (dict(optimizer="momentum", momentum=0.9, lr=0.05), (200, 60, 600)),
    (dict(optimizer="momentum", momentum=0.5, lr=0.3, loss="mse", noise=0.2), (120, 500, 30)),
    (dict(optimizer="adam", lr=0.05), (500, 120, 1200)),
    (dict(optimizer="adam", lr=0.1, loss="mse", noise=0.3, seed=7), (50, 400)),
    (dict(loss="l1", lr=1.0, noise=0.1, seed=3), (300, 777)),
    (dict(loss="mse", lr=10.0), (10, 20, 300)),  # diverges at epoch 15: before, at and past it
    (dict(loss="mse", lr=0.91), (100, 5000, 417, 418, 419)),  # the zig-zag that grows, then blows up
    (dict(batch_size=8, optimizer="momentum", lr=0.05, noise=0.1), (40, 10, 90)),  # mini-batches: the shuffle
    (dict(batch_size=1, optimizer="adam", lr=0.01, loss="mse"), (20, 35)),  # generator is continued, too
]


@pytest.mark.parametrize(("values", "epoch_counts"), CASES)
def test_cached_shrunk_and_grown_runs_equal_fresh_runs_bit_for_bit(values, epoch_counts):
    cache = RunCache()
    for epochs in epoch_counts:
        settings = Settings(epochs=epochs, **values)
        assert_same_run(cache.run(settings), settings)  # trained, a prefix of a longer run, or continued
        assert_same_run(cache.run(settings), settings)  # and again from the cache
    assert len(cache) == 1  # one path: the epochs are a prefix


def test_growing_continues_the_stored_state_instead_of_starting_over(monkeypatch):
    cache = RunCache()
    cache.run(Settings(optimizer="adam", epochs=300))
    steps = []
    real = cache_module._train_epoch
    monkeypatch.setattr(cache_module, "_train_epoch", lambda *args: steps.append(1) or real(*args))
    cache.run(Settings(optimizer="adam", epochs=310))
    cache.run(Settings(optimizer="adam", epochs=120))
    assert len(steps) == 10  # 10 new epochs for the longer run, none for the shorter one


@pytest.mark.parametrize("name", [name for name in SETTING_NAMES if name != "epochs"])
def test_every_setting_but_epochs_is_part_of_the_cache_key(name):
    base = Settings(optimizer="momentum", noise=0.1)  # momentum matters with this optimizer
    other = {"lr": 0.02, "optimizer": "adam", "loss": "mse", "noise": 0.2, "seed": 43, "momentum": 0.5,
             "batch_size": 8}[name]
    changed = dataclasses.replace(base, **{name: other})
    assert path_key(changed) != path_key(base)
    cache = RunCache()
    first, second = cache.run(base), cache.run(changed)
    assert len(cache) == 2 and second.history.train_loss != first.history.train_loss
    assert_same_run(second, changed)


def test_the_key_covers_every_field_of_settings():
    assert set(SETTING_NAMES) - {"epochs"} == {f.name for f in dataclasses.fields(Settings)} - {"epochs"}
    assert len(path_key(Settings())) == len(SETTING_NAMES) - 1
    assert path_key(Settings(epochs=10)) == path_key(Settings(epochs=5000))


def test_memory_stays_bounded_after_200_different_settings():
    cache, frames = RunCache(budget=200_000), FrameCache(budget=50_000)
    tracemalloc.start()
    try:
        sizes = []
        for i in range(200):
            cache.run(Settings(lr=0.001 + i * 0.001, epochs=200))
            frames.put(i, bytes(1000 + i))
            assert cache.nbytes <= cache.budget and frames.nbytes <= frames.budget
            if i in (99, 199):
                sizes.append(tracemalloc.get_traced_memory()[0])
    finally:
        tracemalloc.stop()
    assert len(cache) < 200 and len(frames) < 200
    assert sizes[1] - sizes[0] < 100_000, f"Python memory grew by {sizes[1] - sizes[0]} bytes"


def test_the_newest_run_stays_even_when_it_alone_is_over_the_budget():
    cache = RunCache(budget=1)
    run = cache.run(Settings(epochs=100))
    assert len(cache) == 1 and cache.covers(Settings(epochs=100)) and run.history.epochs_run == 100


def test_runs_leave_the_global_random_state_alone():
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    RunCache().run(Settings(seed=5, epochs=50))
    assert torch.equal(torch.rand(3), expected)


def test_neighbours_are_the_slider_steps_the_controls_take():
    assert [s.lr for s in neighbours(Settings(lr=0.01), ("lr",))] == [0.01122, 0.008913, 0.01259, 0.007943]
    assert slider_value(LR, LR.high, 1) is None and slider_value(LR, LR.low, -1) is None
    assert [s.epochs for s in neighbours(Settings(epochs=10), ("epochs",))] == [20, 30]
    assert neighbours(Settings(optimizer="sgd"), ("momentum",)) == []  # β does not matter for plain SGD
    assert all(n != Settings() for n in neighbours(Settings(), CONTROL_NAMES))
    assert len(set(neighbours(Settings(), CONTROL_NAMES))) == len(neighbours(Settings(), CONTROL_NAMES))


def test_a_slider_value_is_kept_as_its_readout_shows_it():
    js_value = 10 ** (-4 + 41 * 0.05)  # what a front end may send after 41 steps from the low end
    assert Settings(lr=js_value).lr == 0.01122 == Settings(lr=0.011220184543019636).lr
    assert Settings(noise=0.21000000000000002).noise == 0.21 and Settings(momentum=0.899999).momentum == 0.9


class Handle:
    def __init__(self) -> None:
        self.updates = 0

    def update(self, data, raw=False) -> None:
        self.updates += 1


def displayed(**settings):
    pg = playground(**settings)
    pg.view.live.handle = Handle()
    return pg


def test_speculated_runs_and_frames_equal_fresh_runs_and_need_no_training(monkeypatch):
    RUNS.clear()
    FRAMES.clear()
    pg = displayed(optimizer="momentum", noise=0.1, epochs=120)
    pg.run()
    assert pg.speculator.busy and pg.speculator.drain() > 0
    steps = importlib.import_module("optloop_helpers.interactive.playground")._steps
    shown = Settings(optimizer="momentum", noise=0.1, epochs=120)
    nearby = [s for s in neighbours(shown, pg.controls) if steps(s) <= 4 * steps(shown)]  # the costly ones wait
    assert len(nearby) >= 15
    for settings in nearby:
        assert RUNS.covers(settings), settings
        assert_same_run(RUNS.run(settings), settings)
    monkeypatch.setattr(cache_module, "_train_epoch", lambda *args: pytest.fail("trained a speculated run"))
    frames = pg.view.live.frames
    pg.controls["lr"].value = nearby[0].lr  # one slider step: shown from the cache, its frame too
    assert pg.last_run.settings == nearby[0] and pg.view.live.frames == frames + 1
    assert pg.view.headline_text().startswith("epoch 119 of 120 | weights ")
    assert_same_run(pg.last_run, nearby[0])


def test_speculation_stops_at_the_budget(monkeypatch):
    RUNS.clear()
    monkeypatch.setattr(RUNS, "budget", 1)
    pg = displayed(epochs=50)
    pg.run()
    pg.speculator.drain()
    assert len(RUNS) == 1  # the run shown, nothing speculated


def test_a_control_change_pre_empts_speculation_at_once():
    """Counting hook: after a control change no speculative piece runs before the learner's run."""
    RUNS.clear()
    FRAMES.clear()
    events = []

    async def scenario():
        pg = displayed(epochs=300)
        pg.speculator.on_slice = lambda: events.append("slice")
        real_run = pg._run
        pg._run = lambda: events.append("run") or real_run()
        pg.run()
        events.clear()
        while events.count("slice") < 3:  # speculation running in slices on the loop
            await asyncio.sleep(0.001)
        events.append("change")
        pg.controls["lr"].value = 0.5  # never speculated: a cold run
        while "run" not in events[events.index("change"):]:
            await asyncio.sleep(0.001)
        await asyncio.sleep(0.2)  # the new run's own speculation starts after idle_delay
        return pg

    pg = asyncio.run(scenario())
    after = events[events.index("change") + 1:]
    assert after[0] == "run", f"a speculative piece ran between the change and the run: {after[:5]}"
    assert "slice" in after[1:]  # and speculation resumed around the new run once it was shown
    assert pg.last_run.settings.lr == 0.5


def test_the_batch_size_control_trains_on_mini_batches_as_fit_does():
    from optloop_helpers import LinearRegressionModel, fit
    from optloop_helpers.interactive.settings import make_data

    pg = playground(batch_size=8, epochs=30, controls=("lr", "batch_size"))
    assert pg.controls["batch_size"].value == 8 and pg.controls["batch_size"].description == "batch size"
    history = pg.run()
    torch.manual_seed(42)
    model = LinearRegressionModel()
    expected = fit(model, make_data(), torch.nn.L1Loss(), torch.optim.SGD(model.parameters(), lr=0.01), epochs=30,
                   eval_every=Settings(epochs=30).eval_every, batch_size=8,
                   generator=torch.Generator().manual_seed(42))
    assert history.train_loss_by_epoch == expected.train_loss_by_epoch and history.test_loss == expected.test_loss
    pg.controls["batch_size"].index = 0  # back to "full batch": the article's loop
    assert pg.last_run.settings.batch_size is None and "batch_size=" not in pg.share()
    with pytest.raises(ValueError, match="batch_size must be one of None, 1, 2, 4, 8, 16, got 3"):
        playground(batch_size=3)
    with pytest.raises(TypeError, match="batch_size must be one of .*got True"):
        playground(batch_size=True)


def test_small_batches_make_a_noisy_path_on_the_landscape():
    def winding(batch_size):  # the path drawn on the landscape: its length over the distance it covers
        history = RunCache().run(Settings(batch_size=batch_size, epochs=100, lr=0.05, loss="mse", noise=0.05)).history
        points = list(zip(history.param("weights"), history.param("bias"), strict=True))
        length = sum(math.dist(a, b) for a, b in zip(points, points[1:], strict=False))
        return length / math.dist(points[0], points[-1])

    assert winding(1) > 1.5 * winding(None) and winding(8) > winding(None)


def test_speculation_leaves_out_runs_far_costlier_than_the_one_shown():
    RUNS.clear()
    pg = displayed(epochs=50, controls=("batch_size",))
    pg.run()
    pg.speculator.drain()
    trained = {settings.batch_size for settings in neighbours(Settings(epochs=50), ("batch_size",))
               if RUNS.covers(settings)}
    assert trained == {16}  # 3 steps an epoch; batch sizes 1 to 8 take 5 to 40 times the full batch's steps
    pg = displayed(epochs=50, batch_size=8, controls=("batch_size",))
    pg.run()
    pg.speculator.drain()
    assert RUNS.covers(Settings(epochs=50, batch_size=16)) and RUNS.covers(Settings(epochs=50))
    assert not RUNS.covers(Settings(epochs=50, batch_size=1))  # 40 steps an epoch against 5
