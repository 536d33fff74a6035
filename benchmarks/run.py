"""Speed of the playground and the live plots, on this machine, in one run.

Usage::

    make bench                        # or: .venv/bin/python benchmarks/run.py
    .venv/bin/python benchmarks/run.py --quick   # fewer repeats, for a smoke test

Prints the machine and a Markdown table of wall-clock times (median and 90th percentile) and the CPU time
this process used (median; steadier than wall-clock when other programs share the machine) of:

(a) control change -> final frame handed to the display handle, in a running asyncio event loop (as in a Jupyter
    kernel), each change after 1 s of idling (speculation runs meanwhile): one learning-rate slider step, epochs
    300 -> 310 -> 300, and a learning rate never seen (cold); each against the article's bare 300-epoch loop
    timed right after it (ratios of medians); then a cold change's two parts (training, its frame) alone;
(b) the per-frame cost of the live loss plot against a naive per-frame rebuild measured in the same run
    (clear the axes and redraw the whole figure every frame, as d2l's ProgressBoard does);
(c) a 5000-epoch run with live plotting against the same run with no plotting;
(d) ``fit`` against the article's plain loop (1000 epochs, testing every 20);
(e) the memory the run and frame caches hold after 220 different settings, and the process's growth.

Targets (ratios to the bare loop measured in the same run): (a) neighbouring lr <= 0.25, epochs change <= 0.3,
cold <= 1.15; (b) <= 0.3, (c) <= 1.3, (d) <= 1.1; (e) <= 50 MiB. Results go into docs/benchmarks.md by hand, with the machine they were measured on.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from optloop_helpers import LinearRegressionModel, LiveLossPlot, fit, make_line_data, playground  # noqa: E402
from optloop_helpers.interactive import Settings, run_experiment  # noqa: E402
from optloop_helpers.interactive.cache import FRAMES, RUNS  # noqa: E402
from optloop_helpers.interactive.settings import LR  # noqa: E402


class FakeHandle:
    """Stands in for a notebook display handle: receives the frame (already PNG + base64), sends nothing."""

    def __init__(self) -> None:
        self.updates = 0

    def update(self, data: dict, raw: bool = False) -> None:
        self.updates += 1


def now() -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds of this process): the second is steadier on a busy shared machine."""
    return time.perf_counter(), time.process_time()


def since(start: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = now()
    return wall - start[0], cpu - start[1]


def stats(samples: list[tuple[float, float]]) -> tuple[float, float, float]:
    """(wall median, wall 90th percentile, CPU median)."""
    walls, cpus = [w for w, _ in samples], [c for _, c in samples]
    return float(np.median(walls)), float(np.percentile(walls, 90)), float(np.median(cpus))


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return (
        f"{model}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, torch {torch.__version__} ({torch.get_num_threads()} threads), "
        f"matplotlib {matplotlib.__version__}; load average before the run: {load}"
    )


# -- (a) control change -> final view ready ---------------------------------------------------------
def bare_loop(epochs: int) -> tuple[float, float]:
    """The yardstick: the article's plain loop for ``epochs`` epochs (SGD lr 0.01, L1, a test every 20)."""
    torch.manual_seed(42)
    model = LinearRegressionModel()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    data = make_line_data()
    start = now()
    article_loop(model, data, nn.L1Loss(), optimizer, epochs)
    return since(start)


def bench_changes(moves: list[dict], pause: float, epochs: int = 300) -> tuple[list, list]:
    """Displayed playground in a running event loop: each move (a dict of control values) after ``pause``
    seconds of quiet; returns (change -> final frame handed to the display, the bare loop timed right after)."""
    RUNS.clear()
    FRAMES.clear()
    finished: list[tuple[float, float]] = []

    async def slide() -> tuple[list, list]:
        pg = playground(epochs=epochs)  # made in the running loop, as a notebook cell makes it in the kernel
        pg.view.live.handle = FakeHandle()  # as if displayed: every frame is rendered and handed over
        pg.run()  # warm-up: torch's first optimizer, the first full draw
        original_run = pg._run

        def run():
            history = original_run()  # the final frame has been handed over when it returns
            finished.append(now())
            return history

        pg._run = run
        times, bare = [], []
        for move in moves:
            await asyncio.sleep(pause)  # the learner looks; speculation has this long
            done = len(finished)
            start = now()
            for name, value in move.items():
                pg.controls[name].value = value
            while len(finished) == done or pg._coalescer.pending:
                await asyncio.sleep(0.0002)
            times.append((finished[-1][0] - start[0], finished[-1][1] - start[1]))
            pg.speculator.pause()
            bare.append(bare_loop(epochs))  # the yardstick, in the same conditions
            pg.run()  # back to a settled state: speculation starts again from the values now shown
        return times, bare

    return asyncio.run(slide())


def bench_cold_parts(count: int) -> tuple[list, list, list]:
    """What a cold change costs, part by part: (bare loop, training and recording the run, its final frame)."""
    from optloop_helpers.interactive.cache import RunCache
    from optloop_helpers.interactive.settings import begin_run
    from optloop_helpers.interactive.view import TrainingView

    view = TrainingView(begin_run(Settings()))
    view.live.handle = FakeHandle()
    view.finish(RunCache().run(Settings()))  # warm-up: the first full draw
    bare, training, frame = [], [], []
    for move in cold_moves(count):
        settings = Settings(**move)
        bare.append(bare_loop(300))
        start = now()
        run = RunCache().run(settings)
        training.append(since(start))
        view.prepare(begin_run(settings))
        start = now()
        view.finish(run)
        frame.append(since(start))
    return bare, training, frame


def lr_steps(start: float, count: int) -> list[dict]:
    """``count`` moves of one learning-rate slider step, alternately right and left (neighbours)."""
    step = 10 ** LR.step
    return [{"lr": start * step if i % 2 == 0 else start} for i in range(count)]


def cold_moves(count: int) -> list[dict]:
    """Learning rates nobody computed: not a slider step from any value shown before."""
    return [{"lr": round(0.0131 + 0.00077 * i, 5)} for i in range(count)]


def bench_memory(settings_count: int = 200, long_runs: int = 20) -> dict[str, float]:
    """Fill the shared caches: ``settings_count`` different 300-epoch runs shown, ``long_runs`` 5000-epoch ones,
    each followed by a little speculation; report what the caches hold and what the process grew by."""
    import tracemalloc

    def rss() -> float:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS"):
                return float(line.split()[1]) * 1024
        return float("nan")

    RUNS.clear()
    FRAMES.clear()
    pg = playground()
    pg.view.live.handle = FakeHandle()
    pg.run()
    before = rss()
    tracemalloc.start()
    for i in range(settings_count + long_runs):
        pg.set(lr=round(0.0005 + 0.0011 * i, 5), epochs=300 if i < settings_count else 5000)
        for _ in range(20):  # some speculation, as a learner's pause would give it
            pg.speculator.step()
    traced = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return {"paths": len(RUNS), "paths_mb": RUNS.nbytes / 2**20, "frames": len(FRAMES),
            "frames_mb": FRAMES.nbytes / 2**20, "budget_mb": (RUNS.budget + FRAMES.budget) / 2**20,
            "python_mb": traced / 2**20, "rss_growth_mb": (rss() - before) / 2**20}


# -- (b) per-frame cost of the live loss plot vs a naive rebuild ------------------------------------
def fake_curves(points: int) -> tuple[list[int], list[float], list[float]]:
    epochs = list(range(0, points * 20, 20))
    train = [0.3 * float(np.exp(-e / 800)) + 0.01 for e in epochs]
    test = [0.45 * float(np.exp(-e / 900)) + 0.02 for e in epochs]
    return epochs, train, test


class _Progress:
    def __init__(self, history, epoch):
        self.history, self.epoch = history, epoch


class _History:
    def __init__(self, epochs, train, test):
        self.epochs, self.train_loss, self.test_loss = epochs, train, test


def bench_live_frames(frames: int) -> list[tuple[float, float]]:
    epochs, train, test = fake_curves(frames)
    plot = LiveLossPlot(epochs=frames * 20)
    plot.live.handle = FakeHandle()
    plot.live.min_interval = 0.0  # measure every frame
    plot.live.frame_budget = None
    times = []
    for k in range(1, frames + 1):
        progress = _Progress(_History(epochs[:k], train[:k], test[:k]), epochs[k - 1])
        start = now()
        plot(progress)
        times.append(since(start))
    return times


def bench_naive_frames(frames: int) -> list[tuple[float, float]]:
    """d2l's ProgressBoard way: clear the axes, plot everything again, render the whole figure, every frame."""
    epochs, train, test = fake_curves(frames)
    fig = Figure(figsize=(7.0, 4.0), dpi=72, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    handle = FakeHandle()
    times = []
    for k in range(1, frames + 1):
        start = now()
        ax.cla()
        ax.plot(epochs[:k], train[:k], color="tab:blue", label="Train loss")
        ax.plot(epochs[:k], test[:k], color="tab:orange", label="Test loss")
        ax.set_xlim(0, frames * 20)
        ax.set_xlabel("Epoch")
        ax.set_ylabel("Loss")
        ax.set_title("Training and test loss curves")
        ax.text(0.98, 0.95, f"epoch {epochs[k - 1] + 1}/{frames * 20}", transform=ax.transAxes, ha="right", va="top")
        ax.legend(loc="center right")
        out = io.BytesIO()
        fig.canvas.print_png(out)  # a full draw and a PNG, like display(fig) each frame (without bbox "tight")
        handle.update({"image/png": base64.b64encode(out.getvalue()).decode("ascii")}, raw=True)
        times.append(since(start))
    return times


# -- (c) 5000 epochs with live plotting vs none -----------------------------------------------------
def bench_live_overhead(repeats: int) -> tuple[list, list, list]:
    settings = Settings(epochs=5000)
    pg = playground(epochs=5000)
    pg.view.live.handle = FakeHandle()
    pg.run()  # warm-up, static parts drawn once
    plain, with_view, with_loss_plot = [], [], []
    for _ in range(repeats):
        start = now()
        run_experiment(settings)
        plain.append(since(start))
        RUNS.clear()  # train again: (c) measures live drawing while training
        start = now()
        pg.run()
        with_view.append(since(start))
        start = now()
        plot = LiveLossPlot(epochs=5000)
        plot.live.handle = FakeHandle()
        plot.finish(run_experiment(settings, callback=plot).history)
        with_loss_plot.append(since(start))
    return plain, with_view, with_loss_plot


# -- (d) fit vs the article's plain loop ------------------------------------------------------------
def article_loop(model, data, loss_fn, optimizer, epochs: int) -> list[float]:
    epoch_count, train_loss_values, test_loss_values = [], [], []
    for epoch in range(epochs):
        model.train()
        # 1. Forward pass
        y_pred = model(data.X_train)
        # 2. Calculate the loss
        loss = loss_fn(y_pred, data.y_train)
        # 3. Zero the gradients
        optimizer.zero_grad()
        # 4. Backpropagation
        loss.backward()
        # 5. Step the optimizer
        optimizer.step()
        if epoch % 20 == 0:
            model.eval()
            with torch.inference_mode():
                test_pred = model(data.X_test)
                test_loss = loss_fn(test_pred, data.y_test)
            epoch_count.append(epoch)
            train_loss_values.append(loss.item())
            test_loss_values.append(test_loss.item())
    return test_loss_values


def bench_fit_vs_plain(repeats: int, epochs: int = 1000) -> tuple[list, list]:
    data = make_line_data()

    def timed(run: Callable) -> tuple[float, float]:
        torch.manual_seed(42)
        model = LinearRegressionModel()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        start = now()
        run(model, data, nn.L1Loss(), optimizer, epochs)
        return since(start)

    def with_fit(model, data, loss_fn, optimizer, epochs):
        return fit(model, data, loss_fn, optimizer, epochs, eval_every=20)

    timed(article_loop), timed(with_fit)  # warm-up
    plain, fitted = [], []
    for _ in range(repeats):
        plain.append(timed(article_loop))
        fitted.append(timed(with_fit))
    return plain, fitted


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def row(name: str, samples: list, target: str = "") -> tuple[str, ...]:
    wall, p90, cpu = stats(samples)
    return name, ms(wall), ms(p90), ms(cpu), target


def ratio_row(name: str, samples: list, baseline: list, target: str) -> tuple[str, ...]:
    (w, p, c), (bw, bp, bc) = stats(samples), stats(baseline)
    return name, f"{w / bw:.3f}", f"{p / bp:.3f}", f"{c / bc:.3f}", target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke test, noisier numbers)")
    args = parser.parse_args(argv)
    n = 5 if args.quick else 1
    print(f"Machine: {machine()}\n", flush=True)
    rows: list[tuple[str, ...]] = []

    def report(*new: tuple[str, ...]) -> None:
        rows.extend(new)
        for r in new:
            print(" | ".join(r), flush=True)

    moves = 20 // n
    near, bare_near = bench_changes(lr_steps(0.01, moves), pause=1.0)
    epochs_moves = [{"epochs": 310 if i % 2 == 0 else 300} for i in range(moves)]
    epochs_change, bare_epochs = bench_changes(epochs_moves, pause=1.0)
    cold, bare_cold = bench_changes(cold_moves(moves), pause=1.0)
    report(row("(a) the article's bare loop, 300 epochs (the yardstick)", bare_near + bare_epochs + bare_cold),
           row("(a) lr one slider step after a 1 s pause -> final frame, 300 epochs", near),
           ratio_row("(a) ratio: neighbouring lr / bare loop", near, bare_near, "<= 0.25"),
           row("(a) epochs 300 -> 310 -> 300 after a 1 s pause -> final frame", epochs_change),
           ratio_row("(a) ratio: epochs change / bare loop", epochs_change, bare_epochs, "<= 0.3"),
           row("(a) a learning rate never seen (cold) -> final frame, 300 epochs", cold),
           ratio_row("(a) ratio: cold change / bare loop", cold, bare_cold, "<= 1.15"))
    bare, training, frame = bench_cold_parts(moves)
    report(ratio_row("(a) of a cold change: training and recording the run / bare loop", training, bare, ""),
           ratio_row("(a) of a cold change: its final frame / bare loop", frame, bare, ""))
    memory = bench_memory(200 // n, 20 // n)
    print(f"memory after {200 // n} + {20 // n} different settings: {memory}", flush=True)
    rows.append(("(e) memory: cache budget / paths held / frames held / Python heap / process growth",
                 f"{memory['budget_mb']:.0f} MiB", f"{memory['paths_mb']:.1f} MiB ({memory['paths']} paths)",
                 f"{memory['frames_mb']:.1f} MiB ({memory['frames']} frames)",
                 f"heap {memory['python_mb']:.1f} MiB, RSS +{memory['rss_growth_mb']:.1f} MiB (<= 50 MiB)"))

    live, naive = bench_live_frames(250 // n), bench_naive_frames(250 // n)
    report(row("(b) live loss plot, per frame", live), row("(b) naive rebuild, per frame", naive),
           ratio_row("(b) ratio live / naive", live, naive, "<= 0.3"))

    plain, with_view, with_plot = bench_live_overhead(repeats=max(3, 9 // n))
    report(row("(c) 5000 epochs, no plotting", plain), row("(c) 5000 epochs, playground view live", with_view),
           row("(c) 5000 epochs, live loss plot", with_plot),
           ratio_row("(c) ratio playground view / none", with_view, plain, "<= 1.3"),
           ratio_row("(c) ratio live loss plot / none", with_plot, plain, "<= 1.3"))

    plain, fitted = bench_fit_vs_plain(repeats=max(5, 21 // n))
    report(row("(d) article's plain loop, 1000 epochs", plain), row("(d) fit, 1000 epochs", fitted),
           ratio_row("(d) ratio fit / plain loop", fitted, plain, "<= 1.1"))

    print("\n| measurement | wall median | wall 90th pct | CPU median | target |\n|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
