"""Print the nbgitpuller links that make a JupyterHub clone this repository and open its notebooks.

The repository and ref come from ``[tool.optloop]`` in ``pyproject.toml``, as for the Colab and Kaggle badges.
A learner who clicks the link gets the repository cloned into their hub home (or updated, keeping their own
changes: nbgitpuller merges) and JupyterLab opened on the folder. The hub needs nbgitpuller installed.

nbgitpuller needs a branch: it puts the ref in ``branch=`` and its second pull runs
``git ... ..origin/<ref>``, which fails for a tag (``fatal: ambiguous argument '..origin/v0.1.0'``). So a ref
that is a tag is refused with what to do instead: make a release branch (``release-0.1``) at the tag and pin
that for the hub; the tag still serves Colab, Kaggle and Binder.

Usage::

    python scripts/hub_link.py https://hub.example.edu        # or: make hub-link HUB=https://hub.example.edu
    python scripts/hub_link.py https://hub.example.edu --ref release-0.1   # or: make hub-link HUB=... REF=release-0.1
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from stamp_notebooks import ROOT, read_settings

_VERSION = re.compile(r"v?\d+(\.\d+)+")
USAGE = "give the hub's address: make hub-link HUB=https://hub.example.edu (or python scripts/hub_link.py HUB)"


def _git(root: Path, *args: str) -> bool:
    """Whether ``git -C root args...`` succeeds (False where git or the repository is missing)."""
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def is_tag(ref: str, root: Path = ROOT) -> bool:
    """Whether ``ref`` is a tag and not a branch: a tag of the repository at ``root`` that is not also one of its
    branches (local or origin's), or a version number such as ``v0.1.0`` (a tag about to be made) that is no branch.

    Example::

        >>> is_tag("v9.8.7"), is_tag("main"), is_tag("release-0.1")
        (True, False, False)
    """
    if any(_git(root, "show-ref", "--verify", "--quiet", f"refs/{kind}/{ref}") for kind in ("heads", "remotes/origin")):
        return False
    return bool(_VERSION.fullmatch(ref)) or _git(root, "show-ref", "--verify", "--quiet", f"refs/tags/{ref}")


def tag_message(ref: str) -> str:
    """What to do when ``[tool.optloop]`` ref is a tag."""
    parts = ref.lstrip("v").split(".")
    release = f"release-{'.'.join(parts[:2])}" if len(parts) >= 2 else f"release-{ref}"
    return (
        f"ref {ref!r} is a tag, and nbgitpuller needs a branch: the first click clones it, but "
        f"the second (the update) fails with \"fatal: ambiguous argument '..origin/{ref}'\". Make a release "
        f"branch at the tag and push it (git branch {release} {ref} && git push origin {release}), then give the "
        f"hub that branch: make hub-link HUB=<hub> REF={release} (python scripts/hub_link.py <hub> --ref {release}). "
        f"Keep the tag in [tool.optloop] for Colab, Kaggle and Binder, which work with it."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("hub", nargs="?", help="the JupyterHub's address, e.g. https://hub.example.edu")
    parser.add_argument("--ref", help="the branch the hub pulls (default: ref in [tool.optloop]); not a tag")
    args = parser.parse_args(argv)
    if not args.hub:
        print(USAGE, file=sys.stderr)
        return 2
    settings = read_settings(ROOT / "pyproject.toml")
    if args.ref:
        try:
            settings = replace(settings, ref=args.ref)
        except ValueError as error:
            print(error, file=sys.stderr)
            return 2
    if is_tag(settings.ref):
        print(tag_message(settings.ref), file=sys.stderr)
        return 2
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
