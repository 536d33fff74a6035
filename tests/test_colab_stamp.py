"""Every notebook's Colab badge and set-up cell, and the README's notebook table, agree with [tool.optloop].

The repository and ref live only in pyproject.toml; `python scripts/stamp_notebooks.py --execute` re-stamps.
"""

from __future__ import annotations

import copy
import io
import re
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path
from urllib.parse import parse_qs

import nbformat
import pytest
from scripts_loader import load_script

# The repository's own files, the same in every environment: only the main one runs these
# (`make colab-test` and `make min-test` leave them out).
pytestmark = pytest.mark.repo

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
FIX = "run `python scripts/stamp_notebooks.py --execute` (or `make stamp`) and commit the result"



stamping = load_script("stamp_notebooks")
tomllib = stamping.tomllib  # the standard library's, or tomli on Python 3.10
SETTINGS = stamping.read_settings(ROOT / "pyproject.toml")


def _run_setup_cell(source: str, modules: dict, environ: dict | None = None) -> list[tuple[str, str]]:
    """Run the set-up cell's code as IPython would, with ``modules`` as sys.modules and ``environ`` as os.environ;
    return the magics it ran."""
    from IPython.core.inputtransformer2 import TransformerManager

    calls: list[tuple[str, str]] = []

    class FakeIPython:
        def run_line_magic(self, name: str, line: str) -> None:
            calls.append((name, line))

    code = TransformerManager().transform_cell(source)
    fake_sys = type("FakeSys", (), {"modules": modules})
    fake_os = type("FakeOs", (), {"environ": environ or {}})
    namespace = {"get_ipython": FakeIPython, "__builtins__": __builtins__}
    code = code.replace("import sys\n", "sys = fake_sys\n", 1).replace("import os\n", "os = fake_os\n", 1)
    namespace["fake_sys"], namespace["fake_os"] = fake_sys, fake_os
    printed = io.StringIO()
    with redirect_stdout(printed):
        exec(compile(code, "<set-up cell>", "exec"), namespace)
    assert printed.getvalue() == ""
    return calls


# --- the setting ---------------------------------------------------------------------------------------------


def test_the_setting_lives_in_pyproject() -> None:
    section = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["optloop"]
    assert (SETTINGS.repository, SETTINGS.ref) == (section["repository"], section["ref"])


@pytest.mark.parametrize(
    ("repository", "ref", "message"),
    [
        ("optloop", "main", "repository must be 'owner/name' .* got 'optloop'"),
        ("a/b/c", "main", "repository must be 'owner/name' .* got 'a/b/c'"),
        ("o/r", "", "ref must be a git tag or branch name .* got ''"),
        ("o/r", "v1 .0", "ref must be a git tag or branch name .* got 'v1 .0'"),
        ("o/r", "a..b", "ref must be a git tag or branch name .* got 'a..b'"),
        ("o/r", 1, "ref must be a git tag or branch name .* got 1"),
    ],
)
def test_a_bad_setting_is_refused_with_a_message(repository, ref, message) -> None:
    with pytest.raises(ValueError, match=message):
        stamping.Settings(repository, ref)


def test_a_missing_setting_is_refused_with_a_message(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n')
    with pytest.raises(ValueError, match=r"must have a \[tool.optloop\] table with repository and ref"):
        stamping.read_settings(pyproject)
    pyproject.write_text('[tool.optloop]\nrepository = "o/r"\n')
    with pytest.raises(ValueError, match="must set repository and ref, missing: ref"):
        stamping.read_settings(pyproject)


# --- the set-up cell ---------------------------------------------------------------------------------------


def test_outside_colab_the_set_up_cell_does_nothing_and_prints_nothing() -> None:
    assert _run_setup_cell(stamping.setup_source(SETTINGS), {"sys": sys}, {"HOME": "/root"}) == []


def test_on_kaggle_the_set_up_cell_pip_installs_the_package_too() -> None:
    calls = _run_setup_cell(stamping.setup_source(SETTINGS), {"sys": sys}, {"KAGGLE_KERNEL_RUN_TYPE": "Interactive"})
    assert calls == [("pip", f'install --quiet "optloop-helpers @ {SETTINGS.install_url}"')]


def test_in_colab_the_set_up_cell_pip_installs_the_package_at_the_pinned_ref() -> None:
    calls = _run_setup_cell(stamping.setup_source(SETTINGS), {"google.colab": object()})
    expected = f'install --quiet "optloop-helpers @ git+https://github.com/{SETTINGS.repository}@{SETTINGS.ref}"'
    assert calls == [("pip", expected)]


def test_the_set_up_cell_never_touches_torch_nor_downloads_files() -> None:
    source = stamping.setup_source(SETTINGS)
    install_line = next(line for line in source.splitlines() if "%pip" in line)
    assert "torch" not in install_line
    assert not re.search(r"raw\.githubusercontent|wget|curl|\.py\b", source)


def test_the_package_never_pins_torch_so_colab_keeps_its_own() -> None:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    torch = [dep for dep in dependencies if re.match(r"torch\b", dep)]
    assert torch and all(not re.search(r"==|<|~=", dep) for dep in torch), torch
    widgets = next(dep for dep in dependencies if dep.startswith("ipywidgets"))
    assert re.fullmatch(r"ipywidgets>=7(\.\d+)*", widgets), "Colab's ipywidgets 7 must satisfy the package"


# --- Kaggle and JupyterHub links ----------------------------------------------------------------------------


def test_the_kaggle_badge_opens_the_raw_github_file_at_the_ref() -> None:
    badge = stamping.badge_markdown(SETTINGS, "notebooks/03_z.ipynb")
    raw = f"https://raw.githubusercontent.com/{SETTINGS.repository}/{SETTINGS.ref}/notebooks/03_z.ipynb"
    assert f"[![Open In Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src={raw})" in badge
    assert badge.startswith("[![Open In Colab](")


def test_the_hub_link_is_an_nbgitpuller_link_for_the_setting() -> None:
    url = stamping.Settings("someone/fork", "v2.0").hub_url("https://hub.example.edu/jupyter/", "notebooks/student")
    base, query = url.split("?")
    assert base == "https://hub.example.edu/jupyter/hub/user-redirect/git-pull"
    assert parse_qs(query, strict_parsing=True) == {
        "repo": ["https://github.com/someone/fork"], "branch": ["v2.0"], "urlpath": ["lab/tree/fork/notebooks/student"],
    }
    assert "repo=https%3A%2F%2Fgithub.com%2Fsomeone%2Ffork&" in query, "every value is URL-encoded"


@pytest.mark.parametrize("hub", ["hub.example.edu", "ftp://hub", "https://hub?x=1", "https://hub/ x", "", None])
def test_a_bad_hub_address_is_refused_with_a_message(hub) -> None:
    with pytest.raises(ValueError, match=r"hub must be the JupyterHub's address, http\(s\)://host\[/prefix\]"):
        SETTINGS.hub_url(hub)


@pytest.mark.slow  # a subprocess
def test_make_hub_link_prints_the_links_for_the_teaching_and_the_student_versions() -> None:
    done = subprocess.run(["make", "--no-print-directory", "-s", "hub-link", "HUB=https://hub.example.edu"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[-2] == f"teaching versions: {SETTINGS.hub_url('https://hub.example.edu')}"
    assert lines[-1] == f"student versions:  {SETTINGS.hub_url('https://hub.example.edu', 'notebooks/student')}"


@pytest.mark.slow  # a subprocess
def test_make_hub_link_without_a_hub_says_how_to_call_it() -> None:
    done = subprocess.run(["make", "--no-print-directory", "-s", "hub-link"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode != 0
    assert "make hub-link HUB=https://hub.example.edu" in done.stdout + done.stderr


# --- stamping ------------------------------------------------------------------------------------------------


def _sample() -> nbformat.NotebookNode:
    title = nbformat.v4.new_markdown_cell("# 3. Zero the gradients\n\nWhy and how.")
    code = nbformat.v4.new_code_cell("print(1)", execution_count=1)
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    return nbformat.v4.new_notebook(cells=[title, nbformat.v4.new_markdown_cell("## Set-up"), code])


def test_stamping_adds_the_badge_first_and_the_set_up_cell_before_the_first_code_cell() -> None:
    nb = _sample()
    assert stamping.stamp(nb, SETTINGS, "notebooks/03_z.ipynb") is True
    badge, title, heading, setup, code = nb.cells
    assert badge.source == stamping.badge_markdown(SETTINGS, "notebooks/03_z.ipynb")
    assert f"/github/{SETTINGS.repository}/blob/{SETTINGS.ref}/notebooks/03_z.ipynb) " in badge.source
    assert badge.source.endswith(f"/{SETTINGS.repository}/{SETTINGS.ref}/notebooks/03_z.ipynb)")  # Kaggle's
    assert setup.cell_type == "code" and setup.metadata["tags"] == ["colab-setup"]
    assert code.outputs[0].text == "1\n", "stamping must not change outputs"
    nbformat.validate(nb)


def test_stamping_twice_changes_nothing() -> None:
    nb = _sample()
    stamping.stamp(nb, SETTINGS, "notebooks/03_z.ipynb")
    nb.cells[3].execution_count = 1
    once = copy.deepcopy(nb)
    assert stamping.stamp(nb, SETTINGS, "notebooks/03_z.ipynb") is False
    assert nb == once


def test_a_new_setting_updates_the_cells_in_place() -> None:
    nb = _sample()
    stamping.stamp(nb, SETTINGS, "notebooks/03_z.ipynb")
    released = stamping.Settings("someone/fork", "v9.9.9")
    assert stamping.problems(nb, released, "notebooks/03_z.ipynb")
    assert stamping.stamp(nb, released, "notebooks/03_z.ipynb") is True
    assert len(nb.cells) == 5
    assert "someone/fork/blob/v9.9.9/notebooks/03_z.ipynb" in nb.cells[0].source
    assert "git+https://github.com/someone/fork@v9.9.9" in nb.cells[3].source


def test_a_stamped_notebook_that_was_not_re_run_is_reported() -> None:
    nb = _sample()
    stamping.stamp(nb, SETTINGS, "notebooks/03_z.ipynb")
    assert stamping.problems(nb, SETTINGS, "notebooks/03_z.ipynb") == [
        "the set-up cell has not been run: re-run the notebook (scripts/run_notebooks.py)"
    ]


@pytest.mark.slow  # a subprocess
def test_the_check_mode_fails_until_the_repository_is_stamped(tmp_path: Path) -> None:
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.optloop]\nrepository = "o/r"\nref = "v1.0"\n')
    (tmp_path / "README.md").write_text("# R\n\n<!-- notebooks:start -->\n<!-- notebooks:end -->\n\nEnd.\n")
    nbformat.write(_sample(), tmp_path / "notebooks" / "03_z.ipynb")
    script = [sys.executable, str(ROOT / "scripts" / "stamp_notebooks.py"), "--root", str(tmp_path)]

    checked = subprocess.run([*script, "--check"], capture_output=True, text=True)
    assert checked.returncode == 1
    assert "03_z.ipynb (badge or Colab set-up cell missing or out of date)" in checked.stdout
    assert "README.md" in checked.stdout

    assert subprocess.run(script, capture_output=True, text=True).returncode == 0
    readme = (tmp_path / "README.md").read_text()
    assert readme.startswith("# R\n\n<!-- notebooks:start -->") and readme.endswith("<!-- notebooks:end -->\n\nEnd.\n")
    assert "| [03_z](notebooks/03_z.ipynb) | Zero the gradients |" in readme
    assert "https://mybinder.org/v2/gh/o/r/v1.0?urlpath=lab/tree/notebooks" in readme
    # only the set-up cell's execution count is missing now (a real run would add it)
    assert "set-up cell has not been run" in subprocess.run([*script, "--check"], capture_output=True, text=True).stdout


def test_the_readme_block_is_appended_when_its_markers_are_missing() -> None:
    assert stamping.stamp_readme("# R\n", "<!-- notebooks:start -->\nT\n<!-- notebooks:end -->") == (
        "# R\n\n<!-- notebooks:start -->\nT\n<!-- notebooks:end -->\n"
    )


# --- the committed notebooks and README -------------------------------------------------------------------


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_every_notebook_agrees_with_the_setting(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    found = stamping.problems(nb, SETTINGS, f"notebooks/{path.name}")
    assert not found, f"{path.name}: {'; '.join(found)}: {FIX}"
    assert nb.cells[0].source == stamping.badge_markdown(SETTINGS, f"notebooks/{path.name}")
    first_code = next(cell for cell in nb.cells if cell.cell_type == "code")
    assert first_code.source == stamping.setup_source(SETTINGS) and first_code.outputs == []


def test_the_readme_table_lists_every_notebook_with_its_badge() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = stamping.readme_table(SETTINGS, NOTEBOOKS)
    assert block in readme, f"README.md's notebook table is out of date: {FIX}"
    for path in NOTEBOOKS:
        assert stamping.badge_markdown(SETTINGS, f"notebooks/{path.name}") in block
    assert f"[![Binder](https://mybinder.org/badge_logo.svg)]({SETTINGS.binder_url})" in readme
