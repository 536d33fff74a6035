"""The interactive part: the playground (notebook 09) and the step explorer (notebook 05).

One way through it, each module using only those before it:

- ``spec.py``: what a setting's spec is (``Spec``) and an entry of a table of choices (``Option``);
- ``run.py``: one run (``Run``): its settings, data, seeded start and ``History``;
- ``settings.py``: one spec per setting (range, step, default, label, validation), the presets (the
  edge-of-stability ones from ``stable_lr_limit``), the optimizer and loss tables, ``Settings`` and one run
  (``run_experiment``, which calls ``fit``);
- ``cache.py``: runs remembered (``RUNS``, within a memory budget): a run is a pure function of its settings
  and its epochs are a prefix of a longer run's, so each training path is trained once and continued;
- ``neighbours.py``: the settings a learner is likely to try next (one and two slider steps either side);
- ``coalesce.py``: rapid control changes become one run, the latest values win;
- ``speculate.py``: work done while the learner looks, in small slices on the kernel's event loop,
  dropped at once by any control change;
- ``controls.py``: the controls, built from the specs, and ``Tool``, the base both tools share;
- ``live.py``: the live figure (PNG frames through a display handle), the loss-curve panel, ``LiveLossPlot``;
- ``view.py``: the playground's three-panel picture, handed the run it draws;
- ``playground.py`` and ``step_explorer.py``: the two tools.

Importing this package imports neither ipywidgets nor matplotlib; the tools do when they are made.
(Here ``playground`` and ``step_explorer`` are the functions; their modules are
``sys.modules["optloop_helpers.interactive.playground"]`` and so on.)

Example::

    >>> from optloop_helpers.interactive import PRESETS, Settings, run_experiment
    >>> run = run_experiment(Settings(**PRESETS["too big: diverges"]))
    >>> run.history.divergence_message(show_loss=False)
    'diverged at epoch 15: try a smaller learning rate'
"""

from .coalesce import Coalescer
from .controls import Tool, make_control
from .live import LiveFigure, LiveLossPlot
from .playground import Playground, playground
from .settings import (
    CONTROL_NAMES,
    LOSSES,
    MOMENTUM,
    OPTIMIZERS,
    PRESETS,
    SPECS,
    Run,
    Settings,
    begin_run,
    make_data,
    make_loss_fn,
    make_optimizer,
    run_experiment,
    stable_lr_limit,
    start_model,
)
from .spec import Option, Spec
from .step_explorer import StepExplorer, StepView, step_explorer
from .view import TrainingView, View

__all__ = [
    "CONTROL_NAMES", "LOSSES", "MOMENTUM", "OPTIMIZERS", "PRESETS", "SPECS", "Coalescer", "LiveFigure",
    "LiveLossPlot", "Option", "Playground", "Run", "Settings", "Spec", "StepExplorer", "StepView", "Tool",
    "TrainingView", "View", "begin_run", "make_control", "make_data", "make_loss_fn", "make_optimizer",
    "playground", "run_experiment", "stable_lr_limit", "start_model", "step_explorer",
]
