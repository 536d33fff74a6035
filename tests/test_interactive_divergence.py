"""A diverged run is drawn, not blank: finite curves, a log axis when needed, a marker, an arrow at the frame."""

import math

import matplotlib

matplotlib.use("Agg")

import pytest

from optloop_helpers.interactive.divergence import (
    finite_prefix,
    in_frame,
    log_note,
    loss_ylim,
    needs_log_scale,
)
from optloop_helpers.interactive.settings import PRESETS, SETTING_NAMES, Settings, begin_run, run_experiment
from optloop_helpers.interactive.view import TrainingView


def finished_view(settings):
    view = TrainingView(begin_run(settings))
    run = run_experiment(settings, callback=view.update)
    view.finish(run)
    assert view.png.startswith(b"\x89PNG")  # draw it, as a frame does
    return view, run.history


@pytest.fixture(scope="module")
def diverged():
    preset = PRESETS["too big: diverges"]
    return finished_view(Settings(**{name: preset[name] for name in SETTING_NAMES if name in preset}))


def test_the_diverged_curves_hold_every_finite_loss_and_nothing_else(diverged):
    view, history = diverged
    assert history.diverged and view.final
    train = list(view.train_line.get_ydata())
    assert train and all(math.isfinite(v) for v in train)
    assert train == finite_prefix(history.train_loss_by_epoch)
    assert list(view.train_line.get_xdata()) == list(range(len(train)))
    assert all(math.isfinite(v) for v in view.test_line.get_ydata())
    low, high = view.live.axes[0].get_ylim()
    assert low <= min(train) and max(train) <= high  # the curve is inside the chart up to its last finite loss


def test_the_loss_axis_turns_log_by_itself_and_says_so(diverged):
    view, _ = diverged
    ax = view.live.axes[0]
    assert ax.get_yscale() == "log"
    notes = [text.get_text() for text in ax.texts if text.get_text().startswith("log scale")]
    assert len(notes) == 1 and "orders of magnitude" in notes[0]


def test_where_the_curve_left_the_chart_is_marked(diverged):
    view, history = diverged
    assert list(view.left_marker.get_xdata()) == [history.diverged_epoch]
    assert view.left_label.get_text() == f"inf at epoch {history.diverged_epoch}"


def test_the_path_stops_in_the_frame_and_an_arrow_points_where_it_went(diverged):
    view, _ = diverged
    (w_low, w_high), (b_low, b_high) = view._frame
    for w, b in zip(view.path_line.get_xdata(), view.path_line.get_ydata(), strict=True):
        assert w_low <= w <= w_high and b_low <= b <= b_high
    assert view.arrow.get_visible()
    (x0, y0), (x1, y1) = view.arrow._posA_posB
    assert (x0, y0) == (view.path_line.get_xdata()[-1], view.path_line.get_ydata()[-1])
    on_edge = [math.isclose(x1, w_low), math.isclose(x1, w_high), math.isclose(y1, b_low), math.isclose(y1, b_high)]
    assert any(on_edge) and w_low <= x1 <= w_high and b_low <= y1 <= b_high


def test_counter_headline_and_message_name_the_same_epoch(diverged):
    view, history = diverged
    epoch = history.diverged_epoch
    assert view.counter.get_text() == f"epoch {epoch} of 300"
    assert view.headline.get_text() == f"diverged at epoch {epoch}: try a smaller learning rate"


def test_a_finished_run_counts_epochs_like_range_and_has_no_divergence_marks():
    view, history = finished_view(Settings(epochs=50))
    assert view.counter.get_text() == "epoch 49 of 50"
    assert view.headline.get_text().startswith("epoch 49 of 50 | ")
    assert not view.arrow.get_visible() and view.left_label.get_text() == ""
    assert view.live.axes[0].get_yscale() == "linear"
    assert len(view.train_line.get_xdata()) == history.epochs_run == 50


def test_the_landscape_has_a_colour_bar_that_says_which_colour_is_low(diverged):
    view, _ = diverged
    bars = [ax for ax in view.live.figure.axes if ax not in view.live.axes]
    assert len(bars) == 1 and bars[0].get_ylabel() == "training loss (yellow = low)"
    view.prepare(begin_run(Settings(loss="l1", epochs=20)))
    assert view.png  # a new landscape: the old colour bar goes, one new one comes
    assert len([ax for ax in view.live.figure.axes if ax not in view.live.axes]) == 1


def test_in_frame_keeps_the_inside_points_and_clips_the_arrow_at_the_edge():
    inf, nan = math.inf, math.nan
    assert in_frame([(0.0, 0.0), (0.5, 0.0)], (-1, 1), (-1, 1)) == ([(0.0, 0.0), (0.5, 0.0)], None)
    assert in_frame([(0.0, 0.0), (0.0, -3.0)], (-1, 1), (-1, 1)) == ([(0.0, 0.0)], (0.0, -1.0))
    assert in_frame([(0.0, 0.0), (inf, 0.0)], (-1, 1), (-1, 1)) == ([(0.0, 0.0)], (1.0, 0.0))
    assert in_frame([(0.0, 0.0), (nan, 0.0)], (-1, 1), (-1, 1)) == ([(0.0, 0.0)], None)
    kept, edge = in_frame([(0.0, 0.0), (4.0, 2.0)], (-1, 1), (-1, 1))
    assert kept == [(0.0, 0.0)] and edge == pytest.approx((1.0, 0.5))


def test_log_scale_only_for_losses_spanning_more_than_a_thousandfold():
    assert not needs_log_scale([1.0, 999.0]) and needs_log_scale([1.0, 1001.0, math.inf])
    assert log_note([1.0, 2.0]) == "" and log_note([1.0, 1e5]) == "log scale: the losses span 5 orders of magnitude"
    assert loss_ylim(1.0, [math.nan, 3.0], log=False) == pytest.approx((0.0, 3.3))
