"""optloop_helpers: data, model, loop steps, plots, widgets and exercise checks for the optloop notebooks.

The notebooks write the optimization loop out step by step; this package gives them everything around
it. Everything a notebook uses is importable from here (``from optloop_helpers import ...``). Plots,
the loss landscape, the interactive tools and the checks are imported on first use, so
``import optloop_helpers`` stays fast and loads neither matplotlib nor ipywidgets.

Example::

    >>> from optloop_helpers import make_line_data, LinearRegressionModel
    >>> make_line_data()
    LineData(weight=0.7, bias=0.3, train=40 points, test=10 points, device=cpu)
"""

from __future__ import annotations

__version__ = "0.1.0"

try:
    from . import checks
    from ._lazy import lazy_exports
    from .data import make_classification_data, make_curve_data, make_line_data
    from .device import get_device
    from .loop import History, fit, test_step, train_step
    from .models import LinearRegressionModel, LogisticRegressionModel, MLPModel
except ModuleNotFoundError as _missing:
    if _missing.name not in {"torch", "numpy"}:
        raise
    _MISSING = _missing.name
    # Without torch nothing here can work, but `python -m optloop_helpers.doctor` must still run and say so.
    __all__: list[str] = []

    def __getattr__(name: str) -> object:
        raise ModuleNotFoundError(
            f"optloop_helpers needs {_MISSING}, which is not installed here: "
            "run `python -m optloop_helpers.doctor` to see what is missing and how to install it",
            name=_MISSING,
        )
else:
    # name -> module; these are imported on first use so that importing the package stays light.
    _LAZY = {
        **dict.fromkeys(["plot_predictions", "plot_loss_curves"], "plotting"),
        **dict.fromkeys(
            ["mae", "mse", "rmse", "r2_score", "accuracy", "precision", "recall", "f1_score", "confusion_counts"],
            "metrics",
        ),
        **dict.fromkeys(["loss_landscape", "draw_landscape", "plot_loss_landscape"], "landscape"),
        **dict.fromkeys(["playground", "step_explorer", "LiveLossPlot", "MOMENTUM", "stable_lr_limit"], "interactive"),
    }

    __all__ = [
        "History",
        "LinearRegressionModel",
        "LogisticRegressionModel",
        "MLPModel",
        "fit",
        "get_device",
        "make_classification_data",
        "make_curve_data",
        "make_line_data",
        "test_step",
        "train_step",
        *_LAZY,
        *checks.CHECKS,
    ]
    _LAZY.update(dict.fromkeys(checks.__all__, "checks"))  # the check_* functions, and CheckResult for tests

    __getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)
