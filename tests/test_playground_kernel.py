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


def execute(kc, code: str, timeout: float = 120) -> tuple[list[str], list[str]]:
    """Run ``code``; return (stdout chunks, message types of the outputs) of that execution."""
    msg_id = kc.execute(code)
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
        "from optloop_helpers.experiment import run_experiment\n"
        "print(pg.settings().lr, pg.history.train_loss == run_experiment(pg.settings()).history.train_loss)"
    ))
    assert stdout[0].split() == ["0.02", "True"]
