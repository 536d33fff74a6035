"""Drive one optloop tool (the playground or the step explorer) on a JupyterLab page, as a learner would.

``Tool(page, "optloop-playground")`` finds the first cell showing that tool. Controls are found by their
CSS class ``optloop-control-<name>`` (see ``optloop_helpers.interactive.controls``); the picture is the PNG output
of the same cell. ``probe()`` asks the kernel what the tool's controls and last run really hold, so a
test can check that what the page shows is the result of the final control values.

Image changes are recorded in the page itself (a MutationObserver, times from ``performance.now()``),
so the latency of "key pressed -> new picture decoded" is measured without Playwright's round trips.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import time
from typing import Any

from jupyterlab_browser import NOTEBOOKS, kernel_status, notebooks_calling

LR_STEP = 0.05  # the learning-rate slider moves its exponent (base 10) by this much per key press
IMAGE = '.jp-OutputArea-output[data-mime-type="image/png"] img'

# Installed once per page: records every new picture of the watched cell and the time of each key or
# pointer press, all on the page's clock.
_RECORDER_JS = """(cell) => {
    const rec = window.__optloop = {changes: [], shown: [], started: [], pressed: null, src: null};
    const current = () => { const img = cell.querySelector('IMAGE'); return img ? img.getAttribute('src') : null; };
    rec.src = current();
    new MutationObserver(() => {
        const src = current();
        if (!src || src === rec.src) return;
        rec.src = src;
        rec.changes.push(performance.now());
        const img = cell.querySelector('IMAGE');
        img.decode().then(() => rec.shown.push(performance.now()), () => rec.shown.push(performance.now()));
    }).observe(cell, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
    rec.started = [];
    new MutationObserver(() => {
        const status = cell.querySelector('.optloop-status');
        if (status && status.innerText.startsWith('training')) rec.started.push(performance.now());
    }).observe(cell, {subtree: true, childList: true, characterData: true});
    for (const type of ['keydown', 'pointerdown']) {
        document.addEventListener(type, () => { rec.pressed = performance.now(); }, true);
    }
}""".replace("IMAGE", IMAGE)

_NEW_IMAGE_JS = """([cell, old]) => {
    const img = cell.querySelector('IMAGE');
    return !!img && img.getAttribute('src') !== old;
}""".replace("IMAGE", IMAGE)

_MODEL_ID_JS = """(rootClass) => {
    for (const cell of window.jupyterapp.shell.currentWidget.content.widgets) {
        if (!cell.node.querySelector('.' + rootClass)) continue;
        for (let i = 0; i < cell.model.outputs.length; i++) {
            const view = cell.model.outputs.get(i).data['application/vnd.jupyter.widget-view+json'];
            if (view) return view.model_id;
        }
    }
    return null;
}"""

_EXECUTE_JS = """async (code) => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    const future = kernel.requestExecute({code, silent: false, store_history: false, stop_on_error: false});
    let out = '', err = '';
    future.onIOPub = (msg) => {
        if (msg.header.msg_type === 'stream') out += msg.content.text;
        if (msg.header.msg_type === 'error') err += msg.content.ename + ': ' + msg.content.evalue;
    };
    await future.done;
    return {out, err};
}"""

# Runs in the kernel: find the tool whose box is the widget shown in the cell, report its state as JSON.
_PROBE_CODE = """
def __optloop_probe(model_id):
    import gc, hashlib, json
    tools = [o for o in gc.get_objects()
             if type(o).__name__ in ("Playground", "StepExplorer") and getattr(getattr(o, "box", None), "model_id", None) == model_id]
    if len(tools) != 1:
        return json.dumps({"error": f"found {len(tools)} tools with box {model_id}"})
    tool, h = tools[0], getattr(tools[0].history, "history", tools[0].history)
    state = {"controls": {name: c.value for name, c in tool.controls.items()}, "history": None,
             "error": None if tool.error is None else repr(tool.error)}
    view = tool.view  # what the last frame shows: its headline, its epoch counter, its PNG
    png = getattr(getattr(view, "live", None), "_png", None)
    text = lambda name: getattr(view, name + "_text")() if hasattr(view, name + "_text") else getattr(view, name).get_text()
    state["picture"] = {"headline": text("headline") if hasattr(view, "headline") else None,
                        "counter": text("counter") if hasattr(view, "counter") else None,
                        "png_sha256": hashlib.sha256(png).hexdigest() if png else None}
    last = getattr(tool, "last_run", None)
    if last is not None:  # the run shown against a fresh fit with the settings the controls hold now
        from optloop_helpers.interactive.settings import SETTING_NAMES, Settings, run_experiment
        fresh, shown = run_experiment(last.settings).history, last.history
        state["cache_hits"] = tool.cache_hits
        state["fresh_run_matches"] = (
            last.settings == Settings(**{k: tool.settings[k] for k in SETTING_NAMES})
            and fresh.train_loss_by_epoch == shown.train_loss_by_epoch and fresh.test_loss == shown.test_loss
            and fresh.final_train_loss == shown.final_train_loss and fresh.final_test_loss == shown.final_test_loss)
    if h is not None:
        state["history"] = {"epochs_run": h.epochs_run, "diverged_epoch": h.diverged_epoch,
                            "weights": h.param("weights")[-1] if h.params else None,
                            "bias": h.param("bias")[-1] if h.params else None}
    return json.dumps(state)
print(__optloop_probe(%r))
del __optloop_probe
"""


class Tool:
    """One tool's controls, status line and picture in a notebook open on ``page``."""

    def __init__(self, page: Any, root_class: str = "optloop-playground") -> None:
        self.page = page
        self.root_class = root_class
        self.cell = page.locator(".jp-NotebookPanel .jp-Cell", has=page.locator(f".{root_class}")).first
        self.root = self.cell.locator(f".{root_class}").first
        self.image = self.cell.locator(IMAGE).first
        self.status = self.root.locator(".optloop-status .widget-html-content")
        self.cell.wait_for(state="attached")
        self.root.scroll_into_view_if_needed()  # as a learner scrolls to it (JupyterLab skips off-screen cells)
        self.image.wait_for(state="visible")
        self.cell.evaluate(_RECORDER_JS)

    # -- controls -----------------------------------------------------------------------------
    def control(self, name: str) -> Any:
        return self.root.locator(f".optloop-control-{name}")

    def handle(self, name: str) -> Any:
        return self.control(name).locator(".noUi-handle")

    def readout(self, name: str) -> str:
        readout = self.control(name).locator(".widget-readout")
        readout.scroll_into_view_if_needed()  # off-screen cells are not rendered: their text reads empty
        return (readout.text_content() or "").strip()

    def press(self, name: str, key: str, times: int = 1, delay: float = 0) -> None:
        """Focus a slider's handle and press ``key`` (e.g. "ArrowRight", "End") ``times`` times."""
        handle = self.handle(name)
        handle.focus()
        for _ in range(times):
            handle.press(key, delay=delay)

    def drag(self, name: str, fraction: float, steps: int = 12) -> None:
        """Drag a slider's handle with the mouse to ``fraction`` (0 = left end, 1 = right end) of its track."""
        self.handle(name).scroll_into_view_if_needed()
        track = self.control(name).locator(".noUi-base").bounding_box()
        box = self.handle(name).bounding_box()
        start_x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        self.page.mouse.move(start_x, y)
        self.page.mouse.down()
        self.page.mouse.move(track["x"] + fraction * track["width"], y, steps=steps)
        self.page.mouse.up()

    def type_readout(self, name: str, text: str) -> None:
        """Click a slider's readout, replace its text with ``text`` and press Enter."""
        readout = self.control(name).locator(".widget-readout")
        readout.click()
        self.page.keyboard.press("ControlOrMeta+a")
        self.page.keyboard.type(text)
        self.page.keyboard.press("Enter")

    def select(self, name: str, label: str) -> None:
        """Pick ``label`` in a dropdown control."""
        self.control(name).locator("select").select_option(label=label)

    # -- what the page shows ------------------------------------------------------------------
    def image_src(self) -> str:
        return self.image.get_attribute("src")

    def image_sha256(self) -> str | None:
        """The SHA-256 of the PNG the page shows (None unless its ``src`` is a base64 data URI)."""
        src = self.image_src() or ""
        prefix = "data:image/png;base64,"
        return hashlib.sha256(base64.b64decode(src[len(prefix):])).hexdigest() if src.startswith(prefix) else None

    def status_text(self) -> str:
        return (self.status.text_content() or "").strip()

    def headline(self) -> str:
        """The headline of the picture the page shows: the kernel's last frame, checked to be that picture."""
        picture = self.probe()["picture"]
        shown = self.image_sha256()
        assert shown is None or shown == picture["png_sha256"], "the page does not show the kernel's last frame"
        return picture["headline"]

    def recorded(self) -> dict[str, Any]:
        """The page's record (ms, page clock): ``pressed`` (last key or pointer press), ``changes`` (a new
        picture in the page), ``shown`` (it has decoded), ``started`` (the status line says "training")."""
        return self.page.evaluate("() => window.__optloop")

    def reset_record(self) -> None:
        self.page.evaluate("() => { const r = window.__optloop; r.changes = []; r.shown = []; r.started = []; }")

    def wait_for_new_image(self, old_src: str, timeout: float = 30) -> str:
        """Wait until the picture's ``src`` differs from ``old_src``; return the new one."""
        self.page.wait_for_function(
            _NEW_IMAGE_JS, arg=[self.cell.element_handle(), old_src], timeout=timeout * 1000, polling="raf"
        )
        return self.image_src()

    def wait_until_settled(self, quiet: float = 0.8, timeout: float = 60) -> None:
        """Wait until the picture has not changed for ``quiet`` seconds, no run is in progress (the status
        line does not say "training") and the kernel is idle.

        (Widget callbacks can run while the kernel reports "idle", so the picture and the status matter most.)
        """
        deadline = time.monotonic() + timeout
        src, since = self.image_src(), time.monotonic()
        while time.monotonic() < deadline:
            self.page.wait_for_timeout(100)
            now_src = self.image_src()
            if now_src != src:
                src, since = now_src, time.monotonic()
                continue
            running = self.status.count() and self.status_text().startswith("training")
            if time.monotonic() - since >= quiet and not running and kernel_status(self.page) == "idle":
                return
        raise TimeoutError(f"{self.root_class}: still changing or training after {timeout} s")

    # -- what the kernel holds ----------------------------------------------------------------
    def model_id(self) -> str:
        model_id = self.page.evaluate(_MODEL_ID_JS, self.root_class)
        assert model_id, f"no widget output found in the cell showing .{self.root_class}"
        return model_id

    def probe(self) -> dict[str, Any]:
        """The tool's control values and last run, as the kernel holds them."""
        result = self.page.evaluate(_EXECUTE_JS, _PROBE_CODE % self.model_id())
        assert not result["err"], f"probing the kernel failed: {result['err']}"
        state = json.loads(result["out"])
        assert "error" not in state or not str(state.get("error", "")).startswith("found"), state
        return state

    def run_in_kernel(self) -> None:
        """Call the tool's ``run()`` in the kernel (a fresh run with the current values, as a script would)."""
        result = self.page.evaluate(_EXECUTE_JS, _RUN_CODE % self.model_id())
        assert not result["err"], f"running the tool in the kernel failed: {result['err']}"


_RUN_CODE = """
def __optloop_run(model_id):
    import gc
    [tool] = [o for o in gc.get_objects()
              if type(o).__name__ in ("Playground", "StepExplorer") and getattr(getattr(o, "box", None), "model_id", None) == model_id]
    tool.run()
__optloop_run(%r)
del __optloop_run
"""


def playground_notebook() -> str:
    """The notebook that shows the playground (its name contains 'playground')."""
    names = [name for name in notebooks_calling("playground") if "playground" in name]
    assert names, f"no notebook named *playground*.ipynb calling playground(...) in {NOTEBOOKS}"
    return names[0]


def assert_view_matches_controls(tool: Tool) -> dict[str, Any]:
    """What the page shows is the run for the final control values.

    The readouts show the kernel's control values, and a fresh run started from the kernel with those
    values (``run()``, as a script would) leaves the picture (and its headline) exactly as it was: nothing
    stale was on screen. The headline is read through the kernel probe, from the very frame the page shows
    (same PNG bytes); the status line under the controls is empty once a run has ended. Returns the
    kernel's state.
    """
    state = tool.probe()
    controls = state["controls"]
    assert state["error"] is None, state["error"]
    if "fresh_run_matches" in state:  # remembered, prefix-reused or speculated: still exactly a fresh fit
        assert state["fresh_run_matches"], "the run shown differs from a fresh fit with the controls' values"
    assert math.isclose(float(tool.readout("lr")), controls["lr"], rel_tol=1e-3), (tool.readout("lr"), controls)
    if "epochs" in controls:
        assert int(tool.readout("epochs")) == controls["epochs"]
    shown_headline, shown_image = tool.headline(), tool.image_src()
    assert tool.status_text() == "", "the status line repeats what the picture says (or shows an error)"
    diverged = state["history"]["diverged_epoch"]
    if diverged is None and "epochs" in controls:
        last = controls["epochs"] - 1  # the epoch index, as in `for epoch in range(epochs)`
        assert shown_headline.startswith(f"epoch {last} of {controls['epochs']} | ")
        assert state["picture"]["counter"] == f"epoch {last} of {controls['epochs']}"
    elif diverged is not None:
        assert shown_headline == f"diverged at epoch {diverged}: try a smaller learning rate"
        if "epochs" in controls:  # the counter names the same epoch as the message
            assert state["picture"]["counter"] == f"epoch {diverged} of {controls['epochs']}"

    tool.run_in_kernel()
    tool.wait_until_settled()
    assert tool.headline() == shown_headline, "the picture's headline did not show the run for the final values"
    assert tool.image_src() == shown_image, "the picture was not the one of the final values"
    return state


def burst(tool: Tool) -> int:
    """Many rapid moves: key presses in both directions and a quick drag back and forth. Returns the
    net number of steps to the right of lr 0.01 that the keys alone make (the drag ends where it began)."""
    for key in ["ArrowRight"] * 12 + ["ArrowLeft"] * 4 + ["ArrowRight"] * 9 + ["ArrowLeft"] * 3:
        tool.handle("lr").press(key)
    return 12 - 4 + 9 - 3
