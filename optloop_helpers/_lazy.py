"""Names a package exports but imports only on first use, so that importing it stays light.

Example::

    >>> __getattr__, __dir__ = lazy_exports("optloop_helpers", {"mae": "metrics"}, ["mae"])
    >>> __getattr__("mae").__name__, "mae" in __dir__()
    ('mae', True)
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable
from typing import Any


def lazy_exports(package: str, modules: dict[str, str],
                 names: Iterable[str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A module ``__getattr__`` and ``__dir__`` for ``package``: ``name`` comes from ``.{modules[name]}``.

    ``__dir__`` lists ``names`` (the package's ``__all__``) with what the package has already imported, so
    tab completion offers every name before any is imported.
    """
    names = list(names)

    def __getattr__(name: str) -> Any:
        if name in modules:
            return getattr(importlib.import_module(f".{modules[name]}", package), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(names))

    return __getattr__, __dir__
