"""The playground with JupyterLab's default settings, where widget messages may arrive on a kernel subshell.

JupyterLab 4.6 sends comm messages over kernel subshells by default (``commsOverSubshells:
perCommTarget``) and ipykernel 7 runs them on a subshell thread, while some messages still reach the main
shell thread. The playground's callbacks then run on two threads at once. This module checks that a
burst of moves still ends in the view of the final values under those defaults.
"""

from __future__ import annotations

from typing import Any

import pytest
from jupyterlab_browser import error_outputs, notebook_after_run_all
from widget_driver import Tool, assert_view_matches_controls, playground_notebook

pytestmark = pytest.mark.browser


@pytest.mark.xfail(
    strict=False,
    reason="known playground bug: with JupyterLab's default commsOverSubshells='perCommTarget' (ipykernel 7), "
    "widget callbacks run on the main shell thread AND a subshell thread; the Coalescer is not thread-safe, so two "
    "runs overlap and the one that finishes last (possibly with old values) stays on screen",
)
def test_quick_changes_of_two_controls_with_jupyterlab_default_comms(browser: Any, lab: Any) -> None:
    """A dropdown change and a slider move in quick succession (during a long run) end in the view of the
    final values, with JupyterLab's default settings."""
    lab.write_settings("@jupyterlab/apputils-extension/kernels-settings", {})  # JupyterLab's defaults
    with notebook_after_run_all(browser, lab, playground_notebook()) as page:
        tool = Tool(page, "optloop-playground")
        tool.wait_until_settled()
        before = tool.image_src()
        tool.drag("lr", 0.2)
        tool.wait_for_new_image(before)
        tool.wait_until_settled()
        before = tool.image_src()
        tool.type_readout("epochs", "1000")  # long runs: the next changes arrive while one runs
        tool.wait_for_new_image(before)
        tool.wait_until_settled()
        tool.select("loss", "MSE (mean squared error)")  # starts a 1000-epoch run ...
        tool.press("lr", "End")  # ... and this asks for a run with lr 10, which diverges at once
        tool.wait_until_settled()
        state = assert_view_matches_controls(tool)
        assert state["controls"]["lr"] == 10.0 and state["controls"]["loss"] == "mse"
        assert tool.status_text().startswith("diverged at epoch")
        assert error_outputs(page) == []
