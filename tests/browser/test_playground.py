"""The playground in a real browser: keyboard, mouse and typed input change the view, and what it shows
is the run for the final control values (also after a burst of moves and after divergence).

"What it shows" is read from the page (readouts, the picture's ``src``) and, for the picture's headline,
through the kernel probe from the very frame the page shows; the control values are asked from the kernel,
and a fresh run with them must leave the picture unchanged (see ``widget_driver.assert_view_matches_controls``).
"""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from jupyterlab_browser import REPO, error_outputs, notebook_after_run_all
from widget_driver import LR_STEP, Tool, assert_view_matches_controls, burst, playground_notebook

pytestmark = pytest.mark.browser

SCREENSHOTS = REPO / "docs" / "img"


@pytest.fixture(scope="module")
def playground_page(browser: Any, lab: Any) -> Any:
    with notebook_after_run_all(browser, lab, playground_notebook()) as page:
        yield page


@pytest.fixture
def pg(playground_page: Any) -> Tool:
    """The first playground of the notebook, back at the 'about right' preset (lr 0.01, 300 epochs)."""
    tool = Tool(playground_page, "optloop-playground")
    tool.wait_until_settled()
    if tool.control("preset").count() and tool.probe()["controls"]["preset"] != "about right":
        tool.select("preset", "about right")
        tool.wait_until_settled()
    yield tool
    assert error_outputs(playground_page) == []


def test_the_default_run_is_shown(pg: Tool) -> None:
    state = assert_view_matches_controls(pg)
    assert state["controls"]["lr"] == 0.01 and state["controls"]["epochs"] == 300


def test_keyboard_moves_the_learning_rate(pg: Tool) -> None:
    before = pg.image_src()

    pg.press("lr", "ArrowRight", times=2)
    pg.wait_for_new_image(before)
    pg.wait_until_settled()

    state = assert_view_matches_controls(pg)
    assert math.isclose(state["controls"]["lr"], 10 ** (-2 + 2 * LR_STEP), rel_tol=1e-9)
    assert pg.image_src() != before


def test_dragging_the_learning_rate(pg: Tool) -> None:
    before = pg.image_src()

    pg.drag("lr", 0.2)  # the track spans 1e-4 ... 10: a fifth of the way is about 1e-3
    pg.wait_for_new_image(before)
    pg.wait_until_settled()

    state = assert_view_matches_controls(pg)
    assert abs(math.log10(state["controls"]["lr"]) - (-3)) <= 0.15, state["controls"]["lr"]
    assert pg.image_src() != before


def test_typing_the_epochs_into_the_readout(pg: Tool) -> None:
    before = pg.image_src()

    pg.type_readout("epochs", "1000")
    pg.wait_for_new_image(before)
    pg.wait_until_settled()

    state = assert_view_matches_controls(pg)
    assert state["controls"]["epochs"] == 1000
    assert pg.readout("epochs") == "1000"
    assert pg.headline().startswith("epoch 999 of 1000 | ")


def test_a_diverging_learning_rate_shows_the_message(pg: Tool) -> None:
    pg.select("loss", "MSE (mean squared error)")
    pg.wait_until_settled()
    before = pg.image_src()

    pg.press("lr", "End")  # the largest learning rate, 10
    pg.wait_for_new_image(before)
    pg.wait_until_settled()

    state = assert_view_matches_controls(pg)
    assert state["controls"]["lr"] == 10.0
    assert state["history"]["diverged_epoch"] is not None
    assert pg.headline() == f"diverged at epoch {state['history']['diverged_epoch']}: try a smaller learning rate"


def test_a_burst_of_moves_ends_in_the_right_view(pg: Tool) -> None:
    before = pg.image_src()

    steps = burst(pg)
    pg.wait_for_new_image(before)
    pg.wait_until_settled()

    state = assert_view_matches_controls(pg)
    assert math.isclose(state["controls"]["lr"], 10 ** (-2 + steps * LR_STEP), rel_tol=1e-9)


def test_moves_onto_speculated_neighbours_are_shown_at_once_and_exactly(pg: Tool) -> None:
    """Rapid moves, a pause (the kernel computes the neighbouring runs meanwhile), then single key presses
    onto those neighbours, one a second: each is shown from the cache, and what the page shows is the run of
    the final values, equal to a fresh fit (see ``assert_view_matches_controls``)."""
    before = pg.image_src()
    steps = burst(pg)
    pg.wait_for_new_image(before)
    pg.wait_until_settled()
    pg.page.wait_for_timeout(1500)  # the learner looks at the picture
    hits = pg.probe()["cache_hits"]
    for key in ("ArrowRight", "ArrowRight", "ArrowLeft", "ArrowLeft"):
        before = pg.image_src()
        pg.press("lr", key)
        pg.wait_for_new_image(before)
        pg.wait_until_settled(quiet=0.3)
        pg.page.wait_for_timeout(1000)

    state = assert_view_matches_controls(pg)
    assert math.isclose(state["controls"]["lr"], 10 ** (-2 + steps * LR_STEP), rel_tol=1e-9)
    assert state["cache_hits"] >= hits + 4, "the moves onto speculated neighbours trained or drew again"


def test_the_batch_size_control_trains_on_mini_batches(pg: Tool) -> None:
    """The batch-size drop-down (notebook 13): the run shown is the mini-batch run of the final values."""
    before = pg.image_src()
    pg.select("batch_size", "8")
    pg.wait_for_new_image(before)
    pg.wait_until_settled()
    try:
        state = assert_view_matches_controls(pg)
        assert state["controls"]["batch_size"] == 8
    finally:
        pg.select("batch_size", "full batch")  # the other tests start from the full batch
        pg.wait_until_settled()
    assert pg.probe()["controls"]["batch_size"] == 0  # "full batch" (None) is 0 in the drop-down


def test_quick_changes_of_two_controls_during_a_long_run(pg: Tool) -> None:
    """A dropdown change and a slider move in quick succession, while a 1000-epoch run is going, end in the
    view of the final values. (JupyterLab 4.6 sends widget messages over a kernel subshell by default, so
    ipykernel 7 may handle them on two threads; before the playground handed every run to the kernel's main
    thread, the run that finished last, with old values, stayed on screen.)"""
    for move in (lambda: pg.press("lr", "ArrowRight"), lambda: pg.type_readout("epochs", "1000")):
        before = pg.image_src()
        move()
        pg.wait_for_new_image(before)
        pg.wait_until_settled()

    pg.select("loss", "MSE (mean squared error)")  # starts a 1000-epoch run ...
    pg.press("lr", "End")  # ... and this asks for a run with lr 10, which diverges at once
    pg.wait_until_settled()

    state = assert_view_matches_controls(pg)
    assert state["controls"]["lr"] == 10.0 and state["controls"]["loss"] == "mse"
    assert state["controls"]["epochs"] == 1000
    assert pg.headline().startswith("diverged at epoch")


def test_screenshots(pg: Tool, tmp_path: Path) -> None:
    """Pictures of the default run and of a diverged run (saved into docs/img with OPTLOOP_SCREENSHOTS=1)."""
    outputs = pg.cell.locator(".jp-Cell-outputArea")
    default = tmp_path / "playground-default.png"
    outputs.screenshot(path=str(default))
    pg.select("preset", "too big: diverges")
    pg.wait_until_settled()
    assert pg.headline().startswith("diverged at epoch")
    diverged = tmp_path / "playground-diverged.png"
    outputs.screenshot(path=str(diverged))

    for shot in (default, diverged):
        assert shot.read_bytes()[:4] == b"\x89PNG" and shot.stat().st_size > 20_000
    if os.environ.get("OPTLOOP_SCREENSHOTS") == "1":
        for shot in (default, diverged):
            shutil.copyfile(shot, SCREENSHOTS / shot.name)
