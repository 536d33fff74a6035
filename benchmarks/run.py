"""Speed of the playground and the live plots, on this machine, in one run.

Usage::

    make bench                        # or: .venv/bin/python benchmarks/run.py
    .venv/bin/python benchmarks/run.py --quick   # fewer repeats, for a smoke test

Prints the machine and a Markdown table of wall-clock times (median and 90th percentile) and the CPU time
this process used (median; steadier than wall-clock when other programs share the machine) of:

(a) control change -> final view ready (training + drawing), at 300 and at 1000 epochs. The change is a
    learning-rate slider move in a running asyncio event loop, as in a Jupyter kernel, so the time
    includes the coalescing delay; "ready" means the final PNG frame was handed to the display handle
    (what the browser does with it afterwards is measured by the browser tests). Also an epochs slider
    move, which changes the loss axes, so that axes is redrawn too;
(b) the per-frame cost of the live loss plot against a naive per-frame rebuild measured in the same run
    (clear the axes and redraw the whole figure every frame, as d2l's ProgressBoard does);
(c) a 5000-epoch run with live plotting against the same run with no plotting;
(d) ``fit`` against the article's plain loop (1000 epochs, testing every 20).

Targets on the project's 2-core machine: (a) <= 50 ms median at 300 epochs, (b) <= 0.3, (c) <= 1.3,
(d) <= 1.1. Results go into docs/benchmarks.md by hand, with the machine they were measured on.
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
def bench_change_to_view(epochs: int, repeats: int, control: str = "lr") -> list[tuple[float, float]]:
    pg = playground(epochs=epochs)
    pg.view.live.handle = FakeHandle()  # as if displayed: every frame is rendered and handed over
    pg.run()  # warm-up: torch's first optimizer, the first full draw
    finished: list[tuple[float, float]] = []
    original_finish = pg.view.finish

    def finish(history):
        original_finish(history)  # draws and hands over the final frame
        finished.append(now())

    pg.view.finish = finish
    values = {"lr": [0.005, 0.01, 0.02, 0.03, 0.008, 0.015], "epochs": [epochs + 10, epochs]}[control]

    async def slide() -> list[tuple[float, float]]:
        times = []
        for i in range(repeats):
            done = len(finished)
            start = now()
            pg.controls[control].value = values[i % len(values)]
            while len(finished) == done:
                await asyncio.sleep(0.0005)
            times.append((finished[-1][0] - start[0], finished[-1][1] - start[1]))
        return times

    return asyncio.run(slide())


def bench_training_only(epochs: int, repeats: int) -> list[tuple[float, float]]:
    """The training part of (a) alone: the same runs with no view and no event loop."""
    lrs = [0.005, 0.01, 0.02, 0.03, 0.008, 0.015]
    times = []
    for i in range(repeats):
        start = now()
        run_experiment(Settings(lr=lrs[i % len(lrs)], epochs=epochs))
        times.append(since(start))
    return times


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

    for epochs in (300, 1000):
        target = "<= 50 ms median" if epochs == 300 else ""
        report(row(f"(a) control change -> final view, {epochs} epochs", bench_change_to_view(epochs, 40 // n), target),
               row(f"(a) of which training alone (no view), {epochs} epochs", bench_training_only(epochs, 40 // n)))
    report(row("(a) epochs slider change -> final view, 300/310 epochs (loss axes redrawn)",
               bench_change_to_view(300, 20 // n, control="epochs")))

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
