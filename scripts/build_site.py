"""Build the course website into ``site/`` from the committed notebooks and docs, never executing a notebook.

What is published is exactly what nbval checked: every notebook's stored outputs. The generator is Sphinx with
myst-nb and sphinx-book-theme (why: docs/site.md), installed by ``make site`` into ``.venv-site`` from
``requirements/site-constraints.txt``. This script first lays out a source tree in ``build/site/src`` that mirrors
the repository, then runs Sphinx on it with the configuration in ``docs/site/``:

- ``index.md``: README.md (the badges become plain links, links to files that are not pages go to GitHub);
- ``notebooks/NN_*.ipynb``: every teaching notebook, in order (not the student versions), its badge cell replaced
  by launch buttons (Colab, Kaggle, Binder, the student version) built from ``[tool.optloop]``; solution cells
  collapsed (tag ``hide-input``), claims cells and the Colab set-up cell removed from the page (``remove-cell``),
  and a widget's output (which needs a kernel) replaced by one line on how to make it live;
- ``docs/*.md`` and ``docs/img/``: the instructor guide, the notebook list, the benchmarks, this site's notes.

Usage::

    python scripts/build_site.py              # build site/ (make site)
    python scripts/build_site.py --stage-only # only lay out build/site/src

``site/optloop-site.json`` records the fingerprint of the sources, so the browser test can tell a stale site.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import posixpath
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import nbformat
from notebook_cells import BADGE_TAG, tags
from stamp_notebooks import SETUP_TAG, SITE_END, SITE_START, Settings, read_settings

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT / "docs" / "site"
DOCS = ("docs/instructor-guide.md", "docs/notebooks.md", "docs/benchmarks.md", "docs/site.md")
INFO = "optloop-site.json"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
LIVE_NOTE = (
    "*On this page the controls are not live (they need a running Python kernel): to move them, open the notebook "
    "in Colab, Kaggle or Binder with the buttons at the top, or in JupyterLab with `make lab`.*"
)

_LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^)\s]+)((?:\s+\"[^\"]*\")?)\)")
_BADGE = re.compile(r"\[!\[([^\]]*)\]\((https?://[^)\s]+)\)\]\((https?://[^)\s]+)\)")
_FENCE = re.compile(r"^(```|~~~)", re.M)


def notebook_paths(root: Path = ROOT) -> list[Path]:
    """The teaching notebooks in order: ``notebooks/NN_*.ipynb`` (never the student versions)."""
    return sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def kaggle_url(settings: Settings, relative_path: str) -> str:
    """Kaggle's "open a notebook from a URL" address for a file of the repository.

    Example::

        >>> kaggle_url(Settings("me/course", "main"), "notebooks/00_a.ipynb")
        'https://kaggle.com/kernels/welcome?src=https://raw.githubusercontent.com/me/course/main/notebooks/00_a.ipynb'
    """
    return f"https://kaggle.com/kernels/welcome?src=https://raw.githubusercontent.com/{settings.repository}/{settings.ref}/{relative_path}"


def binder_notebook_url(settings: Settings, relative_path: str) -> str:
    """Binder, opening ``relative_path`` in JupyterLab (``Settings.binder_url`` opens the folder)."""
    return f"https://mybinder.org/v2/gh/{settings.repository}/{settings.ref}?urlpath=lab/tree/{relative_path}"


def github_url(settings: Settings, relative_path: str, folder: bool = False) -> str:
    """A file (or, with ``folder``, a folder) of the repository on GitHub, at ``settings.ref``."""
    kind = "tree" if folder else "blob"
    return f"https://github.com/{settings.repository}/{kind}/{settings.ref}/{relative_path}".rstrip("/")


def launch_bar(settings: Settings, relative_path: str) -> str:
    """The launch buttons of one notebook page, as HTML (a markdown cell of the staged notebook)."""
    student = relative_path.replace("notebooks/", "notebooks/student/", 1)
    buttons = [
        ("colab", "Open in Colab", settings.colab_url(relative_path)),
        ("kaggle", "Open in Kaggle", kaggle_url(settings, relative_path)),
        ("binder", "Open in Binder", binder_notebook_url(settings, relative_path)),
        ("student", "Student version (Colab)", settings.colab_url(student)),
        ("github", "View on GitHub", github_url(settings, relative_path)),
    ]
    links = "".join(
        f'<a class="optloop-launch optloop-launch-{kind}" href="{url}">{text}</a>' for kind, text, url in buttons
    )
    return f'<div class="optloop-launch-bar">{links}</div>'


def _split_fences(text: str) -> list[tuple[bool, str]]:
    """``text`` cut into (is_code, chunk) pieces at fenced code blocks, so links are only rewritten in prose."""
    pieces, code, start = [], False, 0
    for match in _FENCE.finditer(text):
        pieces.append((code, text[start : match.start()]))
        code, start = not code, match.start()
    pieces.append((code, text[start:]))
    return pieces


def rewrite_links(text: str, source: str, pages: set[str], assets: set[str], settings: Settings) -> str:
    """Make the markdown links of ``source`` (a repository path) work on the site.

    A badge image link becomes a plain link (no image from outside the site); a relative link to a page stays
    (Sphinx resolves it: README.md is the home page, index.md), and so do an image and a link to an asset
    (docs/img; a missing one fails the build); a link to anything else (a script, the Makefile) goes to the
    file on GitHub.

    Example::

        >>> s = Settings("me/course", "main")
        >>> rewrite_links("[a](../Makefile) [b](00_x.ipynb) [c](#top)", "notebooks/01_y.ipynb", {"notebooks/00_x.ipynb"}, set(), s)
        '[a](https://github.com/me/course/blob/main/Makefile) [b](00_x.ipynb) [c](#top)'
    """
    folder = posixpath.dirname(source)

    def link(match: re.Match[str]) -> str:
        bang, label, target, title = match.groups()
        if re.match(r"^[a-z][a-z0-9+.-]*:|^#", target):
            return match[0]
        path, _, fragment = target.partition("#")
        resolved = posixpath.normpath(posixpath.join(folder, path))
        if resolved == "README.md":
            path = posixpath.relpath("index.md", folder or ".")
        elif not bang and resolved not in pages and resolved not in assets:
            path = github_url(settings, resolved, folder=(ROOT / resolved).is_dir())
        return f"{bang}[{label}]({path}{'#' + fragment if fragment else ''}{title})"

    def badge(match: re.Match[str]) -> str:
        alt, _image, url = match.groups()
        return f'<a class="optloop-launch" href="{url}">{alt.replace("Open In", "Open in")}</a>'

    return "".join(
        chunk if code else _LINK.sub(link, _BADGE.sub(badge, chunk)) for code, chunk in _split_fences(text)
    )


def _add_tag(cell: Any, tag: str) -> None:
    cell.metadata["tags"] = [*tags(cell), tag]


def stage_notebook(nb: Any, relative_path: str, pages: set[str], assets: set[str], settings: Settings) -> Any:
    """The page version of one teaching notebook (a changed copy: the committed notebook is never written)."""
    cells = []
    for cell in nb.cells:
        cell_tags = tags(cell)
        if BADGE_TAG in cell_tags or any(tag.endswith("-badge") for tag in cell_tags):
            continue  # badge cells (Colab, and any other *-badge) are replaced by the launch bar under the title
        if cell.cell_type == "markdown":
            cell.source = rewrite_links(cell.source, relative_path, pages, assets, settings)
        elif "claims" in cell_tags or SETUP_TAG in cell_tags:
            _add_tag(cell, "remove-cell")
        elif "solution" in cell_tags:
            _add_tag(cell, "hide-input")
        cells.append(cell)
        widget = any(WIDGET_MIME in output.get("data", {}) for output in cell.get("outputs", []))
        if widget:
            cell.outputs = [output for output in cell.outputs if WIDGET_MIME not in output.get("data", {})]
            cells.append(nbformat.v4.new_markdown_cell(LIVE_NOTE, id=f"{cell.get('id', 'cell')}-live"))
    title = next(i for i, cell in enumerate(cells) if cell.cell_type == "markdown" and cell.source.startswith("# "))
    heading, _, rest = cells[title].source.partition("\n")
    cells[title].source = f"{heading}\n\n{launch_bar(settings, relative_path)}\n{rest}"
    nb.cells = cells
    return nb


def home_page(readme: str, notebooks: list[str], pages: set[str], assets: set[str], settings: Settings) -> str:
    """index.md: the README (less its link to the site itself) and the hidden tables of contents."""
    start, end = readme.find(SITE_START), readme.find(SITE_END)
    if start != -1 and end > start:
        readme = readme[:start] + readme[end + len(SITE_END) :]
    text = rewrite_links(readme, "README.md", pages, assets, settings).rstrip("\n")
    guides = [doc.removesuffix(".md") for doc in DOCS]
    return (
        f"{text}\n\n```{{toctree}}\n:hidden:\n:caption: The notebooks\n\n"
        + "\n".join(path.removesuffix(".ipynb") for path in notebooks)
        + "\n```\n\n```{toctree}\n:hidden:\n:caption: Teaching and the project\n\n"
        + "\n".join(guides)
        + "\n```\n"
    )


def fingerprint(root: Path = ROOT) -> str:
    """A hash of every file the site is built from: the browser test compares it with the built site's."""
    files = [root / "README.md", root / "pyproject.toml", *notebook_paths(root), Path(__file__).resolve()]
    files += [root / doc for doc in DOCS]
    files += sorted(path for folder in ("docs/img", "docs/site") for path in (root / folder).rglob("*") if path.is_file())
    files += [root / "requirements" / "site-constraints.txt"]
    digest = hashlib.sha256()
    for path in files:
        if path.exists() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def stage(source: Path, root: Path = ROOT) -> list[str]:
    """Lay out the Sphinx source tree in ``source``; return the notebook pages (repository paths) in order."""
    settings = read_settings(root / "pyproject.toml")
    shutil.rmtree(source, ignore_errors=True)
    (source / "notebooks").mkdir(parents=True)
    notebooks = [f"notebooks/{path.name}" for path in notebook_paths(root)]
    pages = {*notebooks, *DOCS}
    assets = {f"docs/img/{path.name}" for path in (root / "docs" / "img").glob("*")}
    shutil.copytree(root / "docs" / "img", source / "docs" / "img")
    for relative_path in notebooks:
        nb = nbformat.read(root / relative_path, as_version=4)
        nbformat.write(stage_notebook(nb, relative_path, pages, assets, settings), source / relative_path)
    for doc in DOCS:
        text = (root / doc).read_text(encoding="utf-8")
        (source / doc).write_text(rewrite_links(text, doc, pages, assets, settings), encoding="utf-8")
    readme = (root / "README.md").read_text(encoding="utf-8")
    (source / "index.md").write_text(home_page(readme, notebooks, pages, assets, settings), encoding="utf-8")
    return notebooks


def build(work: Path, out: Path, root: Path = ROOT) -> int:
    """Stage into ``work``/src, run Sphinx into ``work``/html (warnings are errors: a broken link or reference
    fails the build), then move the result to ``out``. myst-nb writes beside its output folder, hence ``work``."""
    from sphinx.cmd.build import build_main  # only in .venv-site

    source, html = work / "src", work / "html"
    notebooks = stage(source, root)
    shutil.rmtree(html, ignore_errors=True)
    args = ["-b", "html", "-c", str(CONF), "-W", "--keep-going", "-q", "-d", str(work / "doctrees")]
    status = build_main([*args, str(source), str(html)])
    if status:
        return status
    (html / ".nojekyll").write_text("")
    info = {"fingerprint": fingerprint(root), "notebooks": [path.removesuffix(".ipynb") + ".html" for path in notebooks]}
    (html / INFO).write_text(json.dumps(info, indent=1) + "\n")
    shutil.rmtree(out, ignore_errors=True)
    shutil.move(html, out)
    print(f"built {out.relative_to(root) if out.is_relative_to(root) else out}/: {len(notebooks)} notebook pages")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "site", help="where to stage and build")
    parser.add_argument("--out", type=Path, default=ROOT / "site", help="where to build the site (default: site/)")
    parser.add_argument("--stage-only", action="store_true", help="only lay out the sources")
    args = parser.parse_args(argv)
    if args.stage_only:
        print("\n".join(stage(args.work / "src")))
        return 0
    return build(args.work.resolve(), args.out.resolve())


if __name__ == "__main__":
    sys.exit(main())
