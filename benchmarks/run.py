"""Speed of the playground and the live plots, on this machine, in one run.

Usage::

    make bench                        # or: .venv/bin/python benchmarks/run.py
    .venv/bin/python benchmarks/run.py --quick   # fewer repeats, for a smoke test

Prints the machine and a Markdown table (median and 90th percentile) of:

(a) control change -> final view ready (training + drawing), at 300 and at 1000 epochs. The change is a
    learning-rate slider move in a running asyncio event loop, as in a Jupyter kernel, so the time
    includes the coalescing delay; "ready" means the final PNG frame was handed to the display handle
    (what the browser does with it afterwards is measured by the browser tests);
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
import statistics
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
from optloop_helpers.experiment import Settings, run_experiment  # noqa: E402


class FakeHandle:
    """Stands in for a notebook display handle: receives the frame (already PNG + base64), sends nothing."""

    def __init__(self) -> None:
        self.updates = 0

    def update(self, data: dict, raw: bool = False) -> None:
        self.updates += 1


def stats(samples: list[float]) -> tuple[float, float]:
    """(median, 90th percentile)."""
    return float(np.median(samples)), float(np.percentile(samples, 90))


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
def bench_change_to_view(epochs: int, repeats: int) -> list[float]:
    pg = playground(epochs=epochs)
    pg.view.live.handle = FakeHandle()  # as if displayed: every frame is rendered and handed over
    pg.run()  # warm-up: torch's first optimizer, the first full draw
    finished: list[float] = []
    original_finish = pg.view.finish

    def finish(history):
        original_finish(history)  # draws and hands over the final frame
        finished.append(time.perf_counter())

    pg.view.finish = finish
    lrs = [0.005, 0.01, 0.02, 0.03, 0.008, 0.015]

    async def slide() -> list[float]:
        times = []
        for i in range(repeats):
            done = len(finished)
            start = time.perf_counter()
            pg.controls["lr"].value = lrs[i % len(lrs)]
            while len(finished) == done:
                await asyncio.sleep(0.0005)
            times.append(finished[-1] - start)
        return times

    return asyncio.run(slide())


def bench_training_only(epochs: int, repeats: int) -> list[float]:
    """The training part of (a) alone: the same runs with no view and no event loop."""
    lrs = [0.005, 0.01, 0.02, 0.03, 0.008, 0.015]
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        run_experiment(Settings(lr=lrs[i % len(lrs)], epochs=epochs))
        times.append(time.perf_counter() - start)
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


def bench_live_frames(frames: int) -> list[float]:
    epochs, train, test = fake_curves(frames)
    plot = LiveLossPlot(epochs=frames * 20)
    plot.live.handle = FakeHandle()
    plot.live.min_interval = 0.0  # measure every frame
    plot.live.frame_budget = None
    times = []
    for k in range(1, frames + 1):
        progress = _Progress(_History(epochs[:k], train[:k], test[:k]), epochs[k - 1])
        start = time.perf_counter()
        plot(progress)
        times.append(time.perf_counter() - start)
    return times


def bench_naive_frames(frames: int) -> list[float]:
    """d2l's ProgressBoard way: clear the axes, plot everything again, render the whole figure, every frame."""
    epochs, train, test = fake_curves(frames)
    fig = Figure(figsize=(7.0, 4.0), dpi=72, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    handle = FakeHandle()
    times = []
    for k in range(1, frames + 1):
        start = time.perf_counter()
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
        times.append(time.perf_counter() - start)
    return times


# -- (c) 5000 epochs with live plotting vs none -----------------------------------------------------
def bench_live_overhead(repeats: int) -> tuple[list[float], list[float], list[float]]:
    settings = Settings(epochs=5000)
    pg = playground(epochs=5000)
    pg.view.live.handle = FakeHandle()
    pg.run()  # warm-up, static parts drawn once
    plain, with_view, with_loss_plot = [], [], []
    for _ in range(repeats):
        start = time.perf_counter()
        run_experiment(settings)
        plain.append(time.perf_counter() - start)
        start = time.perf_counter()
        pg.run()
        with_view.append(time.perf_counter() - start)
        start = time.perf_counter()
        plot = LiveLossPlot(epochs=5000)
        plot.live.handle = FakeHandle()
        plot.finish(run_experiment(settings, callback=plot).history)
        with_loss_plot.append(time.perf_counter() - start)
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


def bench_fit_vs_plain(repeats: int, epochs: int = 1000) -> tuple[list[float], list[float]]:
    data = make_line_data()

    def timed(run: Callable) -> float:
        torch.manual_seed(42)
        model = LinearRegressionModel()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        start = time.perf_counter()
        run(model, data, nn.L1Loss(), optimizer, epochs)
        return time.perf_counter() - start

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke test, noisier numbers)")
    args = parser.parse_args(argv)
    n = 5 if args.quick else 1
    print(f"Machine: {machine()}\n", flush=True)
    rows = []

    for epochs in (300, 1000):
        times = bench_change_to_view(epochs, repeats=40 // n)
        med, p90 = stats(times)
        target = "<= 50 ms median" if epochs == 300 else "-"
        rows.append((f"(a) control change -> final view, {epochs} epochs", ms(med), ms(p90), target))
        med, p90 = stats(bench_training_only(epochs, repeats=40 // n))
        rows.append((f"(a) of which training alone (fit, no view), {epochs} epochs", ms(med), ms(p90), ""))
        print(*rows[-2:], sep="\n", flush=True)

    live, naive = bench_live_frames(250 // n), bench_naive_frames(250 // n)
    (lm, lp), (nm, np90) = stats(live), stats(naive)
    rows.append(("(b) live loss plot, per frame", ms(lm), ms(lp), ""))
    rows.append(("(b) naive rebuild, per frame", ms(nm), ms(np90), ""))
    rows.append(("(b) ratio live / naive", f"{lm / nm:.3f}", f"{lp / np90:.3f}", "<= 0.3"))
    print(*rows[-3:], sep="\n", flush=True)

    plain, with_view, with_plot = bench_live_overhead(repeats=max(3, 9 // n))
    rows.append(("(c) 5000 epochs, no plotting", ms(stats(plain)[0]), ms(stats(plain)[1]), ""))
    rows.append(("(c) 5000 epochs, playground view live", ms(stats(with_view)[0]), ms(stats(with_view)[1]), ""))
    rows.append(("(c) ratio playground view / none", f"{stats(with_view)[0] / stats(plain)[0]:.3f}",
                 f"{stats(with_view)[1] / stats(plain)[1]:.3f}", "<= 1.3"))
    rows.append(("(c) ratio live loss plot / none", f"{stats(with_plot)[0] / stats(plain)[0]:.3f}",
                 f"{stats(with_plot)[1] / stats(plain)[1]:.3f}", "<= 1.3"))
    print(*rows[-4:], sep="\n", flush=True)

    plain, fitted = bench_fit_vs_plain(repeats=max(5, 21 // n))
    ratios = [f / p for p, f in zip(plain, fitted, strict=True)]
    rows.append(("(d) article's plain loop, 1000 epochs", ms(stats(plain)[0]), ms(stats(plain)[1]), ""))
    rows.append(("(d) fit, 1000 epochs", ms(stats(fitted)[0]), ms(stats(fitted)[1]), ""))
    rows.append(("(d) ratio fit / plain loop (per pair)", f"{statistics.median(ratios):.3f}",
                 f"{float(np.percentile(ratios, 90)):.3f}", "<= 1.1"))
    print(*rows[-3:], sep="\n", flush=True)

    print("\n| measurement | median | 90th percentile | target |\n|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
