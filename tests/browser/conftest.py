"""Fixtures for the browser tests: one JupyterLab server and one Chromium for the whole session.

Every test in this folder is marked ``browser`` (``make unit`` leaves them out, ``make browser`` runs them).
Where Chromium is missing, every test fails with a message that says how to install it: never a skip.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyterlab_browser import (
    NOTEBOOKS,
    ChromiumMissing,
    JupyterLabServer,
    close_quietly,
    launch_chromium,
    require_chromium,
)

HERE = Path(__file__).resolve().parent
VIEWPORT = {"width": 1400, "height": 900}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of the system Chromium; fails (never skips) with install instructions where it is missing."""
    try:
        return require_chromium()
    except ChromiumMissing as error:
        message = str(error)
    pytest.fail(message, pytrace=False)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterLabServer]:
    """A JupyterLab server on notebooks/ for the whole session, stopped at the end whatever happened
    (also when the test run is stopped with SIGTERM, e.g. by `timeout`: it then tears down like Ctrl-C)."""
    previous = signal.signal(signal.SIGTERM, _interrupt)
    server = JupyterLabServer(NOTEBOOKS, tmp_path_factory.mktemp("jupyterlab"))
    try:
        server.start()
        yield server
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)
    left = server.leftover_processes()
    assert not left, f"processes still running after JupyterLab stopped: {left}"


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Any]:
    """One headless Chromium for the whole session."""
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium_browser = launch_chromium(playwright)
        try:
            yield chromium_browser
        finally:
            close_quietly(chromium_browser)
    finally:
        playwright.stop()


@pytest.fixture
def page(browser: Any, lab: JupyterLabServer, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A fresh browser page; afterwards its kernels are shut down (a failing test leaves a screenshot)."""
    context = browser.new_context(viewport=VIEWPORT)
    new_page = context.new_page()
    new_page.set_default_timeout(30_000)
    try:
        yield new_page
    finally:
        if request.node.stash.get(_FAILED, False):
            shot = tmp_path / "failure.png"
            try:
                new_page.screenshot(path=str(shot))
                print(f"screenshot of the failing page: {shot}")
            except Exception as error:  # noqa: BLE001 - a missing screenshot must not hide the failure
                print(f"no screenshot: {error}")
        close_quietly(context)
        lab.shutdown_kernels()
