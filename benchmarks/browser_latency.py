"""Browser latency of the playground: a learning-rate key press -> the new picture shown in Chromium.

Usage::

    .venv/bin/python benchmarks/browser_latency.py              # 20 moves at 300 epochs, prints a table
    .venv/bin/python benchmarks/browser_latency.py --write      # ... and puts it into docs/benchmarks.md

It starts JupyterLab and the system Chromium exactly as the browser tests do (tests/browser), opens the
playground notebook, runs it, sets the epochs to 300, and then moves the learning-rate slider with the
arrow keys (two steps right, one left, ...), each move after ``--pause`` seconds without a change (1 s: the
kernel computes the neighbouring runs meanwhile); then, at 5000 epochs, types learning rates nobody computed. Times come
from the page's own clock (``performance.now()``): the key press is the ``keydown`` event, a picture is
"shown" when the new ``<img>`` has decoded. Reported per move: the first new picture, and the final one
(the picture of the finished run). JupyterLab runs with its default settings (notebook windowing included).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from jupyterlab_browser import (  # noqa: E402 - the path above makes the test helpers importable
    NOTEBOOKS,
    JupyterLabServer,
    descendants,
    expected_runs,
    launch_chromium,
    open_notebook,
    run_all,
)
from widget_driver import Tool, playground_notebook  # noqa: E402

DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- browser-latency:start -->", "<!-- browser-latency:end -->"


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100), linear between the closest ranks."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def machine(browser_version: str) -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import ipywidgets
    import jupyterlab

    try:
        load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        load = "n/a"
    return (
        f"{cpu}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, JupyterLab {jupyterlab.__version__}, ipywidgets "
        f"{ipywidgets.__version__}, Chromium {browser_version} (headless); load average before the run {load}"
    )


def kernel_pids(server: JupyterLabServer) -> list[int]:
    """The ipykernel processes the server started (Linux /proc)."""
    pids = []
    for pid in descendants(server.process.pid):
        try:
            if b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes():
                pids.append(pid)
        except OSError:
            pass
    return pids


def cpu_ms(pids: list[int]) -> float:
    """User + system CPU time used so far by ``pids`` (all their threads), in ms (10 ms resolution)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total * 1000 / os.sysconf("SC_CLK_TCK")


def measure(tool: Tool, key: str, pause: float = 1.0, lr: str | None = None) -> tuple[float, float, float | None]:
    """After ``pause`` seconds without a change, press ``key`` on the learning-rate slider (or type ``lr`` into
    its readout and press Enter); return the ms to the first new picture, to the final picture, and to the
    status line saying "training" (the run has started in the kernel; None if missed)."""
    tool.wait_until_settled(quiet=pause)
    tool.reset_record()
    before = tool.image_src()
    if lr is None:
        tool.press("lr", key)
    else:
        tool.type_readout("lr", lr)
    tool.wait_for_new_image(before)
    tool.wait_until_settled(quiet=0.5)
    record = tool.recorded()
    assert record["shown"], "no new picture was shown"
    started = record["started"][0] - record["pressed"] if record["started"] else None
    return record["shown"][0] - record["pressed"], record["shown"][-1] - record["pressed"], started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=20, help="measured moves (default 20, at least 10)")
    parser.add_argument("--epochs", type=int, default=300, help="epochs per run (default 300)")
    parser.add_argument("--pause", type=float, default=1.0, help="seconds without a change before each move (1)")
    parser.add_argument("--cold-epochs", type=int, default=5000,
                        help="epochs of the cold changes (a learning rate typed in: a run nobody computed; 5000)")
    parser.add_argument("--write", action="store_true", help=f"write the table into {DOC.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    if args.moves < 10:
        parser.error(f"--moves must be at least 10, got {args.moves}")

    from playwright.sync_api import sync_playwright

    name = playground_notebook()
    with tempfile.TemporaryDirectory() as work:
        server = JupyterLabServer(NOTEBOOKS, Path(work))
        playwright = sync_playwright().start()
        try:
            browser = launch_chromium(playwright)
            about = machine(browser.version)
            server.start()
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            open_notebook(page, server, name)
            run_all(page, expected_runs(NOTEBOOKS / name))
            tool = Tool(page, "optloop-playground")
            tool.wait_until_settled()
            if tool.readout("epochs") != str(args.epochs):
                tool.type_readout("epochs", str(args.epochs))
            for key in ("ArrowRight", "ArrowLeft"):  # warm-up, not counted
                measure(tool, key, args.pause)
            pids = kernel_pids(server)
            first, final, started, cpu = [], [], [], []
            for i in range(args.moves):
                cpu_before = cpu_ms(pids)
                a, b, c = measure(tool, "ArrowRight" if i % 3 != 2 else "ArrowLeft", args.pause)
                cpu.append(cpu_ms(pids) - cpu_before)
                first.append(a)
                final.append(b)
                started += [] if c is None else [c]
                print(f"move {i + 1:2d}: first picture {a:6.1f} ms, final picture {b:6.1f} ms, "
                      f"status 'training' {'-' if c is None else f'{c:.1f}'} ms, kernel CPU {cpu[-1]:.0f} ms",
                      flush=True)
            tool.type_readout("epochs", str(args.cold_epochs))
            cold_first, cold_final = [], []
            for i in range(max(5, args.moves // 2)):
                # a learning rate nobody computed: on the slider's steps (it snaps typed values to them), at least
                # three steps from every value shown before (speculation covers two either side)
                exponents = [-3.0 - 0.15 * k for k in range(7)] + [-2.85 + 0.15 * k for k in range(7)]
                lr = f"{10 ** exponents[i % len(exponents)]:.4g}"
                a, b, _ = measure(tool, "", args.pause, lr=lr)
                cold_first.append(a)
                cold_final.append(b)
                print(f"cold {args.cold_epochs} epochs (lr {lr} typed): first picture {a:6.1f} ms, final {b:6.1f} ms",
                      flush=True)
        finally:
            playwright.stop()
            server.stop()

    table = "\n".join([
        f"Machine: {about}.",
        "",
        f"{args.moves} moves of the learning-rate slider (arrow keys: two right, one left, and so on) at "
        f"{args.epochs} epochs, each after {args.pause:g} s without a change, then {len(cold_first)} cold changes "
        f"(a learning rate typed in) at {args.cold_epochs} epochs; JupyterLab's default settings (notebook windowing "
        f"included); measured {time.strftime('%Y-%m-%d')} with `.venv/bin/python benchmarks/browser_latency.py`.",
        "",
        "| key press -> | median | 90th percentile | target |",
        "|---|---|---|---|",
        f"| status line says \"training\" (the run has started in the kernel; {len(started)} of {args.moves} "
        f"seen) | {statistics.median(started):.0f} ms | {percentile(started, 90):.0f} ms |  |" if started else
        "| status line says \"training\" | not seen | | |",
        f"| first new picture shown | {statistics.median(first):.0f} ms | {percentile(first, 90):.0f} ms |  |",
        f"| final picture shown (run finished) | {statistics.median(final):.0f} ms | "
        f"{percentile(final, 90):.0f} ms | median <= 60 ms, 90th pct <= 100 ms |",
        f"| cold change at {args.cold_epochs} epochs: first new picture | {statistics.median(cold_first):.0f} ms | "
        f"{percentile(cold_first, 90):.0f} ms | median <= 150 ms |",
        f"| cold change at {args.cold_epochs} epochs: final picture | {statistics.median(cold_final):.0f} ms | "
        f"{percentile(cold_final, 90):.0f} ms |  |",
        "",
        f"Kernel CPU time per move (training, drawing, messages; includes the settling wait after the run, "
        f"10 ms resolution): median {statistics.median(cpu):.0f} ms, 90th percentile {percentile(cpu, 90):.0f} ms.",
    ])
    print()
    print(table)
    if args.write:
        text = DOC.read_text()
        if START in text and END in text:
            head, rest = text.split(START, 1)
            text = head + START + "\n" + table + "\n" + END + rest.split(END, 1)[1]
        else:
            text = text.rstrip("\n") + f"\n\n## Browser latency\n\n{START}\n{table}\n{END}\n"
        DOC.write_text(text)
        print(f"\nwritten to {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
