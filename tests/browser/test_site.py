"""The course website (``make site``) in a real Chromium: every page renders, its images load, its links resolve.

``site/`` is served on 127.0.0.1 at a free port; every page is opened with nothing from outside the site allowed
(a request to another host fails the page). Skipped, saying why, when ``site/`` was not built or is older than its
sources; ``make site-check`` (part of ``make test``) builds it first and sets OPTLOOP_SITE_REQUIRED=1, which turns
that skip into a failure. ``OPTLOOP_SCREENSHOTS=1`` re-takes docs/img/site-home.png and docs/img/site-notebook.png.
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import os
import re
import shutil
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import nbformat
import pytest
from jupyterlab_browser import REPO, close_quietly, free_port

sys.path.insert(0, str(REPO / "scripts"))
import build_site  # noqa: E402  (scripts/ is not a package)
from notebook_cells import BADGE_TAG, tags  # noqa: E402

SITE = REPO / "site"
SCREENSHOTS = REPO / "docs" / "img"
SETTINGS = build_site.read_settings(REPO / "pyproject.toml")
NOTEBOOKS = build_site.notebook_paths(REPO)
PAGES = {  # page -> its source
    "index.html": REPO / "README.md",
    **{f"notebooks/{path.stem}.html": path for path in NOTEBOOKS},
    **{doc.removesuffix(".md") + ".html": REPO / doc for doc in build_site.DOCS},
    "genindex.html": None,
    "search.html": None,
}
CLAIMS_LINE = "# Claims the text above makes, checked"

# Every image on the page, loaded (lazy ones too): [src, naturalWidth] of each.
IMAGES_JS = """async () => {
  const images = [...document.images];
  for (const img of images) img.loading = "eager";
  await Promise.all(images.map(img => img.complete ? null : new Promise(done => {
    img.addEventListener("load", done); img.addEventListener("error", done); })));
  return images.map(img => [img.currentSrc || img.src, img.naturalWidth]);
}"""


def _site_problem() -> str | None:
    info = SITE / build_site.INFO
    if not (SITE / "index.html").is_file() or not info.is_file():
        return "site/ has not been built: run `make site` first (`make site-check` builds it and runs this test)"
    if json.loads(info.read_text())["fingerprint"] != build_site.fingerprint(REPO):
        return "site/ is older than its sources (notebooks, docs, README, site config): run `make site` again"
    return None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def _require_site() -> None:
    """Skip when site/ is missing or stale; fail instead under `make site-check` (OPTLOOP_SITE_REQUIRED=1)."""
    problem = _site_problem()
    if problem and os.environ.get("OPTLOOP_SITE_REQUIRED") == "1":
        pytest.fail(problem, pytrace=False)
    if problem:
        pytest.skip(problem)


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """The base URL of site/ served on 127.0.0.1 (skip, or fail under make site-check, when it is not built)."""
    _require_site()
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def open_page(browser: Any, site: str) -> Iterator[Any]:
    """``open_page(path)`` opens a page of the site; returns (page, problems), problems being every console
    error, page error, failed or refused request and HTTP error that happened while it loaded (until the
    network is idle; ``settle=False``: until the load event, for the tests that look at one thing)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    host = urlsplit(site).netloc

    def opener(path: str, settle: bool = True) -> tuple[Any, list[str]]:
        page, problems = context.new_page(), []
        page.set_default_timeout(30_000)

        def route(request_route: Any) -> None:
            if urlsplit(request_route.request.url).netloc == host:
                request_route.continue_()
            else:
                problems.append(f"request outside the site: {request_route.request.url}")
                request_route.abort()

        page.route("**/*", route)
        page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))
        page.on("response", lambda response: problems.append(f"HTTP {response.status}: {response.url}")
                if response.status >= 400 else None)
        response = page.goto(site + path, wait_until="networkidle" if settle else "load")
        assert response is not None and response.status == 200, f"{path}: HTTP {response and response.status}"
        return page, problems

    try:
        yield opener
    finally:
        close_quietly(context)


def _plain(markdown_heading: str) -> str:
    """A markdown heading as the page shows it: no '#', no emphasis or code marks."""
    return re.sub(r"[`*_]", "", markdown_heading.lstrip("#").strip())


def _expected_title(source: Path | None) -> str | None:
    if source is None:
        return None
    if source.suffix == ".ipynb":
        cells = [cell for cell in nbformat.read(source, as_version=4).cells if BADGE_TAG not in tags(cell)]
        text = "\n".join(cell.source for cell in cells if cell.cell_type == "markdown")
    else:
        text = source.read_text(encoding="utf-8")
    return _plain(next(line for line in text.splitlines() if line.startswith("# ")))


_CHECKED: dict[str, str | None] = {}


def _link_problem(url: str) -> str | None:
    """None when ``url`` (on the site) answers 200 and, with a #fragment, the page has that id."""
    if url not in _CHECKED:
        address, fragment = urldefrag(url)
        try:
            with urllib.request.urlopen(address, timeout=10) as response:
                body = response.read().decode("utf-8", "replace")
            problem = None
            if fragment and f'id="{html.escape(fragment)}"' not in body:
                problem = f"{url}: no element with id {fragment!r}"
        except urllib.error.HTTPError as error:
            problem = f"{url}: HTTP {error.code}"
        _CHECKED[url] = problem
    return _CHECKED[url]


@pytest.mark.parametrize("path", sorted(PAGES))
def test_every_page_renders_with_its_images_and_working_links(open_page: Any, site: str, path: str) -> None:
    page, problems = open_page(path)
    images = page.evaluate(IMAGES_JS)
    broken = [src for src, width in images if not width]
    links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    internal = sorted({link for link in links if link.startswith(site)})
    dead = [problem for problem in map(_link_problem, internal) if problem]
    assert not (problems or broken or dead), (
        f"{path}: problems while loading: {problems}; images that did not load: {broken}; "
        f"internal links that do not resolve: {dead}"
    )
    expected = _expected_title(PAGES[path])
    if expected is not None:
        assert page.title() == f"{expected} — optloop", f"{path}: title {page.title()!r}, not the source's {expected!r}"
        assert page.locator("h1").first.inner_text().strip().rstrip("#").strip() == expected


def test_every_built_page_is_checked() -> None:
    _require_site()
    built = {path.relative_to(SITE).as_posix() for path in SITE.rglob("*.html") if "_static" not in path.parts}
    assert built == set(PAGES), f"pages built but not checked, or checked but not built: {built ^ set(PAGES)}"
    assert not (SITE / "notebooks" / "student").exists(), "the student versions are not published as pages"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_a_notebook_page_has_its_outputs_launch_buttons_and_collapsed_solutions(open_page: Any, notebook: Path) -> None:
    page, problems = open_page(f"notebooks/{notebook.stem}.html", settle=False)
    relative_path = f"notebooks/{notebook.name}"
    buttons = page.eval_on_selector_all(".optloop-launch-bar a", "links => links.map(a => [a.innerText, a.href])")
    hrefs = dict(buttons)
    assert hrefs["Open in Colab"] == SETTINGS.colab_url(relative_path)
    assert hrefs["Open in Kaggle"] == build_site.kaggle_url(SETTINGS, relative_path)
    assert hrefs["Open in Binder"] == build_site.binder_notebook_url(SETTINGS, relative_path)
    assert hrefs["Student version (Colab)"] == SETTINGS.colab_url(f"notebooks/student/{notebook.name}")

    nb = nbformat.read(notebook, as_version=4)
    solutions = [cell for cell in nb.cells if "solution" in tags(cell)]
    collapsed = page.locator("details.hide.above-input")
    assert collapsed.count() == len(solutions) > 0, "one collapsed dropdown per solution cell"
    for index in range(collapsed.count()):
        dropdown = collapsed.nth(index)
        assert dropdown.get_attribute("open") is None and dropdown.locator("summary").inner_text() == "Show the solution"
        assert not dropdown.locator("pre").first.is_visible(), "a solution is collapsed until asked for"
    first = collapsed.first
    first.locator("summary").click()
    assert first.locator("pre").first.is_visible() and "def " in first.locator("pre").first.inner_text()

    for cell in (cell for cell in nb.cells if "check" in tags(cell)):  # the self-check's verdict, shown as stored
        verdict = next(out["data"]["text/plain"] for out in cell.outputs if "text/plain" in out.get("data", {}))
        assert page.get_by_text(verdict.strip()[:40]).first.is_visible(), f"check output missing: {verdict[:60]!r}"
    assert CLAIMS_LINE not in page.content(), "claims cells are removed from the page"
    pictures = sum("image/png" in out.get("data", {}) for cell in nb.cells if "claims" not in tags(cell)
                   for out in cell.get("outputs", []))
    assert page.locator("img").count() >= pictures, "every stored picture is on the page"
    assert not problems, problems


def test_the_playground_page_shows_the_stored_picture_and_how_to_make_it_live(open_page: Any) -> None:
    page, problems = open_page("notebooks/09_playground.html")
    note = page.get_by_text("On this page the controls are not live")
    assert note.count() >= 1 and note.first.is_visible()
    picture = page.locator("section#the-playground img").first  # the stored PNG of the default run
    picture.scroll_into_view_if_needed()
    assert page.evaluate("img => img.naturalWidth", picture.element_handle()) > 500
    assert not problems, problems


def test_screenshots(open_page: Any, tmp_path: Path) -> None:
    """The home page and a notebook page's exercise (saved into docs/img with OPTLOOP_SCREENSHOTS=1)."""
    home, problems = open_page("index.html")
    shots = {"site-home.png": tmp_path / "site-home.png", "site-notebook.png": tmp_path / "site-notebook.png"}
    home.screenshot(path=str(shots["site-home.png"]))
    notebook, more = open_page("notebooks/02_loss_value.html")
    notebook.locator("section#your-turn-the-losses-by-hand").scroll_into_view_if_needed()
    notebook.evaluate("document.querySelector('section#your-turn-the-losses-by-hand').scrollIntoView()")
    notebook.screenshot(path=str(shots["site-notebook.png"]))
    assert not problems + more
    for shot in shots.values():
        assert shot.read_bytes()[:4] == b"\x89PNG" and shot.stat().st_size > 20_000
    if os.environ.get("OPTLOOP_SCREENSHOTS") == "1":
        for name, shot in shots.items():
            shutil.copyfile(shot, SCREENSHOTS / name)
