"""Momentum β is a setting like any other; pg.settings is a plain dict that repeats the run exactly; edge presets."""

import math
from itertools import pairwise

import matplotlib

matplotlib.use("Agg")

import pytest
import torch
from torch import nn

from optloop_helpers import LinearRegressionModel, fit, make_line_data, playground
from optloop_helpers.interactive.controls import make_control
from optloop_helpers.interactive.settings import (
    PRESETS,
    SPECS,
    STABLE_LR_LIMIT,
    Settings,
    make_data,
    run_experiment,
    stable_lr_limit,
)


def assert_same_history(one, other):
    assert one.epochs == other.epochs and one.epochs_run == other.epochs_run
    assert one.train_loss == other.train_loss and one.test_loss == other.test_loss
    assert one.train_loss_by_epoch == other.train_loss_by_epoch
    assert (one.final_train_loss, one.final_test_loss) == (other.final_train_loss, other.final_test_loss)
    assert all(torch.equal(a[name], b[name]) for a, b in zip(one.params, other.params, strict=True) for name in a)
    assert all(torch.equal(one.final_params[name], other.final_params[name]) for name in one.final_params)


def test_the_momentum_slider_takes_its_bounds_step_default_and_label_from_its_spec():
    spec = SPECS["momentum"]
    assert (spec.low, spec.high, spec.step, spec.default, spec.label) == (0.0, 0.99, 0.01, 0.9, "momentum β")
    slider = playground().controls["momentum"]
    assert (slider.min, slider.max, slider.step, slider.value) == (spec.low, spec.high, spec.step, spec.default)
    assert slider.description == spec.label == make_control("momentum", 0.5).description
    assert Settings().momentum == 0.9 and playground().settings["momentum"] == 0.9


def test_a_run_with_momentum_half_is_a_direct_fit_with_torch_sgd_momentum_half():
    pg = playground(optimizer="momentum", momentum=0.5, lr=0.05, epochs=120, loss="mse", noise=0.1, seed=7)
    history = pg.run()
    torch.manual_seed(7)
    model = LinearRegressionModel()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.5)
    expected = fit(model, make_line_data(noise_std=0.1, seed=7), nn.MSELoss(), optimizer, 120, eval_every=3)
    assert_same_history(history, expected)
    assert history.train_loss != run_experiment(Settings(optimizer="momentum", momentum=0.9, lr=0.05, epochs=120,
                                                         loss="mse", noise=0.1, seed=7)).history.train_loss


def test_the_momentum_control_is_greyed_out_unless_the_optimizer_is_momentum():
    pg = playground(epochs=10)
    momentum = pg.controls["momentum"]
    assert momentum.disabled and not pg.controls["lr"].disabled
    pg.controls["optimizer"].value = "momentum"
    assert not momentum.disabled
    pg.controls["optimizer"].value = "adam"
    assert momentum.disabled
    pg.set(optimizer="momentum", momentum=0.3)
    assert not momentum.disabled and pg.last_run.settings.momentum == 0.3
    pg.apply_preset("about right")  # plain SGD
    assert momentum.disabled and pg.settings["momentum"] == 0.3  # kept, unused
    assert not playground(optimizer="momentum").controls["momentum"].disabled


def test_settings_is_a_plain_dict_that_repeats_the_run_exactly():
    pg = playground(optimizer="momentum", momentum=0.6, lr=0.03, epochs=80, loss="mse", noise=0.2, seed=5,
                    log_scale=True, controls=("lr", "momentum"))
    pg.controls["momentum"].value = 0.75
    assert pg.settings == {"lr": 0.03, "epochs": 80, "optimizer": "momentum", "loss": "mse", "noise": 0.2,
                           "seed": 5, "momentum": 0.75, "batch_size": None, "log_scale": True}
    assert set(pg.settings) == {name for name in SPECS if name != "preset"}
    assert isinstance(pg.settings, dict)
    assert type(pg.settings) is dict
    again = playground(**pg.settings)
    assert again.settings == pg.settings
    assert_same_history(again.run(), pg.run())
    assert again.last_run.weights == pg.last_run.weights


def test_share_is_a_line_of_code_that_repeats_the_run():
    pg = playground(controls=("lr", "optimizer", "momentum"))
    pg.set(optimizer="momentum", momentum=0.5, seed=3)
    line = pg.share()
    assert line == "playground(optimizer='momentum', seed=3, momentum=0.5, controls=('lr', 'optimizer', 'momentum'))"
    again = eval(line, {"playground": playground})  # noqa: S307 - our own string, as an instructor pastes it
    assert_same_history(again.run(), pg.run())
    assert playground().share() == "playground()"


def test_the_stable_learning_rate_limit_is_two_over_the_hessians_largest_eigenvalue():
    data = make_data()
    design = torch.cat([data.X_train, torch.ones_like(data.X_train)], dim=1).double()
    eigenvalues = torch.linalg.eigvals(2 * design.T @ design / len(design)).real  # a general solver, not eigvalsh
    assert stable_lr_limit(data) == pytest.approx(2 / eigenvalues.max().item(), rel=1e-12)
    assert STABLE_LR_LIMIT == stable_lr_limit(data) and round(STABLE_LR_LIMIT, 3) == 0.862
    assert stable_lr_limit(make_data(0.3, 7)) == STABLE_LR_LIMIT  # noise and seed move y, not X
    with pytest.raises(TypeError, match="data must be a LineData .*got dict"):
        stable_lr_limit({})


def test_just_above_the_limit_the_zig_zag_grows_and_just_below_it_shrinks():
    above, below = PRESETS["edge: zig-zag grows"], PRESETS["edge: zig-zag shrinks"]
    assert (above["lr"], below["lr"]) == (round(1.05 * STABLE_LR_LIMIT, 2), round(0.95 * STABLE_LR_LIMIT, 2)) == (0.91, 0.82)
    assert below["lr"] < STABLE_LR_LIMIT < above["lr"]
    grows = run_experiment(Settings(**above)).history
    losses = grows.train_loss_by_epoch
    assert all(later > earlier for earlier, later in pairwise(losses))  # every epoch worse than the last
    assert losses[-1] > 1e6 * losses[0] or grows.diverged
    shrinks = run_experiment(Settings(**below)).history
    losses = shrinks.train_loss_by_epoch
    assert not shrinks.diverged and shrinks.epochs_run == below["epochs"] == 100
    assert all(later < earlier for earlier, later in pairwise(losses))  # every epoch better than the last
    assert losses[-1] < 1e-6 * losses[0] and math.isfinite(shrinks.final_test_loss)
