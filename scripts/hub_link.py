"""Print the nbgitpuller links that make a JupyterHub clone this repository and open its notebooks.

The repository and ref come from ``[tool.optloop]`` in ``pyproject.toml``, as for the Colab and Kaggle badges.
A learner who clicks the link gets the repository cloned into their hub home (or updated, keeping their own
changes: nbgitpuller merges) and JupyterLab opened on the folder. The hub needs nbgitpuller installed.

Usage::

    python scripts/hub_link.py https://hub.example.edu        # or: make hub-link HUB=https://hub.example.edu
"""

from __future__ import annotations

import argparse
import sys

from stamp_notebooks import ROOT, read_settings

USAGE = "give the hub's address: make hub-link HUB=https://hub.example.edu (or python scripts/hub_link.py HUB)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("hub", nargs="?", help="the JupyterHub's address, e.g. https://hub.example.edu")
    args = parser.parse_args(argv)
    if not args.hub:
        print(USAGE, file=sys.stderr)
        return 2
    settings = read_settings(ROOT / "pyproject.toml")
    try:
        teaching, student = settings.hub_url(args.hub), settings.hub_url(args.hub, "notebooks/student")
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"teaching versions: {teaching}")
    print(f"student versions:  {student}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
