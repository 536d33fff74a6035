"""The browser driver itself: it sees errors (and only the ones not meant to happen) and cleans up after itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jupyterlab_browser
import pytest
from jupyterlab_browser import (
    ChromiumMissing,
    JupyterLabServer,
    allowed_to_fail,
    error_outputs,
    expected_runs,
    open_notebook,
    require_chromium,
    run_all,
)

pytestmark = pytest.mark.browser


def _notebook(cells: list[tuple[str, list[str]]]) -> dict:
    return {
        "cells": [
            {"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {"tags": tags},
             "outputs": [], "source": source}
            for i, (source, tags) in enumerate(cells)
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def test_missing_chromium_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jupyterlab_browser, "CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(ChromiumMissing, match=r"apt-get install -y chromium"):
        require_chromium()


def test_run_all_reports_errors_except_expected_ones(browser: Any, tmp_path: Path) -> None:
    root = tmp_path / "notebooks"
    root.mkdir()
    path = root / "broken.ipynb"
    path.write_text(json.dumps(_notebook([
        ("print('fine')", []),
        ("1 / 0", ["raises-exception"]),
        ("import sys\nprint('something went wrong', file=sys.stderr)", []),
        ("raise ValueError('boom')", []),
        ("print('never reached')", []),
    ])))
    server = JupyterLabServer(root, tmp_path / "lab")
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    try:
        server.start()
        page = context.new_page()
        open_notebook(page, server, "broken.ipynb")
        with pytest.raises(TimeoutError, match=r"Run All did not finish within 8 s"):
            run_all(page, expected_runs(path), timeout=8)  # the last cell never runs: stopped at the error

        errors = error_outputs(page, skip=allowed_to_fail(path))
        assert [e.split(":")[0] for e in errors] == ["cell 2", "cell 3"]
        assert "something went wrong" in errors[0]
        assert "ValueError" in errors[1] and "boom" in errors[1]
        assert "ZeroDivisionError" in error_outputs(page)[0]  # seen when not skipped
    finally:
        context.close()
        server.stop()
    assert server.leftover_processes() == []
    assert server.process is None
