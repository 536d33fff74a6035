"""Device-agnostic code: pick the best accelerator available.

Example::

    >>> get_device().type in {"cuda", "mps", "cpu"}
    True
"""

from __future__ import annotations

import torch


def get_device() -> torch.device:
    """Return ``cuda`` if a GPU is available, else ``mps`` (Apple silicon), else ``cpu``."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")
