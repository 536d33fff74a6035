"""Drive JupyterLab in a real Chromium: start the server, open a notebook, Run All, read what the page shows.

Used by the browser tests (``tests/browser/conftest.py``) and by ``benchmarks/browser_latency.py``.
Nothing here runs on import, so collecting this module is cheap.

Chromium comes from Debian's ``chromium`` package (``/usr/bin/chromium``); Playwright only drives it.
The server runs on 127.0.0.1 with a free port and a random token, in its own process group, with
its settings and workspaces in a temporary folder (autosave off, news off), so a test run never
writes into the notebooks or the user's JupyterLab set-up.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[2]
# OPTLOOP_NOTEBOOKS points the tests at another folder (only for developing the tests themselves).
NOTEBOOKS = Path(os.environ.get("OPTLOOP_NOTEBOOKS", REPO / "notebooks")).resolve()
CHROMIUM = os.environ.get("OPTLOOP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INSTALL_HINT = (
    f"Chromium was not found at {CHROMIUM}. The browser tests drive Debian's chromium package; install it "
    "with `sudo apt-get update && sudo apt-get install -y chromium` (CI's .ci/run does this itself) and run "
    "`make browser` again. Do not run `playwright install`: the tests use the system Chromium."
)

# Errors a notebook can show: a Python traceback, text on stderr, or a widget that failed to render.
ERROR_SELECTORS = (
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]',
    '.jp-RenderedText[data-mime-type*="error"]',
)

# User settings for the test server: no autosave (nothing is written back) and no news or update pop-ups.
# Everything else is JupyterLab's default, notebook windowing included (what learners have).
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
        "doNotDisturbMode": True,
    },
}


class ChromiumMissing(RuntimeError):
    """Raised when /usr/bin/chromium (or $OPTLOOP_CHROMIUM) is not there."""


def require_chromium() -> str:
    """Return the Chromium executable, or raise ``ChromiumMissing`` saying how to install it."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        raise ChromiumMissing(INSTALL_HINT)
    return CHROMIUM


def close_quietly(thing: Any) -> None:
    """Close a browser or browser context in a teardown; one already gone (e.g. after Ctrl-C) is no error."""
    with contextlib.suppress(Exception):
        thing.close()


def launch_chromium(playwright: Any, **kwargs: Any) -> Any:
    """Launch the system Chromium headless through a started Playwright instance."""
    return playwright.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS, **kwargs)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children() -> dict[int, list[int]]:
    """parent pid -> child pids, read from /proc (empty where there is no /proc)."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*/stat") if Path("/proc").is_dir() else []:
        try:
            # "pid (comm) state ppid ...": comm may hold spaces, so split after the last ')'.
            ppid = int(entry.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        tree.setdefault(ppid, []).append(int(entry.parent.name))
    return tree


def descendants(pid: int) -> list[int]:
    """Every process started (directly or not) by ``pid``."""
    tree, found, todo = _children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is gone for our purposes
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _die_with_parent() -> None:
    """In the server's process (Linux): get SIGTERM when the process that started it dies, even by SIGKILL,
    so a killed test run leaves no server behind (the server then shuts its kernels down)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class JupyterLabServer:
    """One JupyterLab server on 127.0.0.1 serving ``root_dir``; ``stop()`` leaves no process behind."""

    def __init__(self, root_dir: Path, work_dir: Path) -> None:
        self.root_dir = Path(root_dir)
        self.work_dir = Path(work_dir)
        self.port = free_port()
        self.token = secrets.token_hex(24)
        self.base_url = f"http://127.0.0.1:{self.port}/"
        self.process: subprocess.Popen | None = None
        self.log_path = self.work_dir / "jupyterlab.log"
        self._pids: set[int] = set()

    def command(self) -> list[str]:
        settings, workspaces = self.work_dir / "settings", self.work_dir / "workspaces"
        cmd = [
            sys.executable, "-m", "jupyterlab", "--no-browser",
            "--ip=127.0.0.1", f"--port={self.port}", "--port-retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root_dir}",
            "--LabApp.news_url=None",
            f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={workspaces}",
            "--LabApp.expose_app_in_browser=True",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        return cmd

    def start(self, timeout: float = 120) -> JupyterLabServer:
        for name, values in LAB_SETTINGS.items():
            path = self.work_dir / "settings" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        (self.work_dir / "workspaces").mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "MPLBACKEND": "module://matplotlib_inline.backend_inline", "PYTHONUNBUFFERED": "1"}
        env.pop("JUPYTER_TOKEN", None)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                cwd=self.root_dir, env=env, start_new_session=True, preexec_fn=_die_with_parent,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.process.returncode}:\n{self.log_tail()}")
            try:
                if self.api("GET", "api/status", timeout=5) is not None:
                    return self
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"JupyterLab did not answer /api/status within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def url(self, path: str, reset: bool = False) -> str:
        """The address of ``path`` (e.g. ``lab/tree/08_x.ipynb``) with the token (and ``reset``)."""
        return f"{self.base_url}{path}?{'reset&' if reset else ''}token={self.token}"

    def notebook_url(self, name: str) -> str:
        return self.url(f"lab/tree/{quote(name)}", reset=True)

    def api(self, method: str, path: str, timeout: float = 10) -> Any:
        """Call the server's REST API; return the decoded JSON (None for an empty answer)."""
        request = urllib.request.Request(
            f"{self.base_url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self, path: str | None = None) -> None:
        """Shut down the session of notebook ``path``, or every session and kernel (frees the CPU cores)."""
        try:
            for session in self.api("GET", "api/sessions"):
                if path is None or session.get("path") == path:
                    self.api("DELETE", f"api/sessions/{session['id']}", timeout=30)
            if path is None:
                for kernel in self.api("GET", "api/kernels"):
                    self.api("DELETE", f"api/kernels/{kernel['id']}", timeout=30)
        except (OSError, urllib.error.URLError):
            pass
        if self.process is not None:
            self._pids.update(descendants(self.process.pid))

    def stop(self) -> list[int]:
        """Stop the server and its kernels; return the pids that had to be killed by force."""
        if self.process is None:
            return []
        self.shutdown_kernels()
        pid = self.process.pid
        self._pids.update(descendants(pid))
        forced = []
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            forced.append(pid)
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)
        # Kernels run in process groups of their own: end any the server left behind, by pid.
        deadline = time.monotonic() + 10
        for child in sorted(self._pids):
            while _alive(child) and time.monotonic() < deadline:
                time.sleep(0.1)
            if _alive(child):
                forced.append(child)
                try:
                    os.kill(child, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.process = None
        return forced

    def leftover_processes(self) -> list[int]:
        """Pids this server started that are still alive (should be empty after ``stop()``)."""
        return [pid for pid in sorted(self._pids) if _alive(pid)]


# --- the page -------------------------------------------------------------------------------------------

def dismiss_dialogs(page: Any) -> None:
    """Accept any JupyterLab dialog that is open (e.g. kernel selection) so it does not block the test."""
    dialog = page.locator(".jp-Dialog")
    for _ in range(5):
        if dialog.count() == 0 or not dialog.first.is_visible():
            return
        accept = page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept")
        if accept.count():
            accept.first.click()
        else:
            page.keyboard.press("Escape")
        page.wait_for_timeout(200)


_KERNEL_JS = """() => {
    const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const context = panel && panel.sessionContext;
    const kernel = context && context.session && context.session.kernel;
    if (!kernel) return null;
    return kernel.connectionStatus === 'connected' ? context.kernelDisplayStatus : kernel.connectionStatus;
}"""


def kernel_status(page: Any) -> str | None:
    """The current notebook's kernel status ('idle', 'busy', ...), or None while it has no kernel."""
    return page.evaluate(_KERNEL_JS)


def open_notebook(page: Any, server: JupyterLabServer, name: str, timeout: float = 90) -> None:
    """Open ``notebooks/<name>`` in a fresh workspace; wait until every cell is shown and the kernel is idle."""
    page.goto(server.notebook_url(name), wait_until="domcontentloaded", timeout=timeout * 1000)
    cells = len(json.loads((server.root_dir / name).read_text())["cells"])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dismiss_dialogs(page)
        shown = page.locator(".jp-NotebookPanel .jp-Cell").count()
        if shown >= cells and kernel_status(page) == "idle":
            return
        page.wait_for_timeout(250)
    raise TimeoutError(
        f"{name}: not ready within {timeout:.0f} s ({page.locator('.jp-NotebookPanel .jp-Cell').count()} of "
        f"{cells} cells shown, kernel {kernel_status(page)!r})"
    )


def click_menu(page: Any, menu: str, item: str) -> None:
    """Click ``menu`` in the top menu bar, then ``item`` in it (what a learner would do)."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(menu)}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).first.click()


_COUNTS_JS = """() => window.jupyterapp.shell.currentWidget.content.widgets
    .filter(cell => cell.model.type === 'code')
    .map(cell => cell.model.executionCount)"""


def execution_counts(page: Any) -> list[int | None]:
    """The execution count of every code cell (None where it has not run), read from the notebook model
    (a cell whose input is collapsed shows no prompt, so the page's prompts are not enough)."""
    return page.evaluate(_COUNTS_JS)


def busy_prompts(page: Any) -> int:
    """How many cells show ``[*]`` (queued or running)."""
    return sum("*" in p for p in page.locator(".jp-NotebookPanel .jp-InputArea-prompt").all_text_contents())


def expected_runs(path: Path) -> int:
    """How many code cells of the notebook at ``path`` get an execution count (non-empty ones)."""
    cells = json.loads(Path(path).read_text())["cells"]
    return sum(1 for c in cells if c["cell_type"] == "code" and "".join(c["source"]).strip())


def run_all(page: Any, expected: int, timeout: float = 120) -> list[int | None]:
    """Clear all outputs, Run All through the menus, and wait until every cell ran and the kernel is idle.

    Returns the final execution counts. Raises ``TimeoutError`` saying which cells never ran.
    """
    click_menu(page, "Edit", "Clear Outputs of All Cells")
    click_menu(page, "Run", "Run All Cells")
    deadline = time.monotonic() + timeout
    counts: list[int | None] = []
    while time.monotonic() < deadline:
        dismiss_dialogs(page)
        counts = execution_counts(page)
        done = sum(1 for c in counts if c is not None)
        if done >= expected and busy_prompts(page) == 0 and kernel_status(page) == "idle":
            return counts
        page.wait_for_timeout(250)
    raise TimeoutError(
        f"Run All did not finish within {timeout:.0f} s: execution counts {counts} "
        f"(expected {expected} cells to run), kernel {kernel_status(page)!r}"
    )


def allowed_to_fail(path: Path) -> set[int]:
    """Indexes of the cells tagged ``raises-exception`` (they show an error on purpose)."""
    cells = json.loads(Path(path).read_text())["cells"]
    return {i for i, c in enumerate(cells) if "raises-exception" in c.get("metadata", {}).get("tags", [])}


_ERRORS_JS = """([selectors]) => Array.from(document.querySelectorAll('.jp-NotebookPanel .jp-Cell')).map(cell => {
    const found = selectors.flatMap(s => Array.from(cell.querySelectorAll(s)).map(e => e.innerText));
    for (const out of cell.querySelectorAll('.jp-OutputArea-output')) {
        if (out.innerText.includes('Error displaying widget')) found.push(out.innerText);
    }
    return found;
})"""


def error_outputs(page: Any, skip: set[int] = frozenset()) -> list[str]:
    """Every error the notebook shows (tracebacks, stderr, widgets that failed to render) as ``"cell N: text"``.

    Cells whose index is in ``skip`` (see ``allowed_to_fail``) are not looked at.
    """
    per_cell = page.evaluate(_ERRORS_JS, [list(ERROR_SELECTORS)])
    return [
        f"cell {index}: {text.strip()[:2000]}"
        for index, texts in enumerate(per_cell)
        if index not in skip
        for text in texts
    ]


def notebooks_calling(function: str, folder: Path = NOTEBOOKS) -> list[str]:
    """Names of the notebooks in ``folder`` whose code calls ``function(`` (e.g. ``"playground"``)."""
    found = []
    for path in sorted(folder.glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        if any(c["cell_type"] == "code" and f"{function}(" in "".join(c["source"]) for c in cells):
            found.append(path.name)
    return found


@contextlib.contextmanager
def notebook_after_run_all(browser: Any, server: JupyterLabServer, name: str) -> Iterator[Any]:
    """A new page with notebook ``name`` open and run (Run All, no error shown); closed afterwards."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        open_notebook(page, server, name)
        path = server.root_dir / name
        run_all(page, expected_runs(path))
        errors = error_outputs(page, skip=allowed_to_fail(path))
        assert errors == [], f"{name} shows errors after Run All: {errors}"
        yield page
    finally:
        close_quietly(context)
        server.shutdown_kernels(name)
