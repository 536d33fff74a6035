"""Every quantitative claim in a notebook's prose is asserted by a hidden "claims" cell, so nbval fails the day one
stops being true.

A claims cell is a code cell tagged ``claims`` that follows the prose it checks. It starts collapsed (the reader
does not need it), prints nothing (so nbval compares an empty output), and is kept in the student versions, where
it must not depend on an exercise the learner has not written yet.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

# The repository's own files, the same in every environment: only the main one runs these
# (`make colab-test` and `make min-test` leave them out).
pytestmark = pytest.mark.repo

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
TAG = "claims"
HEADER = "# Claims the text above makes, checked: nbval fails if one stops being true."


def claims_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in nb.cells if TAG in cell.metadata.get("tags", [])]


def solution_names(nb: nbformat.NotebookNode) -> set[str]:
    """The functions the learner writes (the ``solution`` cells' top-level definitions)."""
    names: set[str] = set()
    for cell in nb.cells:
        if "solution" in cell.metadata.get("tags", []):
            tree = ast.parse(cell.source)
            names |= {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
            names |= {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets
                      if isinstance(t, ast.Name)}
    return names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_asserts_the_claims_of_its_prose(path):
    nb = nbformat.read(path, as_version=4)
    cells = claims_cells(nb)
    assert cells, f"{path.name}: no claims cell"
    exercise_names = solution_names(nb)
    for cell in cells:
        assert cell.cell_type == "code"
        assert cell.source.startswith(HEADER), f"{path.name}: a claims cell starts with {HEADER!r}"
        tree = ast.parse(cell.source)
        asserts = [node for node in ast.walk(tree) if isinstance(node, ast.Assert)]
        assert asserts, f"{path.name}: a claims cell asserts something"
        assert all(node.msg is not None for node in asserts), f"{path.name}: every assert says which claim it checks"
        used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        assert not used & exercise_names, f"{path.name}: a claims cell must not use the learner's {used & exercise_names}"
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, f"{path.name}: claims cells start hidden"
        assert cell.get("outputs", []) == [], f"{path.name}: a claims cell prints nothing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_student_versions_keep_the_claims_cells(path):
    student = nbformat.read(path.parent / "student" / path.name, as_version=4)
    teaching = nbformat.read(path, as_version=4)
    assert [c.source for c in claims_cells(student)] == [c.source for c in claims_cells(teaching)]


def test_a_claims_cell_fails_when_its_claim_stops_being_true():
    """The mechanism itself: a claim cell is plain Python, so a false claim raises (and nbval reports the cell)."""
    source = f"{HEADER}\nfinal_loss = 0.0026\nassert round(final_loss, 4) == 0.0089, 'the text says 0.0089'"
    with pytest.raises(AssertionError, match="the text says 0.0089"):
        exec(compile(source, "claims", "exec"), {})
