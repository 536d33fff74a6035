"""The live figure (PNG frames through a display handle, throttled, blitted) and the live loss plot."""

import io

import matplotlib
import numpy as np
from PIL import Image

matplotlib.use("Agg")

import pytest
import torch
from torch import nn

from optloop_helpers import LinearRegressionModel, fit, make_line_data
from optloop_helpers.interactive.live import LiveFigure, LiveLossPlot


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


def test_slow_frames_are_sent_less_often(monkeypatch):
    live = LiveFigure(ncols=1, figsize=(3, 2), min_interval=0.0)
    live.handle = type("Handle", (), {"update": lambda self, data, raw: None})()
    clock = iter([0.0, 1.0, 1.5, 9.9, 10.0])
    monkeypatch.setattr("optloop_helpers.interactive.live.time.perf_counter", lambda: next(clock))
    assert live.push() is True  # at 0.0 s; the frame takes 1 s, so with a 10 % budget the next waits 9 s
    assert live.push() is False  # at 1.5 s: too early
    assert live.push() is True  # at 9.9 s


def test_live_loss_plot_follows_fit_and_shows_divergence():
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
    with pytest.raises(error) as info:
        LiveLossPlot(**kwargs)
    assert message in str(info.value)


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
