"""Each setting's facts are written once, in its spec: the controls, defaults, presets and messages read them."""

import inspect
import math

import matplotlib

matplotlib.use("Agg")

import pytest
import torch

from optloop_helpers import playground
from optloop_helpers.interactive.controls import make_control
from optloop_helpers.interactive.settings import (
    LOSSES,
    OPTIMIZERS,
    PRESETS,
    SETTING_NAMES,
    SPECS,
    Settings,
    Spec,
    begin_run,
    make_loss_fn,
    make_optimizer,
    preset_for,
    run_experiment,
    seeded_start,
    start_model,
)
from optloop_helpers.models import SEEDED_START


@pytest.mark.parametrize("name", list(SPECS))
def test_every_control_takes_its_bounds_label_and_choices_from_its_spec(name):
    spec = SPECS[name]
    control = make_control(name, spec.default)
    assert control.description == spec.label and spec.setting_value(control.value) == spec.default
    if spec.kind == "int_choice":  # None (the full batch) is 0 in the drop-down: None would select nothing
        assert [spec.setting_value(value) for _, value in control.options] == list(spec.choices)
        assert [label for label, _ in control.options] == list(spec.choices.values()) and control.index == 0
    elif spec.kind == "log":
        assert (control.base**control.min, control.base**control.max) == pytest.approx((spec.low, spec.high))
        assert control.step == spec.step
    elif spec.type in (int, float):
        assert (control.min, control.max) == (spec.low, spec.high)
    elif spec.type is str:
        assert [value for _, value in control.options] == list(spec.choices)
        assert [label for label, _ in control.options] == list(spec.choices.values())


def test_defaults_come_from_the_specs_everywhere():
    defaults = {name: SPECS[name].default for name in SETTING_NAMES}
    assert {name: getattr(Settings(), name) for name in SETTING_NAMES} == defaults
    parameters = inspect.signature(playground).parameters
    assert {name: parameters[name].default for name in (*SETTING_NAMES, "log_scale")} == {
        **defaults, "log_scale": SPECS["log_scale"].default}
    assert PRESETS["about right"] == {name: defaults[name] for name in ("lr", "epochs", "optimizer", "loss")}
    assert preset_for({**defaults}) == SPECS["preset"].default == "about right"
    assert PRESETS["too small"]["lr"] == SPECS["lr"].low and PRESETS["too big: diverges"]["lr"] == SPECS["lr"].high


def test_the_tables_are_the_choices():
    assert tuple(SPECS["optimizer"].choices) == tuple(OPTIMIZERS)
    assert tuple(SPECS["loss"].choices) == tuple(LOSSES)
    assert tuple(SPECS["preset"].choices) == ("custom", *PRESETS)
    model = start_model(0)
    for name, option in OPTIMIZERS.items():
        assert type(make_optimizer(name, model.parameters(), 0.1)) is type(option.make(model.parameters(), 0.1, 0.9))
    assert make_optimizer("momentum", model.parameters(), 0.1).param_groups[0]["momentum"] == 0.9
    assert make_optimizer("momentum", model.parameters(), 0.1, momentum=0.5).param_groups[0]["momentum"] == 0.5
    assert make_optimizer("sgd", model.parameters(), 0.1, momentum=0.5).param_groups[0]["momentum"] == 0.0
    assert [type(make_loss_fn(name)) for name in LOSSES] == [torch.nn.L1Loss, torch.nn.MSELoss]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: make_optimizer("rmsprop", [], 0.1), ValueError, "optimizer must be one of 'sgd', 'momentum', 'adam'"),
        (lambda: make_optimizer("sgd", [], 11), ValueError, "lr must be between 0.0001 and 10, got 11"),
        (lambda: make_optimizer("momentum", [], 0.1, 1), ValueError, "momentum must be between 0 and 0.99, got 1"),
        (lambda: Settings(momentum=-0.1), ValueError, "momentum must be between 0 and 0.99, got -0.1"),
        (lambda: make_loss_fn("huber"), ValueError, "loss must be one of 'l1', 'mse', got 'huber'"),
        (lambda: start_model(-1), ValueError, "seed must be an integer between 0 and 9999, got -1"),
        (lambda: begin_run({"lr": 0.1}), TypeError, "settings must be a Settings, got dict"),
        (lambda: run_experiment("fast"), TypeError, "settings must be a Settings, got str"),
        (lambda: Spec("x", "x", "slider", 1), ValueError, "kind must be one of 'log', 'float', 'int'"),
        (lambda: Spec("x", "x", "int", 0, low=1, high=3), ValueError, "x must be an integer between 1 and 3, got 0"),
    ],
)
def test_bad_arguments_are_named_in_the_error(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


def test_begin_run_is_the_seeded_start_and_leaves_the_random_state_alone():
    torch.manual_seed(0)
    expected = torch.rand(1)
    torch.manual_seed(0)
    run = begin_run(Settings(loss="mse", noise=0.1, seed=3))
    assert torch.equal(torch.rand(1), expected)
    model = start_model(3)
    assert run.start == (model.weights.item(), model.bias.item()) == seeded_start(3)
    with torch.inference_mode():
        losses = [torch.nn.MSELoss()(model(X), y).item() for X, y in
                  ((run.data.X_train, run.data.y_train), (run.data.X_test, run.data.y_test))]
    assert list(run.start_losses) == losses
    assert run.history.epochs == [] and run.weights is None and run.train_loss is None
    assert [round(value, 4) for value in seeded_start(42)] == list(SEEDED_START)


def test_a_trained_run_keeps_its_beginning_and_has_its_final_numbers():
    settings = Settings(epochs=50)
    run = run_experiment(settings)
    assert run.start == begin_run(settings).start and run.data is begin_run(settings).data
    assert run.history.epochs_run == 50 and math.isfinite(run.test_loss)
    assert run.weights == run.history.final_params["weights"].item()
