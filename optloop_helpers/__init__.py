"""optloop_helpers: data, model, loop steps, plots, widgets and exercise checks for the optloop notebooks.

The notebooks write the optimization loop out step by step; this package gives them everything around
it. Plotting and widget helpers import matplotlib and ipywidgets only when first used, so
``import optloop_helpers`` stays fast.

Example::

    >>> from optloop_helpers import make_line_data, LinearRegressionModel
    >>> make_line_data()
    LineData(weight=0.7, bias=0.3, train=40 points, test=10 points, device=cpu)
"""

from __future__ import annotations

import importlib
from typing import Any

from .data import LineData, make_line_data
from .device import get_device
from .loop import History, Progress, fit, test_step, train_step
from .models import LinearRegressionModel

__version__ = "0.1.0"

# name -> module; these are imported on first use so that importing the package stays light.
_LAZY = {
    "plot_predictions": "plotting",
    "plot_loss_curves": "plotting",
    **dict.fromkeys(
        ["mae", "mse", "rmse", "r2_score", "accuracy", "precision", "recall", "f1_score", "confusion_counts"],
        "metrics",
    ),
    "MLPModel": "models",
    "LogisticRegressionModel": "models",
    "SplitData": "data",
    "make_curve_data": "data",
    "make_classification_data": "data",
    "plot_loss_landscape": "landscape",
    "LiveFigure": "live",
    "LiveLossPlot": "live",
    "playground": "playground_widget",  # not "playground": the module would shadow the function
    "step_explorer": "widgets",
}

__all__ = [
    "History",
    "LineData",
    "LinearRegressionModel",
    "Progress",
    "fit",
    "get_device",
    "make_line_data",
    "test_step",
    "train_step",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name.startswith("check_") or name == "CheckResult":
        return getattr(importlib.import_module(".checks", __name__), name)
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
