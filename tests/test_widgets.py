"""step_explorer, the controls, the live figure and the coalescer."""

import asyncio
import io

import matplotlib
import numpy as np
from PIL import Image

matplotlib.use("Agg")

import pytest
import torch
import traitlets
from torch import nn

from optloop_helpers import LinearRegressionModel, LiveFigure, make_line_data, step_explorer
from optloop_helpers.coalesce import Coalescer
from optloop_helpers.widgets import DESCRIPTIONS, make_control


def one_step(lr, loss_fn=None):
    data = make_line_data()
    torch.manual_seed(42)
    model = LinearRegressionModel()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss = (loss_fn or nn.L1Loss())(model(data.X_train), data.y_train)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return model.weights.item(), model.bias.item()


@pytest.mark.parametrize("lr", [0.0001, 0.01, 0.5, 10.0])
def test_step_explorer_shows_where_one_step_lands(lr):
    explorer = step_explorer(lr=0.002)
    explorer.controls["lr"].value = lr  # a change: the step is taken and drawn at once (no event loop here)
    weights, bias = one_step(lr)
    assert explorer.history.param("weights") == [weights]
    assert explorer.history.param("bias") == [bias]
    view = explorer.view
    assert list(view.after_line.get_ydata()) == pytest.approx([bias, weights + bias])
    assert view.arrow.U[0] == pytest.approx(weights - 0.3367, abs=1e-4)
    assert view.arrow.V[0] == pytest.approx(bias - 0.1288, abs=1e-4)
    assert list(view.end.get_xdata()) == [weights]
    assert view.headline.get_text().startswith(f"learning rate {lr:.4g}: weights 0.3367 -> {weights:.4f}")
    assert ("jumps off the map" in view.headline.get_text()) == (lr == 10.0)
    assert explorer.error is None


def test_step_explorer_with_mse_and_run_returns_the_history():
    explorer = step_explorer(loss="mse")
    history = explorer.run()
    assert history is explorer.history and history.epochs_run == 1
    assert history.param("weights") == [one_step(0.01, nn.MSELoss())[0]]
    assert "optloop-step-explorer" in explorer.box._dom_classes
    assert "optloop-control-lr" in explorer.controls["lr"]._dom_classes


def test_step_explorer_lr_slider_is_bounded():
    explorer = step_explorer()
    explorer.controls["lr"].value = 1000
    assert explorer.controls["lr"].value == 10
    explorer.controls["lr"].value = 1e-12
    assert explorer.controls["lr"].value == pytest.approx(1e-4)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"loss": "huber"}, ValueError, "loss must be one of 'l1', 'mse', got 'huber'"),
        ({"data": "points"}, TypeError, "data must have X_train, y_train, weight and bias (e.g. make_line_data()), got str without X_train"),
        ({"lr": 0}, ValueError, "lr must be between 0.0001 and 10, got 0"),
    ],
)
def test_step_explorer_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error) as info:
        step_explorer(**kwargs)
    assert message in str(info.value)


def test_a_failing_step_is_a_message_not_an_exception(monkeypatch):
    explorer = step_explorer()
    monkeypatch.setattr(explorer.view, "draw_step", lambda *a: (_ for _ in ()).throw(ValueError("no picture")))
    explorer.controls["lr"].value = 0.1
    assert explorer.view.headline.get_text() == "something went wrong: ValueError: no picture"


def test_make_control_gives_every_control_its_description_and_class():
    values = {"preset": "custom", "lr": 0.01, "epochs": 300, "optimizer": "sgd", "loss": "l1", "noise": 0.0,
              "seed": 42, "log_scale": False}
    for name, value in values.items():
        control = make_control(name, value)
        assert control.description == DESCRIPTIONS[name]
        assert f"optloop-control-{name}" in control._dom_classes
    with pytest.raises(ValueError, match="name must be one of 'preset', 'lr'"):
        make_control("speed", 1)
    with pytest.raises(traitlets.TraitError):
        make_control("optimizer", "rmsprop")


def test_live_figure_redraws_static_parts_only_when_told():
    live = LiveFigure(ncols=1, figsize=(3, 2))
    line = live.animate(live.axes[0].plot([], [])[0])
    draws = []
    live.canvas.mpl_connect("draw_event", lambda event: draws.append(event))
    for i in range(5):
        line.set_data([0, 1], [0, i])
        live.render()
    assert len(draws) == 1  # one full draw, then blitting
    live.invalidate()
    live.render()
    assert len(draws) == 2 and live.frames == 6


def test_live_figure_frames_differ_when_the_data_moves():
    live = LiveFigure(ncols=1, figsize=(3, 2))
    line = live.animate(live.axes[0].plot([], [], linewidth=3)[0])
    live.axes[0].set_xlim(0, 1)
    live.axes[0].set_ylim(0, 1)
    line.set_data([0, 1], [0, 1])
    first = live.render()
    line.set_data([0, 1], [1, 0])
    assert live.render() != first


def test_live_figure_push_throttles_but_always_sends_the_final_frame():
    live = LiveFigure(ncols=1, figsize=(3, 2), min_interval=3600)
    sent = []

    class Handle:
        def update(self, data, raw):
            sent.append(data)

    assert live.push() is False  # not displayed: nothing to do
    live.handle = Handle()
    assert [live.push(), live.push(), live.push(final=True)] == [True, False, True]
    assert len(sent) == 2
    assert live._repr_mimebundle_()["text/plain"] == "<optloop live figure>"


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


def test_slow_frames_are_sent_less_often(monkeypatch):
    live = LiveFigure(ncols=1, figsize=(3, 2), min_interval=0.0)
    live.handle = type("Handle", (), {"update": lambda self, data, raw: None})()
    clock = iter([0.0, 1.0, 1.5, 9.9, 10.0])
    monkeypatch.setattr("optloop_helpers.live.time.perf_counter", lambda: next(clock))
    assert live.push() is True  # at 0.0 s; the frame takes 1 s, so with a 10 % budget the next waits 9 s
    assert live.push() is False  # at 1.5 s: too early
    assert live.push() is True  # at 9.9 s


def test_live_loss_plot_follows_fit_and_shows_divergence():
    from optloop_helpers import LiveLossPlot, fit

    torch.manual_seed(42)
    model = LinearRegressionModel()
    plot = LiveLossPlot(epochs=200)
    history = fit(model, make_line_data(), nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=10), 200,
                  eval_every=1, callback=plot)
    plot.finish(history)
    assert history.diverged
    assert list(plot.test_line.get_ydata()) == history.test_loss
    assert plot.counter.get_text() == f"diverged at epoch {history.diverged_epoch}: try a smaller learning rate"
    assert plot.live.png.startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"epochs": 0}, ValueError, "epochs must be an integer >= 1, got 0"),
        ({"epochs": 10, "log_scale": 1}, TypeError, "log_scale must be True or False, got 1"),
    ],
)
def test_live_loss_plot_rejects_bad_arguments(kwargs, error, message):
    from optloop_helpers import LiveLossPlot

    with pytest.raises(error) as info:
        LiveLossPlot(**kwargs)
    assert message in str(info.value)


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
    monkeypatch.setattr("optloop_helpers.coalesce.running_loop", lambda: loop)
    monkeypatch.setattr("optloop_helpers.coalesce.time.perf_counter", lambda: now[0])
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


def test_live_figure_can_redraw_one_axes_without_a_full_draw():
    live = LiveFigure(ncols=2, figsize=(6, 2.5))
    left, right = live.axes
    line = live.animate(left.plot([0, 1], [0, 1])[0])
    right.plot([0, 1], [1, 0])
    draws = []
    live.canvas.mpl_connect("draw_event", lambda event: draws.append(event))
    before = live.render()
    left.set_xlim(0, 10)
    line.set_data([0, 10], [0, 1])
    live.invalidate(left)
    partial = live.render()
    assert len(draws) == 1  # no full draw: only the left axes was drawn again
    old, new = (np.asarray(Image.open(io.BytesIO(png))) for png in (before, partial))
    cut = int((left.get_position().x1 + right.get_position().x0) / 2 * old.shape[1]) + 1  # between the axes
    assert (old[:, cut:] == new[:, cut:]).all()  # the right axes is untouched
    assert (old[:, :cut] != new[:, :cut]).any()  # the left one shows the new limits and line


def test_changing_only_the_epochs_redraws_only_the_loss_axes():
    from optloop_helpers.experiment import Settings
    from optloop_helpers.training_view import TrainingView

    view = TrainingView()
    view.prepare(Settings(epochs=100))
    view.live.render()
    draws = []
    view.live.canvas.mpl_connect("draw_event", lambda event: draws.append(event))
    view.prepare(Settings(epochs=200))
    view.live.render()
    assert draws == [] and view.live.axes[0].get_xlim() == (0, 200)
    view.prepare(Settings(epochs=200, loss="mse"))  # a new loss: a new landscape, a full draw
    view.live.render()
    assert len(draws) == 1


def test_showing_a_live_figure_twice_keeps_one_display_id(monkeypatch):
    shown = []

    class Handle:
        display_id = "abc"

    def fake_display(obj, raw=False, display_id=None):
        shown.append(display_id)
        return Handle() if display_id is True else None

    monkeypatch.setattr("IPython.display.display", fake_display)
    live = LiveFigure(ncols=1, figsize=(3, 2))
    live.show()
    live.show()  # e.g. the playground displayed again in a later cell: both outputs get the frames
    assert shown == [True, "abc"] and live.handle.display_id == "abc"


def test_the_step_goes_downhill_along_minus_the_gradient():
    explorer = step_explorer(lr=0.5)
    explorer.run()
    dw, db = explorer.view.downhill(explorer.start)
    # L1 at the seeded start: every prediction is too low, so the gradient is (-mean(X_train), -1)
    mean_x = make_line_data().X_train.mean().item()
    norm = (mean_x**2 + 1) ** 0.5
    assert (dw, db) == pytest.approx((mean_x / norm, 1 / norm))
    step = (explorer.history.param("weights")[0] - 0.3367, explorer.history.param("bias")[0] - 0.1288)
    assert step[0] / step[1] == pytest.approx(dw / db, rel=1e-3)  # the step is along that direction
