"""Import a script from scripts/ (they are not a package) so tests can call its functions."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
SHARED = ("notebook_cells", "run_notebooks")  # what the scripts import from their own folder


def load_script(name: str) -> ModuleType:
    """``load_script("stamp_notebooks")`` imports scripts/stamp_notebooks.py as a module.

    A script imports its neighbours by name (Python puts a script's folder on ``sys.path`` when it runs),
    so those are loaded first, under the same names.
    """
    for shared in () if name in SHARED else SHARED:
        if shared not in sys.modules:
            load_script(shared)
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module
