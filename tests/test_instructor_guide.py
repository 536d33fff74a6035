"""docs/instructor-guide.md covers every notebook: objectives, notes, mistakes and both schedules."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

# The repository's own files, the same in every environment: only the main one runs these
# (`make colab-test` and `make min-test` leave them out).
pytestmark = pytest.mark.repo

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "instructor-guide.md"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SCHEDULES = {"3-hour workshop": 180, "90-minute version": 90}


def _text() -> str:
    assert GUIDE.exists(), "docs/instructor-guide.md is missing"
    return GUIDE.read_text(encoding="utf-8")


def _section(text: str, heading: str) -> str:
    """The body under a markdown heading (any level), up to the next heading of the same or a higher level."""
    match = re.search(rf"^(#+) {re.escape(heading)}\s*$", text, flags=re.M)
    assert match, f"the instructor guide has no heading {heading!r}"
    level = len(match[1])
    end = re.search(rf"^#{{1,{level}}} ", text[match.end() :], flags=re.M)
    return text[match.end() : match.end() + end.start()] if end else text[match.end() :]


def _title(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("# "):
            return re.sub(r"^\d+\.\s+", "", cell.source.splitlines()[0][2:].strip())
    raise AssertionError(f"{path.name} has no title")


def _schedule(text: str, name: str) -> dict[str, tuple[int, int, int]]:
    rows = {}
    for line in _section(text, name).splitlines():
        cells = [cell.strip().strip("*") for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and all(re.fullmatch(r"\d+", cell) for cell in cells[1:]):
            rows[cells[0]] = tuple(int(cell) for cell in cells[1:])
    return rows


@pytest.mark.parametrize(
    "heading",
    [
        "Audience",
        "Prerequisites",
        "Objectives and notes, notebook by notebook",
        "Schedule",
        "Room set-up checklist",
        "How to reset a notebook",
    ],
)
def test_the_guide_has_every_part(heading: str) -> None:
    assert _section(_text(), heading).strip(), f"the {heading!r} section is empty"


def test_there_are_notebooks_to_cover() -> None:
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_every_notebook_has_objectives_teaching_notes_and_mistakes_to_watch_for(path: Path) -> None:
    heading = f"{path.stem}: {_title(path)}"
    body = _section(_text(), heading)
    for part in ("**Objectives**", "**Teaching notes**", "**Watch for**"):
        assert part in body, f"the guide's section {heading!r} has no {part}"
        after = body.split(part, 1)[1].lstrip("\n")
        assert after.startswith("- "), f"{heading!r}: {part} must be followed by a list"


@pytest.mark.parametrize(("name", "minutes"), SCHEDULES.items())
def test_each_schedule_gives_minutes_to_every_notebook_and_adds_up(name: str, minutes: int) -> None:
    rows = _schedule(_text(), name)
    missing = [path.stem for path in NOTEBOOKS if path.stem not in rows]
    assert not missing, f"the {name} schedule has no row for {', '.join(missing)}"
    total = rows.pop("Total")
    for part, (teaching, exercises, row_total) in rows.items():
        assert teaching + exercises == row_total, f"{name}, {part}: {teaching} + {exercises} != {row_total}"
    assert tuple(map(sum, zip(*rows.values(), strict=True))) == total, f"the {name} schedule's Total row is wrong"
    assert total[2] == minutes, f"the {name} schedule lasts {total[2]} minutes, expected {minutes}"


def test_the_room_checklist_covers_every_route() -> None:
    checklist = _section(_text(), "Room set-up checklist")
    for route in ("Google Colab", "make lab", "conda", "Binder", "JupyterHub", "environment.yml"):
        assert route in checklist, f"the room set-up checklist does not mention {route}"
