"""The Colab-like test environment, conda/Binder's environment.yml and the GitHub Actions workflow.

`make colab-test` (part of `make test`) runs the unit tests and nbval again in .venv-colab, built from
requirements/colab-constraints.txt: ipywidgets 7.8 and matplotlib 3.8 as on Google Colab, the same torch.
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

ROOT = Path(__file__).resolve().parent.parent
IN_COLAB_LIKE_ENV = os.environ.get("OPTLOOP_ENV") == "colab"


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", line.strip())
        if match:
            pins[match[1].lower().replace("_", "-")] = match[2]
    return pins


MAIN = _pins(ROOT / "requirements" / "constraints.txt")
COLAB = _pins(ROOT / "requirements" / "colab-constraints.txt")


def _makefile_rule(target: str) -> str:
    text = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{re.escape(target)}:.*?(?=^\S|\Z)", text, flags=re.M | re.S)
    assert match, f"the Makefile has no {target!r} target"
    return match[0]


# --- the Colab-like environment ----------------------------------------------------------------------------


def test_the_colab_constraints_pin_colab_versions_and_the_same_torch() -> None:
    assert re.fullmatch(r"7\.8\.\d+", COLAB["ipywidgets"]), COLAB["ipywidgets"]
    assert re.fullmatch(r"3\.8\.\d+", COLAB["matplotlib"]), COLAB["matplotlib"]
    assert COLAB["torch"] == MAIN["torch"], "the Colab-like environment must test the same torch"
    assert COLAB["widgetsnbextension"].startswith("3.6."), "ipywidgets 7.8 goes with widgetsnbextension 3.6"


def test_make_test_runs_the_colab_like_environment_too() -> None:
    assert "colab-test" in _makefile_rule("test").split(":", 1)[1].split()
    rule = _makefile_rule("$(COLAB_VENV)/.installed")
    assert "-c requirements/colab-constraints.txt" in rule
    colab_test = _makefile_rule("colab-test")
    assert "--doctest-modules optloop_helpers tests" in colab_test and "--nbval" in colab_test


def test_nbval_leaves_the_unexecuted_student_versions_out() -> None:
    for target in ("nbval", "colab-test"):
        assert "--ignore=notebooks/student" in _makefile_rule(target), target


@pytest.mark.skipif(not IN_COLAB_LIKE_ENV, reason="runs in the Colab-like environment (make colab-test)")
def test_this_is_really_the_colab_like_environment() -> None:
    for package in ("ipywidgets", "matplotlib", "numpy", "widgetsnbextension"):
        assert version(package) == COLAB[package], package
    assert version("torch").split("+")[0] == MAIN["torch"]


def test_installing_the_package_over_colab_s_packages_changes_nothing_else(tmp_path: Path) -> None:
    """What the Colab set-up cell's pip install would do here: install the package and touch nothing else.

    In the Colab-like environment this shows that the package accepts Colab's torch and ipywidgets 7 as they are.
    """
    project = tmp_path / "optloop"
    shutil.copytree(ROOT / "optloop_helpers", project / "optloop_helpers", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, project / name)
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--no-index", "--no-build-isolation"]
    done = subprocess.run([*command, "--report", str(report), str(project)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    installs = [item["metadata"]["name"] for item in json.loads(report.read_text())["install"]]
    assert installs == ["optloop-helpers"], f"installing the package would also install {installs}"


def test_the_installed_package_holds_every_subpackage(tmp_path: Path) -> None:
    """Colab installs a wheel, not the source tree: it must hold the checks and the interactive tools too."""
    project = tmp_path / "optloop"
    shutil.copytree(ROOT / "optloop_helpers", project / "optloop_helpers", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, project / name)
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-index", "--no-build-isolation", "--quiet"]
    done = subprocess.run([*command, "--wheel-dir", str(tmp_path / "dist"), str(project)], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    packaged = {name for name in zipfile.ZipFile(wheel).namelist() if name.endswith(".py")}
    expected = {path.relative_to(ROOT).as_posix() for path in (ROOT / "optloop_helpers").rglob("*.py")}
    assert expected <= packaged, f"missing from the wheel: {sorted(expected - packaged)}"


def test_the_main_environment_is_not_the_colab_one() -> None:
    if IN_COLAB_LIKE_ENV:
        pytest.skip("this is the Colab-like environment")
    assert not COLAB["ipywidgets"].startswith(MAIN["ipywidgets"].split(".")[0] + "."), "nothing different to test"


# --- conda and Binder ----------------------------------------------------------------------------------------


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


@pytest.mark.parametrize("path", WORKFLOWS, ids=[path.name for path in WORKFLOWS])
def test_every_workflow_has_the_shape_github_runs(path: Path) -> None:
    _workflow(path.name)


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
