"""A live figure: a matplotlib figure kept alive and pushed to the notebook as a PNG through a display handle.

Static parts (axes, ticks, scatter, contours) are drawn once and kept as a background; each frame
restores that background, draws only the moving artists (lines whose data changed with ``set_data``)
and encodes a small PNG. Frames are throttled by time (at most one per ``min_interval`` seconds, and
fewer when frames are slow to make, so that they take at most about a tenth of the time; the final frame
is always sent), so plotting costs little while training runs. The figure is a plain
``matplotlib.figure.Figure`` on an Agg canvas: no pyplot, no figure manager, no ipympl. Because the
picture is a ``display_data`` output, a saved notebook shows the last frame even without a kernel.

:func:`loss_axes` builds the loss-curve panel that :class:`LiveLossPlot` and the playground's view share.

Example::

    >>> live = LiveFigure(ncols=1, figsize=(4, 3))
    >>> line = live.animate(live.axes[0].plot([], [])[0])
    >>> line.set_data([0, 1], [1, 0])
    >>> live.png[:4]  # rendered when asked for (or pushed to the notebook once displayed)
    b'\\x89PNG'
"""

from __future__ import annotations

import base64
import io
import math
import time
from typing import Any

from .._validate import check_bool, check_positive_int


class LiveFigure:
    """A figure with ``ncols`` axes side by side, rendered to PNG frames for a display handle."""

    def __init__(
        self,
        ncols: int = 1,
        figsize: tuple[float, float] = (7.0, 4.0),
        dpi: int = 72,
        min_interval: float = 0.15,
        label: str = "optloop live figure",
    ) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        self.canvas = FigureCanvasAgg(self.figure)
        axes = self.figure.subplots(1, ncols, squeeze=False)
        self.axes = list(axes[0])
        self.min_interval = min_interval
        self.frame_budget: float | None = 0.1  # the largest share of the time frames may take (None: no limit)
        self.label = label
        self._png: bytes | None = None
        self._stale = True
        self.frames = 0
        self.handle: Any = None
        self._artists: list[Any] = []
        self._background: Any = None
        self._dirty_axes: list[Any] = []
        self._last_push = -math.inf
        self._interval = min_interval

    def animate(self, artist: Any) -> Any:
        """Mark ``artist`` as moving: it is drawn on every frame, over the cached background."""
        artist.set_animated(True)
        self._artists.append(artist)
        return artist

    def clear(self, ax: Any = None) -> None:
        """Clear ``ax`` (every axes if None) to build it again; its moving artists are forgotten."""
        self._artists = [a for a in self._artists if ax is not None and a.axes is not ax]
        for each in self.axes if ax is None else [ax]:
            each.cla()
        self.invalidate(ax)

    def restart_clock(self, first_frame: float | None = None) -> None:
        """Start a new run: its first live frame waits ``first_frame`` seconds, at most (``min_interval`` by default)."""
        wait = self.min_interval if first_frame is None else min(first_frame, self.min_interval)
        self._last_push = time.perf_counter() - self.min_interval + wait
        self._interval = self.min_interval

    def invalidate(self, ax: Any = None) -> None:
        """Say that a static part changed: the next frame redraws the whole figure once (or only ``ax``)."""
        if ax is None:
            self._background = None
        elif ax not in self._dirty_axes:
            self._dirty_axes.append(ax)

    def _redraw_axes(self, ax: Any) -> None:
        """Redraw one axes' static parts into the cached background: blank its column, draw it again."""
        from matplotlib.patches import Rectangle

        boxes = [a.get_position() for a in self.axes]
        i = self.axes.index(ax)
        left = 0.0 if i == 0 else (boxes[i - 1].x1 + boxes[i].x0) / 2
        right = 1.0 if i == len(boxes) - 1 else (boxes[i].x1 + boxes[i + 1].x0) / 2
        blank = Rectangle((left, 0.0), right - left, 1.0, transform=self.figure.transFigure,
                          facecolor=self.figure.get_facecolor(), edgecolor="none")
        blank.set_figure(self.figure)
        self.figure.draw_artist(blank)
        self.figure.draw_artist(ax)  # animated artists are skipped here

    def render(self) -> bytes:
        """Draw a frame (background from cache, moving artists on top) and return it as PNG bytes."""
        if self._background is None:
            self.canvas.draw()  # animated artists are skipped here
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        else:
            self.canvas.restore_region(self._background)
            if self._dirty_axes:
                for ax in self._dirty_axes:
                    self._redraw_axes(ax)
                self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        self._dirty_axes.clear()
        for artist in self._artists:
            if artist.get_visible() and artist.figure is not None:
                self.figure.draw_artist(artist)
        self._png = self._encode_png()
        self._stale = False
        self.frames += 1
        return self._png

    @property
    def png(self) -> bytes:
        """The current frame as PNG bytes (rendered now if something changed since the last frame)."""
        if self._stale or self._png is None:
            self.render()
        return self._png

    def _encode_png(self) -> bytes:
        from PIL import Image

        width, height = self.canvas.get_width_height(physical=True)
        image = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        out = io.BytesIO()
        image.convert("RGB").save(out, format="PNG", compress_level=1)
        return out.getvalue()

    def changed(self) -> None:
        """Say that the moving artists changed: ``png`` renders a new frame."""
        self._stale = True

    def due(self, final: bool = False) -> bool:
        """True when a frame sent now would be seen and is not too early (``final`` frames never are)."""
        return self.handle is not None and (final or time.perf_counter() - self._last_push >= self._interval)

    def push(self, final: bool = False) -> bool:
        """Render and send a frame, unless one was sent less than ``min_interval`` ago (``final`` always sends).

        Returns whether a frame was made. Frames are only rendered when someone can see them: while
        the figure is not displayed, nothing is drawn until ``png`` is asked for.
        """
        self.changed()
        if self.handle is None:
            return False
        now = time.perf_counter()
        if not final and now - self._last_push < self._interval:
            return False
        self.render()
        cost = time.perf_counter() - now
        # at most one frame per min_interval, and frames take at most frame_budget of the time
        budget = self.frame_budget
        self._interval = max(self.min_interval, cost * (1 / budget - 1)) if budget else self.min_interval
        self._last_push = now
        self.handle.update(self._bundle(), raw=True)
        return True

    def show_png(self, png: bytes) -> None:
        """Send ``png``, a frame made earlier (e.g. of a cached run), as the current frame."""
        self._png, self._stale = png, False
        self.frames += 1
        self._last_push = time.perf_counter()
        if self.handle is not None:
            self.handle.update(self._bundle(), raw=True)

    def _bundle(self) -> dict[str, Any]:
        return {"text/plain": f"<{self.label}>", "image/png": base64.b64encode(self.png).decode("ascii")}

    def show(self) -> None:
        """Display the current frame in the notebook and keep its display handle for later frames.

        Shown again (in another cell), the new output shares the display id: every copy gets every frame.
        """
        from IPython.display import display

        if self.handle is not None and getattr(self.handle, "display_id", None):
            display(self._bundle(), raw=True, display_id=self.handle.display_id)
        else:
            self.handle = display(self._bundle(), raw=True, display_id=True)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return self._bundle()


def loss_axes(live: LiveFigure, ax: Any, epochs: int, log_scale: bool, ylabel: str = "Loss") -> tuple[Any, Any, Any]:
    """Build the loss-curve panel on ``ax``: the train and test lines and the epoch counter (all moving)."""
    train_line = live.animate(ax.plot([], [], color="tab:blue", label="Train loss")[0])
    test_line = live.animate(ax.plot([], [], color="tab:orange", label="Test loss")[0])
    counter = live.animate(ax.text(0.98, 0.95, "", transform=ax.transAxes, ha="right", va="top"))
    ax.set_xlim(0, epochs)
    ax.set_yscale("log" if log_scale else "linear")
    ax.set_xlabel("Epoch")
    ax.set_ylabel(ylabel)
    ax.set_title("Training and test loss curves")
    ax.legend(loc="upper right", bbox_to_anchor=(1.0, 0.9))  # under the epoch counter
    return train_line, test_line, counter


class LiveLossPlot:
    """Train and test loss curves that grow while ``fit`` runs: pass it as ``fit``'s callback.

    Example::

        >>> import torch; from torch import nn
        >>> from optloop_helpers import LinearRegressionModel, fit, make_line_data
        >>> model = LinearRegressionModel()
        >>> plot = LiveLossPlot(epochs=100)  # show it in a notebook: put ``plot`` on a cell's last line
        >>> history = fit(model, make_line_data(), nn.L1Loss(), torch.optim.SGD(model.parameters(), lr=0.01),
        ...               epochs=100, callback=plot)
        >>> plot.finish(history)
        >>> list(plot.train_line.get_xdata()) == history.epochs
        True
    """

    def __init__(self, epochs: int, log_scale: bool = False, figsize: tuple[float, float] = (7.0, 4.0)) -> None:
        self.epochs = check_positive_int("epochs", epochs)
        check_bool("log_scale", log_scale)
        self.live = LiveFigure(ncols=1, figsize=figsize, label="optloop live loss plot")
        self.ax = self.live.axes[0]
        self.train_line, self.test_line, self.counter = loss_axes(self.live, self.ax, epochs, log_scale)
        self._top = 0.0

    def __call__(self, progress: Any) -> None:
        """The ``fit`` callback: grow the curves and send a frame if the last one is old enough."""
        self._draw(progress.history, progress.epoch)
        self.live.push()

    def finish(self, history: Any) -> None:
        """Draw the final curves (and the divergence message, if any) and send the last frame."""
        self._draw(history, history.epochs_run - 1)
        if history.diverged:
            self.counter.set_text(history.divergence_message(show_loss=False))
            self.counter.set_color("tab:red")
        self.live.push(final=True)

    def _draw(self, history: Any, epoch: int) -> None:
        self.train_line.set_data(history.epochs, history.train_loss)
        self.test_line.set_data(history.epochs, history.test_loss)
        self.counter.set_text(f"epoch {epoch} of {self.epochs}")  # the index, as in range(epochs)
        finite = [v for v in history.train_loss[-1:] + history.test_loss[-1:] if math.isfinite(v)]
        if finite and max(finite) > self._top:  # rescale (a full redraw) only when a loss leaves the axes
            self._top = max(finite) * (1.1 if self._top == 0 else 2.0)
            low = max(finite) * 1e-4 if self.ax.get_yscale() == "log" else 0.0
            self.ax.set_ylim(low, self._top)
            self.live.invalidate()

    def _ipython_display_(self) -> None:
        self.live.show()
