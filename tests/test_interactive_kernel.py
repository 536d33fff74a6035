"""In a real Jupyter kernel, a burst of slider messages coalesces into a few runs and the last value wins.

The messages are sent the way JupyterLab sends them (``comm_msg`` "update" on the slider's comm), all at
once, which is the worst case: every one of them is queued in the kernel before the first is handled.
"""

import queue
import sys
import time

import pytest

jupyter_client = pytest.importorskip("jupyter_client")


@pytest.fixture(scope="module")
def kernel():
    """A kernel running this very Python (like nbval's --nbval-current-env), whatever kernels are installed."""
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import KernelManager

    class CurrentEnv(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
            return KernelSpec(argv=argv, display_name="current env", language="python")

    km = KernelManager(kernel_name="current-env", kernel_spec_manager=CurrentEnv())
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=120)
    yield kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def execute(kc, code: str, timeout: float = 120, subshell: str | None = None) -> tuple[list[str], list[str]]:
    """Run ``code`` (on a subshell if given); return (stdout chunks, message types of the outputs)."""
    content = {"code": code, "silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False}
    msg = kc.session.msg("execute_request", content)
    if subshell is not None:
        msg["header"]["subshell_id"] = subshell
    kc.shell_channel.send(msg)
    msg_id = msg["header"]["msg_id"]
    stdout, types = [], []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        if kind == "status" and msg["content"]["execution_state"] == "idle":
            return stdout, types
        if kind == "stream":
            stdout.append(msg["content"]["text"])
        elif kind == "error":
            pytest.fail("\n".join(msg["content"]["traceback"]))
        elif kind in ("display_data", "execute_result", "update_display_data"):
            types.append(kind)


def test_a_burst_of_slider_messages_is_coalesced_and_the_last_value_wins(kernel):
    _, shown = execute(kernel, "from optloop_helpers import playground\npg = playground(epochs=300)\npg")
    assert shown == ["display_data", "display_data"]  # the controls, then the picture
    stdout, _ = execute(kernel, "print(pg.controls['lr'].model_id, pg._coalescer.runs)")
    lr_id, runs_before = stdout[0].split()
    values = [10 ** (-4 + 5 * i / 49) for i in range(50)] + [0.02]
    for value in values:
        state = {"method": "update", "state": {"value": value}, "buffer_paths": []}
        kernel.shell_channel.send(kernel.session.msg("comm_msg", {"comm_id": lr_id, "data": state}))
    frames, runs, error, deadline = 0, runs_before, "?", time.monotonic() + 60
    code = "print(pg._coalescer.runs, pg._coalescer.pending, pg.controls['lr'].value, pg.error)"
    while time.monotonic() < deadline:
        try:
            msg = kernel.get_iopub_msg(timeout=0.5)
            frames += msg["msg_type"] == "update_display_data"
        except queue.Empty:
            stdout, _ = execute(kernel, code)
            runs, pending, lr, error = stdout[0].split()
            if float(lr) == 0.02 and pending == "False" and int(runs) > int(runs_before):
                break
    runs = int(runs) - int(runs_before)
    assert 1 <= runs <= 5, f"{len(values)} slider messages led to {runs} runs"
    assert frames >= 1 and error == "None"
    stdout, _ = execute(kernel, (
        "from optloop_helpers import playground\n"
        "print(pg.settings['lr'], pg.history.train_loss == playground(**pg.settings).run().train_loss)"
    ))
    assert stdout[0].split() == ["0.02", "True"]


def test_widget_callbacks_on_a_subshell_thread_never_overlap_runs(kernel):
    """JupyterLab 4.6 sends widget messages on kernel subshells by default, and ipykernel 7 routes a comm's
    messages to the subshell that last used it, so callbacks may run on a subshell thread. Runs must still
    happen one at a time on the main thread and end with the last values."""
    msg_id = kernel.kernel_info()
    info = kernel.get_shell_msg(timeout=30)
    while info["parent_header"].get("msg_id") != msg_id:
        info = kernel.get_shell_msg(timeout=30)
    if "kernel subshells" not in info["content"].get("supported_features", []):
        pytest.skip("this kernel has no subshells (ipykernel < 7): every callback runs on the main thread")
    kernel.control_channel.send(kernel.session.msg("create_subshell_request", {}))
    subshell = kernel.get_control_msg(timeout=30)["content"]["subshell_id"]
    execute(kernel, (
        "import threading\n"
        "from optloop_helpers import playground\n"
        "pg2 = playground(epochs=1000)\n"
        "pg2\n"
        "threads, overlaps, busy = [], [], threading.Lock()\n"
        "inner = pg2._coalescer.action\n"
        "def watched():\n"
        "    overlaps.append(not busy.acquire(blocking=False))\n"
        "    threads.append(threading.current_thread() is threading.main_thread())\n"
        "    try:\n"
        "        inner()\n"
        "    finally:\n"
        "        busy.release() if not overlaps[-1] else None\n"
        "pg2._coalescer.action = watched\n"
        "callback_threads = []\n"
        "pg2.controls['lr'].observe(lambda change: callback_threads.append(threading.current_thread().name), 'value')\n"
    ))
    # a cell on the subshell uses the slider's comm: from now on its messages are handled on that subshell
    execute(kernel, "pg2.controls['lr'].send_state()", subshell=subshell)
    stdout, _ = execute(kernel, "print(pg2.controls['lr'].model_id, pg2.controls['loss'].model_id)")
    lr_id, loss_id = stdout[0].split()
    # sliders sync "value"; drop-downs sync "index" (1 = MSE), as the front end sends them
    changes = [(lr_id, {"value": 0.001 * (i + 1)}) for i in range(20)] + [(loss_id, {"index": 1}),
                                                                           (lr_id, {"value": 10.0})]
    # As in JupyterLab: the first messages reach the main shell, later ones the subshell, while runs are under
    # way on the main thread. (Updates of ONE widget interleaved over two threads would race inside
    # ipywidgets/traitlets themselves, which are not thread-safe; the front end does not send them that way.)
    def send(comm_id, state, on_subshell):
        msg = kernel.session.msg("comm_msg", {"comm_id": comm_id, "data": {"method": "update", "state": state,
                                                                           "buffer_paths": []}})
        if on_subshell:
            msg["header"]["subshell_id"] = subshell
        kernel.shell_channel.send(msg)

    for comm_id, state in changes[:6]:
        send(comm_id, state, on_subshell=False)
    execute(kernel, "pass")  # the main shell has handled those (in order) before the subshell gets the rest
    for comm_id, state in changes[6:]:
        send(comm_id, state, on_subshell=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.5)
        stdout, _ = execute(kernel, "print(pg2._coalescer.pending, pg2.controls['lr'].value, len(threads))")
        pending, lr, runs = stdout[0].split()
        if pending == "False" and float(lr) == 10.0 and int(runs) >= 1:
            time.sleep(0.5)
            break
    stdout, _ = execute(kernel, (
        "print(all(threads), any(overlaps), pg2.settings['lr'], pg2.settings['loss'], pg2.history.diverged, "
        "pg2.error, any(name != 'MainThread' for name in callback_threads))"
    ))
    assert stdout[0].split() == ["True", "False", "10.0", "mse", "True", "None", "True"]
