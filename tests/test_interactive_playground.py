"""The playground: its view shows exactly what fit does, divergence is a message, rapid changes coalesce, bounds hold."""

import asyncio
import importlib

import matplotlib

matplotlib.use("Agg")

import pytest
import torch
import traitlets
from torch import nn

from optloop_helpers import LinearRegressionModel, fit, make_line_data, playground
from optloop_helpers.interactive import CONTROL_NAMES, PRESETS
from optloop_helpers.interactive.cache import RUNS


def direct_fit(lr=0.01, epochs=300, optimizer="sgd", loss="l1", noise=0.0, seed=42):
    """The same run written out by hand, without the playground's helpers."""
    data = make_line_data(noise_std=noise, seed=seed)
    torch.manual_seed(seed)
    model = LinearRegressionModel()
    if optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9 if optimizer == "momentum" else 0.0)
    loss_fn = nn.L1Loss() if loss == "l1" else nn.MSELoss()
    history = fit(model, data, loss_fn, opt, epochs, eval_every=max(1, epochs // 50) | 1)  # odd: hops are drawn
    model.eval()
    with torch.inference_mode():
        final = {
            "weights": model.weights.item(),
            "bias": model.bias.item(),
            "train_loss": loss_fn(model(data.X_train), data.y_train).item(),
            "test_loss": loss_fn(model(data.X_test), data.y_test).item(),
        }
    return history, final


def assert_view_shows(pg, expected):
    history, final = expected
    view = pg.view
    assert pg.view.png.startswith(b"\x89PNG")  # draw the picture, as showing it in a notebook does
    assert list(view.train_line.get_xdata()) == list(range(history.epochs_run))  # every epoch's training loss
    assert list(view.train_line.get_ydata()) == history.train_loss_by_epoch
    assert list(view.test_line.get_xdata()) == history.epochs  # the test loss where it was evaluated
    assert list(view.test_line.get_ydata()) == history.test_loss
    w, b = final["weights"], final["bias"]  # after the last epoch
    assert list(view.fitted_line.get_ydata()) == pytest.approx([b, w + b])
    assert list(view.path_line.get_xdata())[1:] == [*history.param("weights"), w]
    assert list(view.path_line.get_ydata())[1:] == [*history.param("bias"), b]
    assert list(view.position.get_xdata()) == [w]
    last = history.epochs_run - 1  # the epoch index, as in the learner's `for epoch in range(epochs)`
    assert view.counter.get_text() == f"epoch {last} of {pg.values()['epochs']}"
    assert view.headline.get_text() == (
        f"epoch {last} of {pg.values()['epochs']} | weights {w:.4f} (true 0.7), bias {b:.4f} (true 0.3) | "
        f"train loss {final['train_loss']:.4f}, test loss {final['test_loss']:.4f}"
    )


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_view_matches_a_direct_fit_with_the_same_settings(optimizer):
    pg = playground()
    settings = {"lr": 0.05, "epochs": 200, "optimizer": optimizer, "loss": "mse", "noise": 0.1, "seed": 7}
    runs = pg._coalescer.runs
    pg.set(**settings)
    assert pg._coalescer.runs == runs + 1  # several changes, one run
    assert {name: pg.controls[name].value for name in settings} == settings
    history = pg.run()
    expected = direct_fit(**settings)
    assert history is pg.history
    assert history.train_loss == expected[0].train_loss
    assert history.test_loss == expected[0].test_loss
    assert_view_shows(pg, expected)
    assert pg.status.value == ""  # the headline says how the run ended; the status line does not repeat it
    assert pg.view.live.png.startswith(b"\x89PNG")


def test_default_run_is_the_articles_loop():
    pg = playground(controls=("lr", "epochs"))
    history = pg.run()
    expected, _ = direct_fit()
    assert history.train_loss == expected.train_loss
    assert pg.settings["optimizer"] == "sgd" and pg.settings["loss"] == "l1"


def test_learning_rate_10_shows_the_diverged_message_and_raises_nothing():
    pg = playground(loss="mse", epochs=100)
    pg.controls["lr"].value = 10  # runs at once: no event loop is running here
    assert pg.history.diverged
    message = f"diverged at epoch {pg.history.diverged_epoch}: try a smaller learning rate"
    assert pg.view.headline_text() == message
    assert pg.status.value == ""  # said once, in the picture
    assert pg.error is None
    pg.view.draw()
    assert pg.view.headline.get_text() == message
    assert pg.view.counter.get_text() == f"epoch {pg.history.diverged_epoch} of 100"  # the same number


def test_the_diverges_preset_diverges_and_the_too_small_one_barely_moves():
    pg = playground()
    pg.controls["preset"].value = "too big: diverges"
    assert (pg.controls["lr"].value, pg.controls["loss"].value) == (10.0, "mse")
    assert pg.history.diverged
    pg.controls["preset"].value = "too small"
    assert not pg.history.diverged
    assert pg.history.param("weights")[-1] == pytest.approx(0.3367, abs=0.02)


def test_moving_a_control_off_a_preset_shows_custom():
    pg = playground()
    assert pg.controls["preset"].value == "about right"
    pg.controls["lr"].value = 0.02
    assert pg.controls["preset"].value == "custom"
    pg.controls["lr"].value = 0.01
    assert pg.controls["preset"].value == "about right"


def test_a_preset_runs_once_even_though_it_changes_several_controls():
    pg = playground()
    before = pg._coalescer.runs
    pg.apply_preset("too big: diverges")
    assert pg._coalescer.runs == before + 1


def test_200_rapid_changes_without_an_event_loop_end_on_the_final_values():
    pg = playground(epochs=10)
    for i in range(200):
        pg.controls["lr"].value = 10 ** (-3 + 2 * (i % 37) / 36)
    pg.controls["lr"].value = 0.03
    assert pg.error is None
    assert_view_shows(pg, direct_fit(lr=0.03, epochs=10))


def test_200_rapid_changes_in_a_running_kernel_loop_coalesce_into_one_run():
    pg = playground(epochs=50)

    async def slide():
        for i in range(200):
            pg.controls["lr"].value = 10 ** (-4 + 5 * (i % 37) / 36)
            pg.controls["epochs"].value = 10 + 10 * (i % 20)
        pg.controls["lr"].value = 0.02
        pg.controls["epochs"].value = 120
        assert pg._coalescer.pending
        await asyncio.sleep(0.3)

    asyncio.run(slide())
    assert pg._coalescer.runs == 1
    assert not pg._coalescer.pending
    assert pg.error is None
    assert_view_shows(pg, direct_fit(lr=0.02, epochs=120))


def test_run_cancels_a_pending_stale_run():
    pg = playground(epochs=20)

    async def change_then_run():
        pg.controls["lr"].value = 0.05
        history = pg.run()
        await asyncio.sleep(0.1)
        return history

    history = asyncio.run(change_then_run())
    assert pg._coalescer.runs == 0
    assert history.train_loss == direct_fit(lr=0.05, epochs=20)[0].train_loss


def test_an_error_in_a_callback_becomes_a_message_in_the_view(monkeypatch):
    pg = playground(epochs=10)

    def broken(*args, **kwargs):
        raise RuntimeError("the run broke")

    monkeypatch.setattr(importlib.import_module("optloop_helpers.interactive.cache").RUNS, "run", broken)
    pg.controls["lr"].value = 0.05  # must not raise
    assert isinstance(pg.error, RuntimeError)
    pg.view.draw()
    assert pg.view.headline.get_text() == "something went wrong: RuntimeError: the run broke"
    assert "the run broke" in pg.status.value


def test_log_scale_and_live_frames(monkeypatch):
    RUNS.clear()  # a run trained earlier would be shown at once, without live frames
    pg = playground(epochs=1000, log_scale=True)

    class Handle:
        updates = []

        def update(self, data, raw):
            self.updates.append(data)

    pg.view.live.handle = Handle()
    pg.view.live.min_interval = 0.0  # every evaluation sends a frame
    pg.view.live.frame_budget = None
    history = pg.run()
    assert pg.view.live.axes[0].get_yscale() == "log"
    assert len(Handle.updates) == len(history.epochs) + 1  # one per evaluation plus the final frame
    assert all(set(u) == {"text/plain", "image/png"} for u in Handle.updates)
    assert {u["text/plain"] for u in Handle.updates} == {"<optloop playground view>"}


def test_a_long_run_shows_a_first_frame_at_once_then_frames_throttled_by_time():
    RUNS.clear()
    pg = playground(epochs=5000)  # at least ~0.25 s of training even on a fast machine

    class Handle:
        updates = 0

        def update(self, data, raw):
            Handle.updates += 1

    pg.view.live.handle = Handle()
    pg.view.live.min_interval = 3600.0
    pg.run()
    assert Handle.updates == 2  # the first frame (after FIRST_FRAME), then only the final one


def test_display_shows_the_controls_and_a_static_picture_with_stable_text(monkeypatch):
    shown = []

    def fake_display(obj, raw=False, display_id=None):
        shown.append(obj)
        return "handle" if display_id else None

    monkeypatch.setattr("IPython.display.display", fake_display)
    pg = playground(controls=("lr", "epochs"))
    pg._ipython_display_()
    controls, picture = shown
    assert controls["text/plain"] == "<optloop playground: learning rate, epochs>"
    assert controls["application/vnd.jupyter.widget-view+json"]["model_id"] == pg.box.model_id
    assert picture["text/plain"] == "<optloop playground view>"
    assert picture["image/png"].startswith("iVBOR")  # base64 of a PNG
    assert pg.history is not None  # the default run happened before the picture was shown


def test_controls_have_stable_descriptions_and_css_classes():
    pg = playground()
    assert tuple(pg.controls) == CONTROL_NAMES
    assert pg.controls["lr"].description == "learning rate"
    for name, control in pg.controls.items():
        assert f"optloop-control-{name}" in control._dom_classes
    assert "optloop-playground" in pg.box._dom_classes
    assert "optloop-status" in pg.status._dom_classes


@pytest.mark.parametrize(
    ("name", "value", "clamped"),
    [
        ("lr", 100.0, 10.0),
        ("lr", 1e-9, 1e-4),
        ("epochs", 0, 10),
        ("epochs", 10**6, 5000),
        ("noise", -1.0, 0.0),
        ("noise", 2.0, 0.5),
        ("seed", -5, 0),
        ("seed", 10**6, 9999),
    ],
)
def test_every_slider_keeps_its_value_within_bounds(name, value, clamped):
    pg = playground(epochs=10)
    pg.controls[name].value = value
    assert pg.controls[name].value == pytest.approx(clamped)
    assert pg.error is None


@pytest.mark.parametrize(("name", "value"), [("optimizer", "rmsprop"), ("loss", "huber"), ("preset", "fast")])
def test_every_choice_rejects_unknown_values(name, value):
    pg = playground(epochs=10)
    with pytest.raises(traitlets.TraitError):
        pg.controls[name].value = value


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"lr": 100}, ValueError, "lr must be between 0.0001 and 10, got 100"),
        ({"lr": "0.1"}, TypeError, "lr must be a number (int or float), got '0.1' of type str"),
        ({"epochs": 5}, ValueError, "epochs must be an integer between 10 and 5000, got 5"),
        ({"epochs": 1.5}, TypeError, "epochs must be an integer, got 1.5 of type float"),
        ({"optimizer": "rmsprop"}, ValueError, "optimizer must be one of 'sgd', 'momentum', 'adam', got 'rmsprop'"),
        ({"loss": "huber"}, ValueError, "loss must be one of 'l1', 'mse', got 'huber'"),
        ({"noise": -0.1}, ValueError, "noise must be between 0 and 0.5, got -0.1"),
        ({"seed": -1}, ValueError, "seed must be an integer between 0 and 9999, got -1"),
        ({"log_scale": "yes"}, TypeError, "log_scale must be True or False, got 'yes'"),
        ({"controls": "lr"}, TypeError, "controls must be a tuple of control names such as ('lr', 'epochs'), got 'lr'"),
        ({"controls": ("lr", "speed")}, ValueError, "controls must only hold names from 'preset', 'lr',"),
        ({"controls": ()}, ValueError, "controls must name at least one control"),
        ({"controls": ("lr", "lr")}, ValueError, "controls must not repeat a name, got ('lr', 'lr')"),
    ],
)
def test_playground_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error) as info:
        playground(**kwargs)
    assert message in str(info.value)


def test_set_rejects_unknown_names_and_bad_values_before_changing_anything():
    pg = playground(epochs=10)
    with pytest.raises(ValueError, match="settings must only use names from 'lr', 'epochs',.* got 'speed'"):
        pg.set(speed=3)
    with pytest.raises(ValueError, match="lr must be between 0.0001 and 10, got 50"):
        pg.set(epochs=20, lr=50)
    assert pg.values()["epochs"] == 10


def test_apply_preset_rejects_unknown_names():
    pg = playground(epochs=10)
    with pytest.raises(ValueError, match="preset must be one of 'too small', 'about right', 'edge: .* got 'x'"):
        pg.apply_preset("x")
    assert set(PRESETS) == {"too small", "about right", "edge: zig-zag shrinks", "edge: zig-zag grows",
                            "too big: diverges"}


def test_fixed_settings_without_a_control_are_used():
    pg = playground(optimizer="adam", loss="mse", lr=0.1, epochs=100, controls=("lr",))
    assert pg.run().train_loss == direct_fit(lr=0.1, epochs=100, optimizer="adam", loss="mse")[0].train_loss
    assert repr(pg) == (
        "Playground(lr=0.1, epochs=100, optimizer='adam', loss='mse', noise=0.0, seed=42, momentum=0.9, "
        "batch_size=None, log_scale=False)"
    )


def test_a_preset_changes_the_controls_without_the_preset_control_flickering():
    pg = playground()
    shown = []
    pg.controls["preset"].observe(lambda change: shown.append(change["new"]), names="value")
    runs = pg._coalescer.runs
    pg.controls["preset"].value = "too big: diverges"
    assert shown == ["too big: diverges"] and pg._coalescer.runs == runs + 1
    pg.controls["loss"].value = "l1"  # no preset's values any more
    assert shown == ["too big: diverges", "custom"] and pg._coalescer.runs == runs + 2


def test_both_tools_share_one_base():
    from optloop_helpers import step_explorer
    from optloop_helpers.interactive import Tool

    pg, explorer = playground(epochs=10), step_explorer()
    assert isinstance(pg, Tool) and isinstance(explorer, Tool)
    assert "optloop-step-explorer" in explorer.box._dom_classes and explorer.status is None
