"""Student versions (notebooks/student/) are generated from the teaching notebooks and kept up to date.

Each solution cell becomes a stub that raises ``NotImplementedError("Your turn: …")``; executing a student
notebook may raise that error in its exercise cells and nowhere else (the checks fail politely instead).
"""

from __future__ import annotations

import doctest
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import torch
from scripts_loader import load_script

# The repository's own files, the same in every environment: only the main one runs these
# (`make colab-test` and `make min-test` leave them out).
pytestmark = pytest.mark.repo

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
STUDENT = NOTEBOOKS / "student"
TEACHING = sorted(path.name for path in NOTEBOOKS.glob("*.ipynb"))



students = load_script("make_student_versions")


def _notebook(*cells) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=list(cells))


def _solution(source: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["solution"]
    cell.metadata["jupyter"] = {"source_hidden": True}
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="the answer is 42\n")]
    cell.execution_count = 3
    return cell


def _check(source: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["check"]
    return cell


# --- the stubs ------------------------------------------------------------------------------------------


def test_the_docstring_examples_of_the_scripts_are_right() -> None:
    for name in ("make_student_versions", "stamp_notebooks", "notebook_cells"):
        result = doctest.testmod(load_script(name))
        assert result.attempted > 0 and result.failed == 0, name


def test_a_function_keeps_its_signature_docstring_and_step_comments_but_not_its_body() -> None:
    source = (
        "def training_step(model, X, y, loss_fn, optimizer):\n"
        '    """One training step; return the loss."""\n'
        "    model.train()\n"
        "    # 1. Forward pass\n"
        "    y_pred = model(X)\n"
        "    # 2. Calculate the loss\n"
        "    loss = loss_fn(y_pred, y)\n"
        "    return loss.item()\n"
    )
    assert students.stub_source(source) == (
        "def training_step(model, X, y, loss_fn, optimizer):\n"
        '    """One training step; return the loss."""\n'
        "    # 1. Forward pass\n"
        "    # 2. Calculate the loss\n"
        "    ...\n"
        '    raise NotImplementedError("Your turn: write training_step (see the instructions above)")'
    )


def test_the_stub_is_valid_python_that_raises_not_implemented_error() -> None:
    stub = students.stub_source("def f(x,\n      y=2):\n    return x * y\n\n\ndef g(x): return -x\n")
    namespace: dict = {}
    exec(compile(stub, "<stub>", "exec"), namespace)
    for name, args in (("f", (1,)), ("g", (1,))):
        with pytest.raises(NotImplementedError, match=f"Your turn: write {name}"):
            namespace[name](*args)
    assert "x * y" not in stub and "-x" not in stub


def test_a_class_keeps_its_class_line_and_docstring_and_each_method_becomes_a_stub() -> None:
    source = (
        "class Line(nn.Module):\n"
        '    """A straight line."""\n'
        "    scale = 2\n"
        "\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.weights = nn.Parameter(torch.randn(1))\n"
        "\n"
        "    def forward(self, x):\n"
        "        # 1. Forward pass\n"
        "        return self.weights * x\n"
        "\n"
        "\n"
        "line = Line\n"
    )
    stub = students.stub_source(source)
    assert stub == (
        "class Line(nn.Module):\n"
        '    """A straight line."""\n'
        "\n"
        "    def __init__(self):\n"
        "        ...\n"
        '        raise NotImplementedError("Your turn: write Line.__init__ (see the instructions above)")\n'
        "\n"
        "    def forward(self, x):\n"
        "        # 1. Forward pass\n"
        "        ...\n"
        '        raise NotImplementedError("Your turn: write Line.forward (see the instructions above)")\n'
        "\n"
        "\n"
        "line = Line"
    )
    namespace: dict = {"nn": torch.nn}
    exec(compile(stub, "<stub>", "exec"), namespace)
    with pytest.raises(NotImplementedError, match="Your turn: write Line.__init__"):
        namespace["Line"]()
    assert students.stub_source("class Empty: pass\n") == "class Empty:\n    ..."


def test_statements_outside_functions_stay_and_decorators_are_kept() -> None:
    stub = students.stub_source("import math\n\n@staticmethod\ndef area(r):\n    return math.pi * r**2\n")
    assert stub.startswith("import math\n\n@staticmethod\ndef area(r):\n")
    assert "math.pi" not in stub


def test_a_cell_without_a_function_becomes_a_prompt_and_a_raise() -> None:
    stub = students.stub_source("# 3. Zero the gradients\noptimizer.zero_grad()\n")
    assert "zero_grad()" not in stub
    assert "# 3. Zero the gradients" in stub
    with pytest.raises(NotImplementedError, match="Your turn: write the code for this exercise"):
        exec(stub, {})


def test_a_cell_that_is_not_python_still_gets_a_stub() -> None:
    stub = students.stub_source("%timeit model(X)")
    assert "%timeit" not in stub and stub.endswith('(see the instructions above)")')


def test_stub_source_rejects_a_non_string() -> None:
    with pytest.raises(TypeError, match="source must be a str .* got list"):
        students.stub_source(["def f(): pass"])


def test_make_student_version_rejects_a_bad_name() -> None:
    with pytest.raises(ValueError, match=r"name must be a notebook file name ending in \.ipynb, got 'x\.py'"):
        students.make_student_version(_notebook(), "x.py")


def test_a_student_version_has_stubs_keeps_the_checks_and_has_no_outputs() -> None:
    badge = nbformat.v4.new_markdown_cell(
        "[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
        "(https://colab.research.google.com/github/o/r/blob/main/notebooks/03_x.ipynb)"
    )
    badge.metadata["tags"] = ["colab-badge"]
    printed = nbformat.v4.new_code_cell("print(1)", execution_count=1)
    printed.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    source = _notebook(badge, printed, _solution("def f(x):\n    return x + 1\n"), _check("check_f(f)"))
    original = nbformat.writes(source)

    student = students.make_student_version(source, "03_x.ipynb")

    assert nbformat.writes(source) == original, "the teaching notebook must not change"
    badge, note, printed, stub, check = student.cells
    assert "/notebooks/student/03_x.ipynb)" in badge.source
    assert "Student version" in note.source and "../03_x.ipynb" in note.source
    assert printed.outputs == [] and printed.execution_count is None
    assert stub.metadata["tags"][0] == "exercise" and "solution" not in stub.metadata["tags"]
    assert "jupyter" not in stub.metadata, "the stub must not be collapsed"
    assert stub.outputs == [] and "x + 1" not in stub.source
    assert check.source == "check_f(f)" and check.metadata["tags"] == ["check"]


def test_a_notebook_without_a_badge_still_gets_the_note_first() -> None:
    student = students.make_student_version(_notebook(nbformat.v4.new_markdown_cell("# 1. Title")), "01_t.ipynb")
    assert student.cells[0].metadata["tags"] == ["student-note"]


# --- the committed student versions ------------------------------------------------------------------


def test_there_is_a_student_version_of_every_notebook() -> None:
    assert TEACHING, "no notebooks found"
    assert sorted(path.name for path in STUDENT.glob("*.ipynb")) == TEACHING


def test_the_committed_student_versions_are_up_to_date() -> None:
    stale = students.out_of_date(NOTEBOOKS)
    assert not stale, (
        f"student versions out of date: {', '.join(stale)}; run `python scripts/make_student_versions.py` "
        "(or `make stamp`) and commit notebooks/student/"
    )


@pytest.mark.slow  # a subprocess
def test_the_check_mode_reports_a_stale_student_version(tmp_path: Path) -> None:
    (tmp_path / "student").mkdir()
    nbformat.write(_notebook(_solution("def f():\n    return 1\n")), tmp_path / "00_a.ipynb")
    nbformat.write(_notebook(), tmp_path / "student" / "99_gone.ipynb")
    script = [sys.executable, str(ROOT / "scripts" / "make_student_versions.py"), "--notebooks", str(tmp_path)]

    checked = subprocess.run([*script, "--check"], capture_output=True, text=True)
    assert checked.returncode == 1 and "00_a.ipynb, 99_gone.ipynb" in checked.stdout

    assert subprocess.run(script, capture_output=True, text=True).returncode == 0
    assert sorted(path.name for path in (tmp_path / "student").iterdir()) == ["00_a.ipynb"]
    assert subprocess.run([*script, "--check"], capture_output=True, text=True).returncode == 0


@pytest.mark.slow  # executes every student version (in the main environment only: the file is marked repo)
@pytest.mark.parametrize("name", TEACHING)
def test_a_student_version_runs_with_not_implemented_error_only_in_its_exercises(name: str) -> None:
    from nbclient import NotebookClient

    path = STUDENT / name
    if not path.exists():
        pytest.fail(f"{path.relative_to(ROOT)} is missing: run `python scripts/make_student_versions.py`")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=120, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(STUDENT)}}
    ).execute()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [output for output in cell.outputs if output.output_type == "error"]
        is_exercise = "exercise" in cell.metadata.get("tags", [])
        if is_exercise:
            assert [error.ename for error in errors] in ([], ["NotImplementedError"]), (
                f"{name} cell {index}: an exercise stub may only raise NotImplementedError, got "
                f"{[f'{error.ename}: {error.evalue}' for error in errors]}"
            )
            assert all("Your turn" in error.evalue for error in errors)
        else:
            assert not errors, (
                f"{name} cell {index} raised {errors[0].ename}: {errors[0].evalue} in the student version; "
                "only exercise cells may raise (do later cells use the learner's function directly?)"
            )
