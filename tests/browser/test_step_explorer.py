"""The small learning-rate widget of the optimizer-step notebook changes its picture when moved, and the
picture is the one step taken with the slider's final value."""

from __future__ import annotations

import math
from typing import Any

import pytest
import torch
from jupyterlab_browser import NOTEBOOKS, error_outputs, notebook_after_run_all, notebooks_calling
from torch import nn
from widget_driver import Tool

from optloop_helpers import LinearRegressionModel, make_line_data

pytestmark = pytest.mark.browser

def explorer_notebook() -> str:
    names = notebooks_calling("step_explorer")
    assert names, f"no notebook in {NOTEBOOKS} calls step_explorer(...)"
    return names[0]


@pytest.fixture(scope="module")
def explorer(browser: Any, lab: Any) -> Any:
    with notebook_after_run_all(browser, lab, explorer_notebook()) as page:
        tool = Tool(page, "optloop-step-explorer")
        tool.wait_until_settled()
        yield tool
        assert error_outputs(page) == []


def one_step(lr: float) -> tuple[float, float]:
    """Weights and bias after one SGD step on the L1 loss from the seeded start (torch.manual_seed(42))."""
    data = make_line_data()
    torch.manual_seed(42)
    model = LinearRegressionModel()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    model.train()
    # 1. Forward pass
    y_pred = model(data.X_train)
    # 2. Calculate the loss
    loss = nn.L1Loss()(y_pred, data.y_train)
    # 3. Zero the gradients
    optimizer.zero_grad()
    # 4. Backpropagation
    loss.backward()
    # 5. Step the optimizer
    optimizer.step()
    return model.weights.item(), model.bias.item()


def assert_shows_one_step_with_the_slider_value(tool: Tool) -> float:
    state = tool.probe()
    lr = state["controls"]["lr"]
    assert state["error"] is None
    assert math.isclose(float(tool.readout("lr")), lr, rel_tol=1e-3)
    weights, bias = one_step(float(f"{lr:.4g}"))  # the slider's value as its readout shows it (the spec keeps it so)
    assert state["history"]["epochs_run"] == 1
    assert state["history"]["weights"] == pytest.approx(weights)
    assert state["history"]["bias"] == pytest.approx(bias)
    shown = tool.image_src()
    tool.run_in_kernel()  # the same step again, from code: the picture must not change
    tool.wait_until_settled()
    assert tool.image_src() == shown, "the picture was not the one of the slider's final value"
    return lr


def test_keyboard_changes_the_picture(explorer: Tool) -> None:
    start_lr = explorer.probe()["controls"]["lr"]
    before = explorer.image_src()

    explorer.press("lr", "ArrowRight", times=3)
    explorer.wait_for_new_image(before)
    explorer.wait_until_settled()

    lr = assert_shows_one_step_with_the_slider_value(explorer)
    assert math.isclose(lr, start_lr * 10 ** (3 * 0.05), rel_tol=1e-9)
    assert explorer.image_src() != before


def test_dragging_changes_the_picture(explorer: Tool) -> None:
    before = explorer.image_src()

    explorer.drag("lr", 0.9)  # 1e-4 ... 10: nine tenths of the way is about 3.2
    explorer.wait_for_new_image(before)
    explorer.wait_until_settled()

    lr = assert_shows_one_step_with_the_slider_value(explorer)
    assert abs(math.log10(lr) - 0.5) <= 0.15, lr
    assert explorer.image_src() != before
