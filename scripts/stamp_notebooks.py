"""Stamp every notebook with its Colab and Kaggle badges and set-up cell, and README.md with the notebook table.

The repository (owner/name) and the git ref (a release tag, or a branch while developing) live in one place,
``[tool.optloop]`` in ``pyproject.toml``. This script writes them into:

- a badge cell (markdown, tag ``colab-badge``), the first cell of every ``notebooks/*.ipynb``: "Open in Colab"
  and "Open in Kaggle" (Kaggle opens the notebook's raw GitHub file);
- a set-up cell (code, tag ``colab-setup``) just before the notebook's first code cell. Only inside Google Colab
  or Kaggle it pip-installs the helper package from the repository at that ref (both keep their own torch and
  ipywidgets); anywhere else it does nothing and prints nothing, so nbval still matches the committed outputs;
- the table of notebooks in README.md, between ``<!-- notebooks:start -->`` and ``<!-- notebooks:end -->``;
- the link to the course website in README.md (GitHub Pages, ``https://<owner>.github.io/<name>/``), between
  ``<!-- site:start -->`` and ``<!-- site:end -->`` (``scripts/build_site.py`` builds that site).

Usage::

    python scripts/stamp_notebooks.py             # stamp notebooks/*.ipynb and README.md
    python scripts/stamp_notebooks.py --execute   # ... and re-run the notebooks it changed (scripts/run_notebooks.py)
    python scripts/stamp_notebooks.py --check     # change nothing; exit 1 and say what is out of date

Stamping is idempotent: a second run changes nothing. A newly inserted set-up cell has no execution count
until the notebook is re-run, which ``--execute`` does (``make stamp`` runs this with ``--execute``, then
``scripts/make_student_versions.py``).
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import nbformat
from notebook_cells import BADGE_TAG, colab_badge, kaggle_badge, tags

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

SETUP_TAG = "colab-setup"
README_START = "<!-- notebooks:start -->"
README_END = "<!-- notebooks:end -->"
SITE_START = "<!-- site:start -->"
SITE_END = "<!-- site:end -->"
BINDER_BADGE_SVG = "https://mybinder.org/badge_logo.svg"
PACKAGE = "optloop-helpers"

_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_REF = re.compile(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*")
_HUB = re.compile(r"https?://[A-Za-z0-9.-]+(:\d+)?(/[A-Za-z0-9_.~-]+)*/?")


@dataclass(frozen=True)
class Settings:
    """Where the notebooks live on GitHub: ``repository`` is "owner/name", ``ref`` a tag or branch.

    Example::

        >>> Settings("optloop/optloop", "v0.1.0").install_url
        'git+https://github.com/optloop/optloop@v0.1.0'
    """

    repository: str
    ref: str

    def __post_init__(self) -> None:
        if not isinstance(self.repository, str) or not _REPOSITORY.fullmatch(self.repository):
            raise ValueError(
                f"[tool.optloop] repository must be 'owner/name' (letters, digits, '_', '.', '-'), "
                f"got {self.repository!r}"
            )
        if not isinstance(self.ref, str) or not _REF.fullmatch(self.ref) or ".." in self.ref:
            raise ValueError(
                f"[tool.optloop] ref must be a git tag or branch name such as 'v0.1.0' or 'main', got {self.ref!r}"
            )

    @property
    def install_url(self) -> str:
        return f"git+https://github.com/{self.repository}@{self.ref}"

    def colab_url(self, relative_path: str) -> str:
        """The Colab address of a file of the repository, e.g. ``notebooks/08_....ipynb``."""
        return f"https://colab.research.google.com/github/{self.repository}/blob/{self.ref}/{relative_path}"

    def kaggle_url(self, relative_path: str) -> str:
        """The Kaggle address that imports a file of the repository (Kaggle reads its raw GitHub URL)."""
        raw = f"https://raw.githubusercontent.com/{self.repository}/{self.ref}/{relative_path}"
        return f"https://kaggle.com/kernels/welcome?src={raw}"

    @property
    def binder_url(self) -> str:
        return f"https://mybinder.org/v2/gh/{self.repository}/{self.ref}?urlpath=lab/tree/notebooks"

    @property
    def site_url(self) -> str:
        """The course website on GitHub Pages (published by .github/workflows/pages.yml).

        Example::

            >>> Settings("Me/course", "main").site_url
            'https://me.github.io/course/'
        """
        owner, name = self.repository.split("/")
        if name.lower() == f"{owner.lower()}.github.io":
            return f"https://{owner.lower()}.github.io/"
        return f"https://{owner.lower()}.github.io/{name}/"

    def hub_url(self, hub: str, folder: str = "notebooks") -> str:
        """An nbgitpuller link: a JupyterHub at ``hub`` clones (or updates) the repository and opens ``folder``.

        Example::

            >>> Settings("me/course", "v1.0").hub_url("https://hub.example.edu/")
            'https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Fme%2Fcourse&branch=v1.0&urlpath=lab%2Ftree%2Fcourse%2Fnotebooks'
        """
        if not isinstance(hub, str) or not _HUB.fullmatch(hub):
            raise ValueError(
                f"hub must be the JupyterHub's address, http(s)://host[/prefix] without a query, such as "
                f"'https://hub.example.edu', got {hub!r}"
            )
        if not isinstance(folder, str) or not _REF.fullmatch(folder):
            raise ValueError(f"folder must be a path inside the repository such as 'notebooks', got {folder!r}")
        name = self.repository.split("/")[1]  # nbgitpuller clones into a folder named after the repository
        query = urlencode(
            {"repo": f"https://github.com/{self.repository}", "branch": self.ref, "urlpath": f"lab/tree/{name}/{folder}"},
            quote_via=quote,
            safe="",
        )
        return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def read_settings(pyproject: Path = ROOT / "pyproject.toml") -> Settings:
    """Read ``[tool.optloop]`` (``repository`` and ``ref``) from ``pyproject``."""
    with open(pyproject, "rb") as file:
        data = tomllib.load(file)
    section = data.get("tool", {}).get("optloop")
    if not isinstance(section, dict):
        raise ValueError(f"{pyproject.name} must have a [tool.optloop] table with repository and ref, got none")
    missing = [key for key in ("repository", "ref") if key not in section]
    if missing:
        raise ValueError(f"[tool.optloop] in {pyproject.name} must set repository and ref, missing: {', '.join(missing)}")
    return Settings(section["repository"], section["ref"])


def badge_markdown(settings: Settings, relative_path: str) -> str:
    """The "Open in Colab" and "Open in Kaggle" badges, as markdown, for the notebook at ``relative_path``.

    Example::

        >>> print(*badge_markdown(Settings("me/course", "main"), "notebooks/00_a.ipynb").split(") "), sep=")\\n")
        [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/me/course/blob/main/notebooks/00_a.ipynb)
        [![Open In Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://raw.githubusercontent.com/me/course/main/notebooks/00_a.ipynb)
    """
    return f"{colab_badge(settings.colab_url(relative_path))} {kaggle_badge(settings.kaggle_url(relative_path))}"


def setup_source(settings: Settings) -> str:
    """The source of the set-up cell: installs the helper package only inside Google Colab or Kaggle.

    Example::

        >>> print(setup_source(Settings("me/course", "v1.0")).splitlines()[-1])
            %pip install --quiet "optloop-helpers @ git+https://github.com/me/course@v1.0"
    """
    return "\n".join(
        [
            "# Set-up for Google Colab and Kaggle: install the course's helper package from GitHub (both have torch).",
            "# Anywhere else this cell does nothing: `make lab`, conda, Binder and JupyterHub have installed it already.",
            "import os",
            "import sys",
            "",
            'if "google.colab" in sys.modules or "KAGGLE_KERNEL_RUN_TYPE" in os.environ:',
            f'    %pip install --quiet "{PACKAGE} @ {settings.install_url}"',
        ]
    )


def _badge_cell(settings: Settings, relative_path: str) -> Any:
    cell = nbformat.v4.new_markdown_cell(badge_markdown(settings, relative_path), id=BADGE_TAG)
    cell.metadata["tags"] = [BADGE_TAG]
    return cell


def _setup_cell(settings: Settings) -> Any:
    cell = nbformat.v4.new_code_cell(setup_source(settings), id=SETUP_TAG)
    cell.metadata["tags"] = [SETUP_TAG]
    return cell


def stamp(nb: Any, settings: Settings, relative_path: str) -> bool:
    """Give ``nb`` its badge cell (first) and set-up cell (before the first code cell); return whether it changed.

    A set-up cell already there is updated in place and keeps its execution count (it prints nothing outside
    Colab, so its outputs stay empty); a second call changes nothing.
    """
    before = copy.deepcopy(nb.cells)
    setup = None
    cells = []
    for cell in nb.cells:
        cell_tags = tags(cell)
        if SETUP_TAG in cell_tags and setup is None and cell.cell_type == "code":
            setup = cell
        elif BADGE_TAG not in cell_tags and SETUP_TAG not in cell_tags:
            cells.append(cell)
    fresh = _setup_cell(settings)
    if setup is None:
        setup = fresh
    else:
        setup.source = fresh.source
        setup.metadata = fresh.metadata
        setup["id"] = fresh["id"]
        setup.outputs = []
    index = next((i for i, cell in enumerate(cells) if cell.cell_type == "code"), len(cells))
    nb.cells = [_badge_cell(settings, relative_path), *cells[:index], setup, *cells[index:]]
    return nb.cells != before


def problems(nb: Any, settings: Settings, relative_path: str) -> list[str]:
    """What in ``nb`` disagrees with ``settings``: badge or set-up cell missing or stale, set-up cell never run."""
    stamped = copy.deepcopy(nb)
    found = []
    if stamp(stamped, settings, relative_path):
        found.append("badge or Colab set-up cell missing or out of date")
    setup = next((cell for cell in nb.cells if SETUP_TAG in tags(cell)), None)
    executed = any(cell.get("execution_count") for cell in nb.cells if cell.cell_type == "code")
    if setup is not None and executed and setup.get("execution_count") is None:
        found.append("the set-up cell has not been run: re-run the notebook (scripts/run_notebooks.py)")
    return found


def notebook_title(nb: Any) -> str:
    """What a notebook teaches: its first markdown heading without the leading number.

    Example::

        >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 8. The whole loop\\n\\nText")])
        >>> notebook_title(nb)
        'The whole loop'
    """
    for cell in nb.cells:
        if cell.cell_type != "markdown" or BADGE_TAG in tags(cell):
            continue
        for line in cell.source.splitlines():
            if line.startswith("#"):
                title = line.lstrip("#").strip()
                return re.sub(r"^\d+[.:)]?\s+", "", title)
    return ""


def notebook_paths(folder: Path = NOTEBOOKS) -> list[Path]:
    """Every teaching notebook: ``notebooks/*.ipynb`` (not the generated student versions)."""
    return sorted(folder.glob("*.ipynb"))


def readme_table(settings: Settings, paths: list[Path]) -> str:
    """The generated README block: a Binder badge and one row per notebook with its Colab badges."""
    lines = [
        README_START,
        "<!-- Generated by scripts/stamp_notebooks.py from [tool.optloop] in pyproject.toml; do not edit by hand. -->",
        f"[![Binder]({BINDER_BADGE_SVG})]({settings.binder_url}) "
        "(JupyterLab in the browser, built from `environment.yml`)",
        "",
        "| Notebook | What it teaches | Colab, Kaggle | Student version (exercises to fill in) |",
        "| --- | --- | --- | --- |",
    ]
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        teaching = f"notebooks/{path.name}"
        student = f"notebooks/student/{path.name}"
        title = notebook_title(nb).replace("|", "\\|")  # a | would end the table cell
        lines.append(
            f"| [{path.stem}]({teaching}) | {title} | {badge_markdown(settings, teaching)} "
            f"| {badge_markdown(settings, student)} |"
        )
    lines.append(README_END)
    return "\n".join(lines)


def stamp_readme(text: str, table: str, start_marker: str = README_START, end_marker: str = README_END) -> str:
    """Replace the marked block of ``text`` with ``table`` (append the block when the markers are missing)."""
    start, end = text.find(start_marker), text.find(end_marker)
    if start == -1 or end == -1 or end < start:
        return text.rstrip("\n") + "\n\n" + table + "\n"
    return text[:start] + table + text[end + len(end_marker) :]


def site_link(settings: Settings) -> str:
    """The generated README line that links to the course website."""
    url = settings.site_url
    return (
        f"{SITE_START}\n**Read the course online: [{url.removeprefix('https://').rstrip('/')}]({url})**: every notebook "
        "with its outputs, launch buttons for Colab, Kaggle and Binder (built from the committed notebooks: "
        "[The course website](#the-course-website)).\n"
        f"{SITE_END}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if anything is out of date")
    parser.add_argument("--execute", action="store_true", help="re-run the notebooks that changed")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository to stamp (default: this one)")
    args = parser.parse_args(argv)

    settings = read_settings(args.root / "pyproject.toml")
    readme_path = args.root / "README.md"
    stale: list[str] = []
    changed: list[Path] = []
    paths = notebook_paths(args.root / "notebooks")
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        relative_path = f"notebooks/{path.name}"
        if args.check:
            stale += [f"{path.name} ({problem})" for problem in problems(nb, settings, relative_path)]
            continue
        if stamp(nb, settings, relative_path):
            stale.append(path.name)
            nbformat.write(nb, path)
        if problems(nb, settings, relative_path) or path.name in stale:
            changed.append(path)
    readme = readme_path.read_text(encoding="utf-8")
    new_readme = stamp_readme(readme, readme_table(settings, paths))
    if SITE_START in readme:  # the block stays where README.md puts it; it is never appended
        new_readme = stamp_readme(new_readme, site_link(settings), SITE_START, SITE_END)
    if new_readme != readme:
        stale.append(readme_path.name)
        if not args.check:
            readme_path.write_text(new_readme, encoding="utf-8")

    if args.check:
        if stale:
            print("Out of date (run `python scripts/stamp_notebooks.py --execute`): " + ", ".join(stale))
            return 1
        print(f"All {len(paths)} notebooks and README.md agree with [tool.optloop].")
        return 0
    for name in stale:
        print(f"stamped {name}")
    if args.execute and changed:
        from run_notebooks import run  # next to this script (its folder is on sys.path when it runs)

        for path in changed:
            print(f"{run(path):6.1f} s  {path.name} (re-run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
