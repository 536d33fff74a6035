"""Every notebook opens in JupyterLab, Run All completes, no cell shows an error and the kernel ends idle."""

from __future__ import annotations

from typing import Any

import pytest
from jupyterlab_browser import (
    NOTEBOOKS,
    JupyterLabServer,
    allowed_to_fail,
    error_outputs,
    expected_runs,
    kernel_status,
    open_notebook,
    run_all,
)

pytestmark = pytest.mark.browser

# notebooks/*.ipynb only: the generated notebooks/student/ versions are not globbed.
ALL_NOTEBOOKS = sorted(path.name for path in NOTEBOOKS.glob("*.ipynb"))


def test_there_are_notebooks_to_run() -> None:
    assert ALL_NOTEBOOKS, f"no notebooks found in {NOTEBOOKS}"


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_run_all_shows_no_error(name: str, page: Any, lab: JupyterLabServer) -> None:
    path = NOTEBOOKS / name
    open_notebook(page, lab, name)

    counts = run_all(page, expected_runs(path))

    assert error_outputs(page, skip=allowed_to_fail(path)) == []
    assert kernel_status(page) == "idle"
    ran = [count for count in counts if count is not None]
    assert ran == list(range(1, expected_runs(path) + 1)), f"cells ran out of order or twice: {counts}"
