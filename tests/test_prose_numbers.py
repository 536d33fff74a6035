"""Prose and code never disagree: every number the markdown of a notebook mentions must be a number its code
uses or its outputs print (a claim cell's ``assert`` counts: that is where a derived number is checked).

A learning rate, an epoch count, a weight, a bias, a split size or a final loss written in the prose is
looked up (rounded to 4 places, sign ignored) among the numbers in the notebook's code cells and text
outputs. Change ``lr=0.01`` to ``lr=0.1`` in the code, or re-run after a change that moves a printed loss,
and the prose that still says the old number fails this test.

Not checked: single-digit whole numbers written without a decimal point (step numbers "1." to "5.",
notebook numbers, "two calls"), link targets, and the notebook numbers of titles and of links to notebooks.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

# The repository's own files, the same in every environment: only the main one runs these
# (`make colab-test` and `make min-test` leave them out).
pytestmark = pytest.mark.repo

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
CURRICULUM = [f"{n:02d}_" for n in range(9)]  # notebooks 00-08

NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w])")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
TITLE_NUMBER = re.compile(r"^# \d+\. ", flags=re.MULTILINE)  # "# 12. Optimizers compared"
NOTEBOOK_LINK = re.compile(r"\[\d+\. ([^\]]*)\]\(\d\d_[^)]*\.ipynb\)")  # "[11. Other use cases](11_...ipynb)"


def numbers_in(text: str) -> list[str]:
    """Every number written in ``text``, as written (``"0.7"``, ``"-0.3900"``, ``"300"``); not ``L1`` or ``float32``.

    >>> numbers_in("lr=0.01 for 300 epochs: L1 loss -0.3900, shape (40, 1), float32, step 5.")
    ['0.01', '300', '-0.3900', '40', '1', '5']
    """
    return [match.rstrip(".") for match in NUMBER.findall(text)]


def value(number: str) -> float:
    return round(abs(float(number)), 4)


def needs_checking(number: str) -> bool:
    """Single-digit whole numbers (step and notebook numbers, small counts) are not checked."""
    return "." in number or len(number.lstrip("-")) > 1


def prose_and_code(nb: nbformat.NotebookNode) -> tuple[str, str]:
    """The markdown (without link targets), and the code plus every text output, of a notebook."""
    prose, code = [], []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            text = TITLE_NUMBER.sub("# ", NOTEBOOK_LINK.sub(r"[\1]()", cell.source))
            prose.append(LINK_TARGET.sub("]", text))
        elif cell.cell_type == "code":
            code.append(cell.source)
            for output in cell.get("outputs", []):
                code.append(output.get("text", ""))
                code.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(prose), "\n".join(code)


def drifted_numbers(nb: nbformat.NotebookNode) -> list[str]:
    """The numbers the prose mentions that neither the code nor its outputs contain."""
    prose, code = prose_and_code(nb)
    known = {value(n) for n in numbers_in(code)}
    return sorted({n for n in numbers_in(prose) if needs_checking(n) and value(n) not in known})


def curriculum_notebooks() -> list[Path]:
    return sorted(p for p in NOTEBOOKS.glob("*.ipynb") if p.name[:3] in CURRICULUM)


def all_notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def test_the_curriculum_is_all_there():
    assert [p.name[:2] for p in curriculum_notebooks()] == [f"{n:02d}" for n in range(9)]


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: p.name)
def test_every_number_in_the_prose_is_in_the_code_or_its_outputs(path):
    nb = nbformat.read(path, as_version=4)
    assert drifted_numbers(nb) == [], f"{path.name}: the prose mentions numbers the code does not use or print"


def make_notebook(markdown: str, code: str, output: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(code)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=output)]
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown), cell])


def test_a_changed_learning_rate_is_caught():
    nb = make_notebook("We train with learning rate 0.01 for 300 epochs.", "lr = 0.1\nepochs = 300", "")
    assert drifted_numbers(nb) == ["0.01"]


def test_a_changed_final_loss_is_caught():
    nb = make_notebook("The loss ends at 0.0089 and the bias at 0.3093.", "print(loss)", "0.0026\nbias 0.3093\n")
    assert drifted_numbers(nb) == ["0.0089"]


def test_notebook_numbers_in_titles_and_links_are_not_claims():
    nb = make_notebook("# 12. Optimizers\n**Next:** [11. Other use cases](11_other_use_cases.ipynb), or "
                       "[09. The playground](09_p.ipynb); 12 epochs", "", "")
    assert drifted_numbers(nb) == ["12"]  # only the "12 epochs" of the prose


def test_matching_numbers_pass_whatever_their_written_form():
    nb = make_notebook(
        "Weight 0.7, bias 0.3, 40 training points, gradient -0.39 [next](09_playground.ipynb), steps 1. to 5.",
        "make_line_data(weight=0.7, bias=0.3)",
        "train=40 points\ngrad -0.3900\n",
    )
    assert drifted_numbers(nb) == []
