"""The Colab-like and minimum-versions environments, packaging, conda/Binder's environment.yml and the CI workflow.

`make colab-test` and `make min-test` (both part of `make test`) run the package's unit tests and nbval again in
.venv-colab (requirements/colab-constraints.txt: Google Colab's published versions, the same torch) and .venv-min
(requirements/min-constraints.txt: the lowest versions pyproject.toml promises). Tests marked ``repo`` check files
and run in the main environment only; the others run in all three.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
IN_COLAB_LIKE_ENV = os.environ.get("OPTLOOP_ENV") == "colab"
IN_MIN_ENV = os.environ.get("OPTLOOP_ENV") == "min"
repo = pytest.mark.repo


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", line.strip())
        if match:
            pins[match[1].lower().replace("_", "-")] = match[2]
    return pins


MAIN = _pins(ROOT / "requirements" / "constraints.txt")
COLAB = _pins(ROOT / "requirements" / "colab-constraints.txt")
MINIMUM = _pins(ROOT / "requirements" / "min-constraints.txt")
# Google Colab's runtime (googlecolab/backend-info, pip-freeze.gpu.txt, February 2026): the widget and plot stack.
COLAB_PUBLISHED = {
    "ipywidgets": "7.7.1", "ipython": "7.34.0", "ipykernel": "6.17.1", "traitlets": "5.7.1", "matplotlib": "3.10.0",
    "numpy": "2.0.2", "notebook": "6.5.7", "jupyter-client": "7.4.9", "widgetsnbextension": "3.6.10",
    "jupyterlab-widgets": "3.0.16", "matplotlib-inline": "0.2.1",
}


def _lower_bounds() -> dict[str, str]:
    with open(ROOT / "pyproject.toml", "rb") as file:
        dependencies = tomllib.load(file)["project"]["dependencies"]
    return dict(dep.split(">=") for dep in dependencies)


def _same_version(a: str, b: str) -> bool:
    """2.6 and 2.6.0 are the same version."""
    pad = lambda text: tuple(int(part) for part in text.split("+")[0].split(".")) + (0,) * 3  # noqa: E731
    return pad(a)[:4] == pad(b)[:4]


def _makefile_rule(target: str) -> str:
    text = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{re.escape(target)}:.*?(?=^\S|\Z)", text, flags=re.M | re.S)
    assert match, f"the Makefile has no {target!r} target"
    return match[0]


# --- the Colab-like environment ----------------------------------------------------------------------------


@repo
def test_the_colab_constraints_pin_colab_s_published_versions_and_the_same_torch() -> None:
    for package, published in COLAB_PUBLISHED.items():
        assert COLAB[package] == published, f"{package}: Colab has {published}, the constraints say {COLAB[package]}"
    assert COLAB["torch"] == MAIN["torch"], "the Colab-like environment must test the same torch"
    header = (ROOT / "requirements" / "colab-constraints.txt").read_text().split("\n\n")[0]
    assert "googlecolab/backend-info" in header and "February 2026" in header, "say where the pins come from, dated"
    assert "What differs from Colab, and why" in (ROOT / "requirements" / "colab-constraints.txt").read_text()


@repo
def test_the_minimum_constraints_pin_pyproject_s_lower_bounds() -> None:
    bounds = _lower_bounds()
    assert set(bounds) == {"torch", "numpy", "matplotlib", "ipywidgets"}
    for package, low in bounds.items():
        assert _same_version(MINIMUM[package], low), f"{package}: pyproject says >={low}, .venv-min has {MINIMUM[package]}"


@repo
def test_make_test_runs_the_colab_like_and_the_minimum_environments_too() -> None:
    rules = "\n".join(_makefile_rule(target) for target in ("test", "other-envs", "other-tests"))
    for target in ("colab-setup", "min-setup", "colab-test", "min-test", "browser", "main-tests"):
        assert f" {target}" in rules, target
    for target, constraints in (("$(COLAB_VENV)/.installed", "colab-constraints"), ("$(MIN_VENV)/.installed", "min-constraints")):
        assert f"-c requirements/{constraints}.txt" in _makefile_rule(target)
    for target in ("colab-test", "min-test"):
        rule = _makefile_rule(target)
        assert "--doctest-modules optloop_helpers tests" in rule and "--nbval" in rule
        assert '-m "not browser and not repo"' in rule, "the repository's own files are checked once, in .venv"


@repo
def test_nbval_leaves_the_unexecuted_student_versions_out() -> None:
    for target in ("nbval", "colab-test", "min-test"):
        assert "--ignore=notebooks/student" in _makefile_rule(target), target


@repo
def test_make_check_runs_lint_and_the_unit_tests_without_notebooks_or_a_browser() -> None:
    rule = _makefile_rule("check")
    assert rule.startswith("check: lint")
    assert '-m "not browser and not slow"' in rule and "--nbval" not in rule


@pytest.mark.skipif(not IN_COLAB_LIKE_ENV, reason="runs in the Colab-like environment (make colab-test)")
def test_this_is_really_the_colab_like_environment() -> None:
    for package, published in COLAB_PUBLISHED.items():
        assert version(package) == published, package
    assert version("torch").split("+")[0] == MAIN["torch"]


@pytest.mark.skipif(not IN_MIN_ENV, reason="runs in the minimum-versions environment (make min-test)")
def test_this_is_really_the_minimum_versions_environment() -> None:
    for package, low in _lower_bounds().items():
        assert _same_version(version(package), low), f"{package} {version(package)} is not pyproject's >={low}"


def test_installing_the_package_over_colab_s_packages_changes_nothing_else(tmp_path: Path) -> None:
    """What the Colab set-up cell's pip install would do here: install the package and touch nothing else.

    In the Colab-like environment this shows that the package accepts Colab's torch and ipywidgets 7 as they are.
    """
    project = tmp_path / "optloop"
    shutil.copytree(ROOT / "optloop_helpers", project / "optloop_helpers", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, project / name)
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--no-index", "--no-build-isolation"]
    done = subprocess.run([*command, "--report", str(report), str(project)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    installs = [item["metadata"]["name"] for item in json.loads(report.read_text())["install"]]
    assert installs == ["optloop-helpers"], f"installing the package would also install {installs}"


def test_the_installed_package_holds_every_subpackage(tmp_path: Path) -> None:
    """Colab installs a wheel, not the source tree: it must hold the checks and the interactive tools too.

    Building it prints no deprecation warning (project.license is an SPDX string, which needs setuptools>=77).
    """
    project = tmp_path / "optloop"
    shutil.copytree(ROOT / "optloop_helpers", project / "optloop_helpers", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, project / name)
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-index", "--no-build-isolation", "--quiet"]
    done = subprocess.run([*command, "--wheel-dir", str(tmp_path / "dist"), str(project)], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "deprecated" not in (done.stdout + done.stderr).lower(), done.stdout + done.stderr
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    metadata = zipfile.ZipFile(wheel).read(f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info/METADATA")
    assert b"License-Expression: MIT" in metadata
    packaged = {name for name in zipfile.ZipFile(wheel).namelist() if name.endswith(".py")}
    expected = {path.relative_to(ROOT).as_posix() for path in (ROOT / "optloop_helpers").rglob("*.py")}
    assert expected <= packaged, f"missing from the wheel: {sorted(expected - packaged)}"


@repo
def test_the_license_is_an_spdx_string_built_by_a_setuptools_that_reads_it() -> None:
    with open(ROOT / "pyproject.toml", "rb") as file:
        pyproject = tomllib.load(file)
    assert pyproject["project"]["license"] == "MIT"
    assert pyproject["build-system"]["requires"] == ["setuptools>=77"]
    for pins in (MAIN, COLAB, MINIMUM):
        assert int(pins["setuptools"].split(".")[0]) >= 77


@repo
def test_the_main_environment_is_not_the_colab_one() -> None:
    if IN_COLAB_LIKE_ENV:
        pytest.skip("this is the Colab-like environment")
    assert not COLAB["ipywidgets"].startswith(MAIN["ipywidgets"].split(".")[0] + "."), "nothing different to test"


# --- conda and Binder ----------------------------------------------------------------------------------------


@repo
def test_environment_yml_follows_conda_and_repo2docker_conventions() -> None:
    path = ROOT / "environment.yml"
    env = yaml.safe_load(path.read_text())
    assert env["name"] == "optloop"
    assert env["channels"] == ["conda-forge"]
    conda = [dep for dep in env["dependencies"] if isinstance(dep, str)]
    assert "python=3.11" in conda and "pip" in conda
    pip = next(dep["pip"] for dep in env["dependencies"] if isinstance(dep, dict))
    assert "-e ." in pip, "the helper package is installed from the repository itself"
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in pip
    assert f"torch=={MAIN['torch']}" in pip
    assert "CPU-only torch" in path.read_text()
    for entry in pip:  # each pip line is an option, the repository itself, or a valid requirement
        if entry.startswith("--"):
            option, url = entry.split()
            assert option == "--extra-index-url" and url.startswith("https://"), entry
        elif entry != "-e .":
            Requirement(entry)  # raises InvalidRequirement on a typo
    for spec in conda:  # conda's MatchSpec: a name, then an optional version constraint
        assert re.fullmatch(r"[a-z0-9_.-]+((=|==|>=|<=|>|<)[0-9][0-9a-z.*]*)?", spec), spec


@repo
def test_the_readme_has_the_binder_badge_and_the_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "https://mybinder.org/badge_logo.svg" in readme
    assert "make test" in readme


# --- GitHub Actions ------------------------------------------------------------------------------------------


WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _workflow(name: str) -> dict:
    """A workflow read as GitHub reads it, checked for the shape every workflow must have: triggers, and jobs
    that each run on a runner with steps that each either use an action (at a version) or run a command."""
    path = ROOT / ".github" / "workflows" / name
    assert path.exists(), f"no .github/workflows/{name}"
    workflow = yaml.safe_load(path.read_text())
    assert isinstance(workflow, dict) and workflow.get("name"), f"{name}: a mapping with a name"
    workflow["on"] = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert workflow["on"], f"{name}: no triggers"
    for job_name, job in workflow["jobs"].items():
        assert job.get("runs-on") and job.get("steps"), f"{name}: job {job_name} needs runs-on and steps"
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), f"{name}: {job_name} step {step} needs uses or run"
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", step["uses"]), f"{name}: unpinned {step['uses']}"
    return workflow


@repo
@pytest.mark.parametrize("path", WORKFLOWS, ids=[path.name for path in WORKFLOWS])
def test_every_workflow_has_the_shape_github_runs(path: Path) -> None:
    _workflow(path.name)


@repo
def test_the_workflow_is_valid_yaml_that_runs_the_readme_test_command() -> None:
    workflow = _workflow("test.yml")
    assert {"push", "pull_request"} <= set(workflow["on"])
    steps = workflow["jobs"]["test"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert any(step.get("uses", "").startswith("actions/checkout@") for step in steps)
    assert any("apt-get install" in run and "chromium" in run for run in runs)
    assert any(run.strip() == "make test" for run in runs)
    assert runs.index(next(run for run in runs if "chromium" in run)) < runs.index("make test")


def test_the_pages_workflow_publishes_make_site_from_the_default_branch() -> None:
    workflow = _workflow("pages.yml")
    assert workflow["on"]["push"]["branches"] == ["main"] and "pull_request" not in workflow["on"]
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    uses = [step.get("uses", "").split("@")[0] for step in build["steps"]]
    runs = [step.get("run", "").strip() for step in build["steps"]]
    assert "actions/checkout" in uses and "make site" in runs
    upload = next(step for step in build["steps"] if step.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "site", "the artifact is what `make site` builds"
    assert runs.index("make site") < uses.index("actions/upload-pages-artifact")
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert "default_branch" in deploy["if"], "only the default branch deploys"
    assert [step["uses"].split("@")[0] for step in deploy["steps"]] == ["actions/deploy-pages"]
