"""Every way into a workshop is documented where people look: the doctor, Kaggle, JupyterHub, Binder, forks.

The GitHub issue templates are valid issue forms that ask for the doctor's output.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

# The repository's own files, the same in every environment: only the main one runs these
# (`make colab-test` and `make min-test` leave them out).
pytestmark = pytest.mark.repo

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
GUIDE = (ROOT / "docs" / "instructor-guide.md").read_text(encoding="utf-8")
TEMPLATES = sorted((ROOT / ".github" / "ISSUE_TEMPLATE").glob("*.yml"))
DOCTOR = "python -m optloop_helpers.doctor"


def _section(text: str, heading: str) -> str:
    match = re.search(rf"^(#+) {re.escape(heading)}\s*$", text, flags=re.M)
    assert match, f"no heading {heading!r}"
    end = re.search(rf"^#{{1,{len(match[1])}}} ", text[match.end():], flags=re.M)
    return text[match.end(): match.end() + end.start()] if end else text[match.end():]


def test_the_readme_troubleshooting_and_the_guide_s_room_checklist_use_the_doctor() -> None:
    assert DOCTOR in _section(README, "Is my environment ready?")
    assert "doctor" in _section(README, "Troubleshooting")
    assert DOCTOR in _section(GUIDE, "Room set-up checklist")


def test_the_readme_says_the_one_command_that_re_stamps_a_fork() -> None:
    fork = _section(README, "Using a fork")
    assert "optloop/optloop" in fork and "[tool.optloop]" in fork
    assert "```bash\nmake stamp\n```" in fork


def test_the_readme_and_the_guide_cover_kaggle_jupyterhub_and_binder() -> None:
    ways_in = _section(README, "Other ways in")
    for route in ("Kaggle", "make hub-link HUB=", "Binder"):
        assert route in ways_in, route
    checklist = _section(GUIDE, "Room set-up checklist")
    for route in ("**Kaggle**", "**JupyterHub**", "make hub-link HUB=", "nbgitpuller", "**Binder**"):
        assert route in checklist, route


def test_the_guide_states_binder_s_limits_and_what_to_do() -> None:
    binder = _section(GUIDE, "Room set-up checklist").split("**Binder**", 1)[1]
    for limit in ("1 GB", "2 GB", "10 minutes of inactivity", "100 people"):
        assert limit in binder, limit
    assert "Download" in binder and "quota" in binder


def test_the_guide_says_how_to_pin_colab_and_which_test_fails_first_when_it_moves() -> None:
    colab = _section(GUIDE, "Pinning Colab for a workshop date, and when Colab moves")
    assert "googlecolab/backend-info" in colab and "Runtime version" in colab
    test = re.search(r"tests/test_colab_environment\.py::(\w+)", colab)
    assert test, "name the test that fails first"
    assert f"def {test[1]}(" in (ROOT / "tests" / "test_colab_environment.py").read_text()


def test_there_are_issue_templates() -> None:
    assert TEMPLATES, "no issue templates in .github/ISSUE_TEMPLATE/"


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: path.name)
def test_each_issue_template_is_a_valid_form(path: Path) -> None:
    form = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(form, dict), path.name
    if path.name == "config.yml":
        assert isinstance(form.get("blank_issues_enabled"), bool)
        return
    assert isinstance(form["name"], str) and form["name"]
    assert isinstance(form["description"], str) and form["description"]
    ids = []
    for item in form["body"]:
        assert item["type"] in {"markdown", "textarea", "input", "dropdown", "checkboxes"}, item
        assert isinstance(item["attributes"], dict)
        if item["type"] == "markdown":
            assert item["attributes"]["value"].strip()
            continue
        ids.append(item["id"])
        assert item["attributes"]["label"].strip()
        if item["type"] == "dropdown":
            assert item["attributes"]["options"], item["id"]
    assert len(ids) == len(set(ids)), f"{path.name}: ids must be unique"


@pytest.mark.parametrize("path", [path for path in TEMPLATES if path.name != "config.yml"], ids=lambda path: path.name)
def test_each_issue_template_asks_for_the_doctor_s_output(path: Path) -> None:
    form = yaml.safe_load(path.read_text(encoding="utf-8"))
    doctor = next(item for item in form["body"] if item.get("id") == "doctor")
    assert doctor["type"] == "textarea" and DOCTOR in doctor["attributes"]["label"]
    assert doctor["validations"]["required"] is True
