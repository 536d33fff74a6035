"""The playground's three-panel view is handed the run it draws and redraws only what changed."""

import matplotlib

matplotlib.use("Agg")

import pytest
import torch

from optloop_helpers.interactive.settings import Settings, begin_run, run_experiment
from optloop_helpers.interactive.view import TrainingView


def test_changing_only_the_epochs_redraws_only_the_loss_axes():
    view = TrainingView(begin_run(Settings(epochs=100)))
    assert view.png  # draw and render, as a new frame does
    draws = []
    view.live.canvas.mpl_connect("draw_event", lambda event: draws.append(event))
    view.prepare(begin_run(Settings(epochs=200)))
    assert view.png  # draw and render, as a new frame does
    assert draws == [] and view.live.axes[0].get_xlim() == (0, 200)
    view.prepare(begin_run(Settings(epochs=200, loss="mse")))  # a new loss: a new landscape, a full draw
    assert view.png  # draw and render, as a new frame does
    assert len(draws) == 1


def test_the_view_draws_the_run_it_is_handed_and_leaves_the_random_state_alone():
    settings = Settings(epochs=100, noise=0.2, seed=7)
    run = run_experiment(settings)
    torch.manual_seed(0)
    expected = torch.rand(1)
    torch.manual_seed(0)
    view = TrainingView(begin_run(settings), log_scale=True)
    view.finish(run)
    assert view.png.startswith(b"\x89PNG")
    assert torch.equal(torch.rand(1), expected)  # neither begin_run nor the view re-seeded torch
    scattered = view.live.axes[1].collections[0].get_offsets()[:, 1]
    assert scattered.tolist() == run.data.y_train.flatten().tolist()  # the run's noisy data, not a new one
    assert list(view.path_line.get_xdata())[0] == run.start[0]
    assert view.live.axes[0].get_yscale() == "log"


def test_prepare_wants_a_run():
    with pytest.raises(TypeError, match="run must be a Run \\(from begin_run\\(settings\\)\\), got Settings"):
        TrainingView(Settings())
