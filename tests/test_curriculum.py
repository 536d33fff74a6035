"""Every curriculum notebook (00-08) has the parts the series promises, in the shape the tools rely on.

Title, 2-4 learning objectives, the loop diagram, a seeded set-up cell with the device, the numbered
step comments spelled exactly, a "what goes wrong" section, a "Your turn" exercise whose hidden
solution is followed by a ``check_*`` cell, key points, and a link to the next notebook.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

import optloop_helpers

# The repository's own files, the same in every environment: only the main one runs these
# (`make colab-test` and `make min-test` leave them out).
pytestmark = pytest.mark.repo

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
CURRICULUM = sorted(p for p in NOTEBOOKS.glob("*.ipynb") if p.name[:2].isdigit() and int(p.name[:2]) <= 8)

STEP_COMMENTS = {
    "# 1. Forward pass",
    "# 2. Calculate the loss",
    "# 3. Zero the gradients",
    "# 4. Backpropagation",
    "# 5. Step the optimizer",
    "# 1. Evaluation mode and inference mode",
    "# 2. Forward pass on the test data and the test loss",
    "# 3. Other evaluation metrics (and print what is happening)",
}
NUMBERED_COMMENT = re.compile(r"#\s*\d\.\s.*")


# cells that scripts/stamp_notebooks.py adds (the Colab badge and the Colab-only set-up cell)
STAMPED = {"colab-badge", "colab-setup"}


def read(path: Path) -> nbformat.NotebookNode:
    """The notebook without the stamped Colab cells."""
    nb = nbformat.read(path, as_version=4)
    nb.cells = [cell for cell in nb.cells if not STAMPED & set(cell.metadata.get("tags", []))]
    return nb


def markdown(nb: nbformat.NotebookNode) -> str:
    return "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")


def code(nb: nbformat.NotebookNode) -> list[str]:
    return [cell.source for cell in nb.cells if cell.cell_type == "code"]


def test_there_are_nine_curriculum_notebooks():
    assert [p.name[:2] for p in CURRICULUM] == [f"{n:02d}" for n in range(9)]


@pytest.mark.parametrize("path", CURRICULUM, ids=lambda p: p.name)
def test_header_has_title_objectives_and_the_loop(path):
    nb = read(path)
    first = nb.cells[0].source
    assert first.startswith(f"# {int(path.name[:2])}. "), "the first cell starts with the numbered title"
    objectives = first.split("**You will:**", 1)[1].split("\n\n", 1)[0]
    assert 2 <= objectives.count("\n- ") <= 4, "2-4 learning objectives"
    assert "| Training loop | Testing loop |" in first, "the loop diagram"
    assert "5. Step the optimizer" in first


@pytest.mark.parametrize("path", CURRICULUM, ids=lambda p: p.name)
def test_set_up_cell_imports_seeds_and_picks_the_device(path):
    set_up = code(read(path))[0]
    assert "import torch" in set_up
    assert "torch.manual_seed(42)" in set_up
    assert "get_device()" in set_up


@pytest.mark.parametrize("path", CURRICULUM, ids=lambda p: p.name)
def test_numbered_step_comments_are_spelled_exactly(path):
    for source in code(read(path)):
        for line in source.splitlines():
            comment = NUMBERED_COMMENT.search(line)
            if comment:
                text = comment.group(0).split(" -- ")[0].rstrip()
                assert text in STEP_COMMENTS, f"{path.name}: unexpected step comment {text!r}"


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.name)
def test_the_testing_loops_step_3_has_the_articles_name(path):
    """Step 3 of the testing loop is "other evaluation metrics", as in the article, in every table and loop."""
    nb = read(path)
    text = markdown(nb) + "\n".join(code(nb))
    assert "Print what is happening" not in text
    if "| Testing loop |" in text:
        assert "3. Other evaluation metrics" in text


@pytest.mark.parametrize("path", CURRICULUM, ids=lambda p: p.name)
def test_what_goes_wrong_exercise_key_points_and_next(path):
    nb = read(path)
    text = markdown(nb)
    assert "## What goes wrong without" in text
    assert "## Your turn" in text
    assert "## Key points" in text
    number = int(path.name[:2])
    links = re.findall(r"\*\*Next:\*\* \[[^\]]+\]\(([^)]+)\)", text)
    assert len(links) == 1, "one link to the next notebook"
    assert links[0].startswith(f"{number + 1:02d}_")
    if number < 8:
        assert (NOTEBOOKS / links[0]).exists(), f"{links[0]} does not exist"


@pytest.mark.parametrize("path", CURRICULUM, ids=lambda p: p.name)
def test_exercises_hide_the_solution_and_check_it(path):
    cells = read(path).cells
    solutions = [i for i, cell in enumerate(cells) if "solution" in cell.metadata.get("tags", [])]
    assert solutions, "at least one exercise"
    for i in solutions:
        assert cells[i].cell_type == "code"
        assert cells[i].metadata.get("jupyter", {}).get("source_hidden") is True, "the solution starts hidden"
        assert cells[i].source.startswith("def "), "the learner writes a function"
        check = cells[i + 1]
        assert "check" in check.metadata.get("tags", [])
        name = re.match(r"(check_\w+)\(", check.source).group(1)
        assert callable(getattr(optloop_helpers, name))
        assert "✅" in str(check.outputs[0]["data"]["text/plain"]), "the worked answer passes its own check"
