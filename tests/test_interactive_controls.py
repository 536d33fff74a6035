"""The controls are built from the settings' specs; the base both tools share."""

import matplotlib

matplotlib.use("Agg")

import pytest
import traitlets

from optloop_helpers.interactive.controls import make_control
from optloop_helpers.interactive.settings import SPECS


def test_make_control_gives_every_control_its_description_and_class():
    values = {"preset": "custom", "lr": 0.01, "epochs": 300, "optimizer": "sgd", "loss": "l1", "noise": 0.0,
              "seed": 42, "momentum": 0.9, "log_scale": False}
    for name, value in values.items():
        control = make_control(name, value)
        assert control.description == SPECS[name].label
        assert f"optloop-control-{name}" in control._dom_classes
    with pytest.raises(ValueError, match="name must be one of 'preset', 'lr'"):
        make_control("speed", 1)
    with pytest.raises(traitlets.TraitError):
        make_control("optimizer", "rmsprop")
