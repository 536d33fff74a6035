"""The course website's sources (scripts/build_site.py): what each page is made of, without Sphinx.

The built site itself is opened in Chromium by tests/browser/test_site.py (`make site-check`).
"""

from __future__ import annotations

import doctest
import hashlib
import re
from pathlib import Path

import nbformat
import pytest
from scripts_loader import load_script

pytestmark = pytest.mark.repo

ROOT = Path(__file__).resolve().parent.parent
stamping = load_script("stamp_notebooks")  # first: build_site imports it from scripts/
site = load_script("build_site")
SETTINGS = stamping.read_settings(ROOT / "pyproject.toml")
NOTEBOOKS = site.notebook_paths(ROOT)


def test_the_docstring_examples_hold() -> None:
    assert doctest.testmod(site).failed == 0


def test_the_notebooks_are_the_numbered_teaching_ones_in_order() -> None:
    names = [path.name for path in NOTEBOOKS]
    assert names == sorted(names) and len(names) >= 13
    assert all(re.fullmatch(r"\d\d_\w+\.ipynb", name) for name in names)
    assert all(path.parent == ROOT / "notebooks" for path in NOTEBOOKS), "never the student versions"


def test_the_launch_urls_come_from_the_setting() -> None:
    settings = stamping.Settings("Me/course", "v1.0")
    assert settings.site_url == "https://me.github.io/course/"
    assert stamping.Settings("me/me.github.io", "main").site_url == "https://me.github.io/"
    path = "notebooks/00_a.ipynb"
    assert site.kaggle_url(settings, path) == (
        "https://kaggle.com/kernels/welcome?src=https://raw.githubusercontent.com/Me/course/v1.0/notebooks/00_a.ipynb"
    )
    assert site.binder_notebook_url(settings, path) == (
        "https://mybinder.org/v2/gh/Me/course/v1.0?urlpath=lab/tree/notebooks/00_a.ipynb"
    )
    bar = site.launch_bar(settings, path)
    for url in (settings.colab_url(path), site.kaggle_url(settings, path), site.binder_notebook_url(settings, path),
                settings.colab_url("notebooks/student/00_a.ipynb")):
        assert f'href="{url}"' in bar


@pytest.mark.parametrize(
    ("text", "source", "expected"),
    [
        ("[t](notebooks/00_x.ipynb)", "README.md", "[t](notebooks/00_x.ipynb)"),
        ("[t](../notebooks/00_x.ipynb#a)", "docs/n.md", "[t](../notebooks/00_x.ipynb#a)"),
        ("[t](../README.md)", "docs/n.md", "[t](../index.md)"),
        ("![p](docs/img/p.png)", "README.md", "![p](docs/img/p.png)"),
        ("[t](requirements/constraints.txt)", "README.md", "[t](https://github.com/me/c/blob/main/requirements/constraints.txt)"),
        ("[t](../scripts)", "docs/n.md", "[t](https://github.com/me/c/tree/main/scripts)"),
        ("[t](#tests) [u](https://x.org/a.md)", "README.md", "[t](#tests) [u](https://x.org/a.md)"),
        ("[![Open In Colab](https://c.org/b.svg)](https://c.org/n)", "README.md",
         '<a class="optloop-launch" href="https://c.org/n">Open in Colab</a>'),
        ("```\n[t](Makefile)\n```\n", "README.md", "```\n[t](Makefile)\n```\n"),
    ],
)
def test_links_are_made_to_work_on_the_site(text: str, source: str, expected: str) -> None:
    pages = {"notebooks/00_x.ipynb", "docs/n.md"}
    assert site.rewrite_links(text, source, pages, {"docs/img/p.png"}, stamping.Settings("me/c", "main")) == expected


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    before = {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in NOTEBOOKS}
    source = tmp_path_factory.mktemp("site") / "src"
    site.stage(source, ROOT)
    after = {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in NOTEBOOKS}
    assert before == after, "staging never writes a committed notebook"
    return source


def test_every_page_is_staged_and_no_student_version(staged: Path) -> None:
    assert sorted(path.name for path in (staged / "notebooks").iterdir()) == [path.name for path in NOTEBOOKS]
    for doc in ("docs/instructor-guide.md", "docs/notebooks.md", "docs/benchmarks.md", "index.md"):
        assert (staged / doc).is_file(), doc
    assert (staged / "docs" / "img" / "playground-default.png").is_file()


def test_the_home_page_is_the_readme_with_every_notebook_in_its_table_of_contents(staged: Path) -> None:
    home = (staged / "index.md").read_text(encoding="utf-8")
    assert home.startswith("# optloop") and "![The optloop playground" in home
    toc = re.search(r"```\{toctree\}\n:hidden:\n:caption: The notebooks\n\n(.*?)\n```", home, flags=re.S)[1]
    assert toc.splitlines() == [f"notebooks/{path.stem}" for path in NOTEBOOKS]
    assert "site:start" not in home, "the home page does not link to itself"
    assert not re.search(r"!\[[^\]]*\]\(https?://", home), "no image from outside the site"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_a_staged_notebook_collapses_solutions_and_drops_claims(staged: Path, notebook: Path) -> None:
    committed = nbformat.read(notebook, as_version=4)
    page = nbformat.read(staged / "notebooks" / notebook.name, as_version=4)
    tags = {cell.get("id"): cell.metadata.get("tags", []) for cell in page.cells}
    for cell in committed.cells:
        kind = set(cell.metadata.get("tags", []))
        if "colab-badge" in kind:
            assert cell.get("id") not in tags, "the badge cell becomes the launch bar"
        elif kind & {"claims", "colab-setup"}:
            assert "remove-cell" in tags[cell.get("id")]
        elif "solution" in kind:
            assert "hide-input" in tags[cell.get("id")] and "remove-cell" not in tags[cell.get("id")]
        elif cell.get("id") in tags:
            assert not {"hide-input", "remove-cell"} & set(tags[cell.get("id")]), "everything else is shown"
    title = next(cell for cell in page.cells if cell.cell_type == "markdown" and cell.source.startswith("# "))
    assert title.source.splitlines()[2].startswith('<div class="optloop-launch-bar">')
    outputs = [output for cell in page.cells for output in cell.get("outputs", [])]
    assert not any(site.WIDGET_MIME in output.get("data", {}) for output in outputs), "no widget without a kernel"
    widgets = sum(site.WIDGET_MIME in output.get("data", {}) for cell in committed.cells for output in cell.get("outputs", []))
    assert sum(cell.source == site.LIVE_NOTE for cell in page.cells) == widgets, "one line on how to make it live"


def test_any_badge_cell_gives_way_to_the_launch_bar() -> None:
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("[![Open In Colab](https://c.org/b.svg)](https://c.org/n)", id="colab-badge"),
        nbformat.v4.new_markdown_cell("[![Kaggle](https://k.org/b.svg)](https://k.org/n)", id="kaggle-badge"),
        nbformat.v4.new_markdown_cell("# 0. A title\n\nText.", id="title"),
    ])
    nb.cells[0].metadata["tags"], nb.cells[1].metadata["tags"] = ["colab-badge"], ["kaggle-badge"]
    page = site.stage_notebook(nb, "notebooks/00_a.ipynb", set(), set(), SETTINGS)
    assert [cell.id for cell in page.cells] == ["title"]
    assert page.cells[0].source.startswith("# 0. A title\n\n<div class=\"optloop-launch-bar\">")


def test_the_site_never_executes_a_notebook() -> None:
    conf = (ROOT / "docs" / "site" / "conf.py").read_text()
    assert re.search(r'^nb_execution_mode = "off"$', conf, flags=re.M)
    assert re.search(r"^nb_ipywidgets_js = \{\}", conf, flags=re.M), "no widget JavaScript from a CDN"


def test_the_readme_links_to_the_site_as_stamped() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert stamping.site_link(SETTINGS) in readme, "README.md's site link is out of date: run `make stamp`"
    assert SETTINGS.site_url in readme and "python3 -m http.server --directory site" in readme


def test_make_test_builds_and_checks_the_site() -> None:
    makefile = (ROOT / "Makefile").read_text()
    # make test: phase 1 builds the site (other-envs), phase 2 checks it after the browser tests (browser-tests)
    assert re.search(r"^test:.*\n(\t.*\n)*\t.*-j2 .*browser-tests", makefile, flags=re.M)
    assert re.search(r"^other-envs:\n(\t.*\n)*\t\$\(MAKE\) --no-print-directory site$", makefile, flags=re.M)
    assert re.search(r"^browser-tests:.*\n(\t.*\n)*\t\$\(MAKE\) --no-print-directory site-check$", makefile, flags=re.M)
    assert "--ignore=tests/browser/test_site.py" in makefile  # make browser leaves the site to site-check
    assert re.search(r"^site-check: site setup$", makefile, flags=re.M)
    assert "-c requirements/site-constraints.txt" in makefile
    assert "/site/" in (ROOT / ".gitignore").read_text().splitlines()
