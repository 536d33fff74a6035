"""What the notebook scripts share: reading a cell's tags, and the "Open in Colab" and "Open in Kaggle" badges.

``stamp_notebooks.py`` writes each notebook's badge cell (tagged ``colab-badge``); ``make_student_versions.py``
points that badge at the student version. Both import this module from their own folder (``scripts/``).

Example::

    >>> badge = colab_badge("https://colab.research.google.com/github/me/course/blob/main/notebooks/00_a.ipynb")
    >>> student_badge(badge, "00_a.ipynb").endswith("/notebooks/student/00_a.ipynb)")
    True
"""

from __future__ import annotations

from typing import Any

BADGE_TAG = "colab-badge"
COLAB_BADGE_SVG = "https://colab.research.google.com/assets/colab-badge.svg"
KAGGLE_BADGE_SVG = "https://kaggle.com/static/images/open-in-kaggle.svg"


def tags(cell: Any) -> list[str]:
    """The tags of a notebook cell (an empty list when it has none)."""
    return list(cell.get("metadata", {}).get("tags", []))


def colab_badge(url: str) -> str:
    """The "Open in Colab" badge, as markdown, opening ``url``."""
    return f"[![Open In Colab]({COLAB_BADGE_SVG})]({url})"


def kaggle_badge(url: str) -> str:
    """The "Open in Kaggle" badge, as markdown, opening ``url``."""
    return f"[![Open In Kaggle]({KAGGLE_BADGE_SVG})]({url})"


def student_badge(source: str, name: str) -> str:
    """Point the badge(s) in ``source`` for the notebook ``name`` at its student version (``notebooks/student/``)."""
    return source.replace(f"/notebooks/{name})", f"/notebooks/student/{name})")
