"""Generate the student versions of the notebooks (``notebooks/student/``) from the teaching notebooks.

One source: every exercise's worked answer is a code cell tagged ``solution`` in ``notebooks/NN_*.ipynb``.
In the student version of that notebook:

- each ``solution`` cell becomes a stub tagged ``exercise``: a function keeps its ``def`` line, its docstring
  and its numbered step comments (``# 1. Forward pass`` …), and its body becomes ``...`` followed by
  ``raise NotImplementedError("Your turn: …")``; a class keeps its ``class`` line and docstring, and each of its
  methods becomes such a stub (so ``MyModel()`` raises until it is written); other statements of the cell
  stay as they are. A cell that defines no function or class becomes a comment prompt and the ``raise``. The
  stub is not collapsed;
- the ``check`` cell after it stays, so learners still check their answer (an unwritten stub fails politely);
- every output and execution count is removed: learners run the notebook themselves, and no printed value
  gives an answer away;
- the "Open in Colab" badge points at the student version, and a note under it says where it came from.

Usage::

    python scripts/make_student_versions.py           # (re)write notebooks/student/*.ipynb
    python scripts/make_student_versions.py --check   # change nothing; exit 1 if any is out of date

Run it after ``scripts/stamp_notebooks.py`` (``make stamp`` runs both). Never edit the student versions by
hand: edit the teaching notebook and regenerate.
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import sys
from pathlib import Path
from typing import Any

import nbformat
from notebook_cells import BADGE_TAG, student_badge, tags

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
STUDENT = NOTEBOOKS / "student"

SOLUTION_TAG = "solution"
EXERCISE_TAG = "exercise"
NOTE_TAG = "student-note"
STEP_COMMENT = re.compile(r"^\s*#\s*\d+\.\s")
INDENT = "    "


def _raise_line(what: str) -> str:
    return f'raise NotImplementedError("Your turn: {what} (see the instructions above)")'


def _stub_function(lines: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef, name: str = "") -> list[str]:
    """The stub of one function: decorators and ``def`` line, docstring, step comments, ``...`` and the raise."""
    first = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)]) - 1
    body_start = node.body[0].lineno - 1
    indent = " " * node.col_offset
    body_indent = indent + INDENT
    if body_start == node.lineno - 1 or (node.end_lineno or 0) == node.lineno:
        # a one-line function (``def f(x): return x``): rebuild its signature
        signature = next(line for line in ast.unparse(node).splitlines() if not line.startswith("@"))
        header = [*lines[first : node.lineno - 1], indent + signature]
        body_start = node.lineno
    else:
        header = lines[first:body_start]
    docstring: list[str] = []
    first_statement = node.body[0]
    if (
        isinstance(first_statement, ast.Expr)
        and isinstance(first_statement.value, ast.Constant)
        and isinstance(first_statement.value.value, str)
        and first_statement.lineno - 1 >= body_start
    ):
        docstring = lines[first_statement.lineno - 1 : first_statement.end_lineno]
        body_start = first_statement.end_lineno or body_start
    steps = [body_indent + line.strip() for line in lines[body_start : node.end_lineno] if STEP_COMMENT.match(line)]
    return [*header, *docstring, *steps, body_indent + "...", body_indent + _raise_line(f"write {name or node.name}")]


def _docstring_lines(lines: list[str], node: ast.ClassDef) -> list[str]:
    first = node.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return lines[first.lineno - 1 : first.end_lineno]
    return []


def _stub_class(lines: list[str], node: ast.ClassDef) -> list[str]:
    """The stub of one class: decorators and ``class`` line, docstring, and every method stubbed; nothing else."""
    first = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)]) - 1
    header = lines[first : node.body[0].lineno - 1] if node.body[0].lineno > node.lineno else None
    if header is None:  # ``class A: pass`` on one line
        header = [" " * node.col_offset + f"class {node.name}:"]
    out = [*header, *_docstring_lines(lines, node)]
    methods = [item for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for i, method in enumerate(methods):
        out += [""] * (i > 0 or bool(out[len(header):])) + _stub_function(lines, method, f"{node.name}.{method.name}")
    if not methods:
        out.append(" " * node.col_offset + INDENT + "...")
    return out


def stub_source(source: str) -> str:
    """The student stub for a solution cell's ``source``.

    Example::

        >>> print(stub_source('def forward_pass(model, X):\\n    # 1. Forward pass\\n    return model(X)'))
        def forward_pass(model, X):
            # 1. Forward pass
            ...
            raise NotImplementedError("Your turn: write forward_pass (see the instructions above)")
        >>> print(stub_source("loss_fn = nn.L1Loss()"))
        # Your turn: write the code for this exercise.
        ...
        raise NotImplementedError("Your turn: write the code for this exercise (see the instructions above)")
    """
    if not isinstance(source, str):
        raise TypeError(f"source must be a str (a cell's source), got {type(source).__name__}")
    lines = source.splitlines()
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics or a deliberately broken cell: no functions to keep
        tree = ast.Module(body=[], type_ignores=[])
    functions = [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    if not functions:
        steps = [line.strip() for line in lines if STEP_COMMENT.match(line)]
        return "\n".join(
            ["# Your turn: write the code for this exercise.", *steps, "...", _raise_line("write the code for this exercise")]
        )
    out: list[str] = []
    position = 0
    for node in functions:
        first = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)]) - 1
        out += lines[position:first]
        out += _stub_class(lines, node) if isinstance(node, ast.ClassDef) else _stub_function(lines, node)
        position = node.end_lineno or first + 1
    out += lines[position:]
    return "\n".join(out).strip("\n")


def _note_cell(name: str) -> Any:
    note = (
        f"**Student version.** The exercises are left for you: fill in each cell that says "
        f'`raise NotImplementedError("Your turn: …")`, run it, then run the check under it. '
        f"Where the text mentions a collapsed solution cell, that worked answer is in "
        f"[the teaching version](../{name}), not here. "
        f"(Generated by `scripts/make_student_versions.py`: edit the teaching notebook, not this file.)"
    )
    cell = nbformat.v4.new_markdown_cell(note, id=NOTE_TAG)
    cell.metadata["tags"] = [NOTE_TAG]
    return cell


def make_student_version(nb: Any, name: str) -> Any:
    """The student version of the teaching notebook ``nb`` (file name ``name``); ``nb`` is left unchanged."""
    if not isinstance(name, str) or not name.endswith(".ipynb"):
        raise ValueError(f"name must be a notebook file name ending in .ipynb, got {name!r}")
    student = copy.deepcopy(nb)
    student.metadata.pop("widgets", None)
    cells = []
    for cell in student.cells:
        cell_tags = tags(cell)
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("collapsed", None)
            cell.metadata.pop("scrolled", None)
        if SOLUTION_TAG in cell_tags and cell.cell_type == "code":
            cell.source = stub_source(cell.source)
            new_tags = [tag for tag in cell_tags if tag != SOLUTION_TAG]
            cell.metadata["tags"] = [EXERCISE_TAG, "raises-exception", *new_tags]
            jupyter = cell.metadata.get("jupyter", {})
            jupyter.pop("source_hidden", None)
            jupyter.pop("outputs_hidden", None)
            if not jupyter:
                cell.metadata.pop("jupyter", None)
        if BADGE_TAG in cell_tags:
            cell.source = student_badge(cell.source, name)
        cells.append(cell)
        if BADGE_TAG in cell_tags:
            cells.append(_note_cell(name))
    if not any(NOTE_TAG in tags(cell) for cell in cells):
        cells.insert(0, _note_cell(name))
    student.cells = cells
    nbformat.validate(student)
    return student


def expected_student_versions(notebooks: Path = NOTEBOOKS) -> dict[str, Any]:
    """File name -> the student version every teaching notebook in ``notebooks`` should have."""
    return {
        path.name: make_student_version(nbformat.read(path, as_version=4), path.name)
        for path in sorted(notebooks.glob("*.ipynb"))
    }


def out_of_date(notebooks: Path = NOTEBOOKS) -> list[str]:
    """Names of the student versions that are missing, stale or left over from a removed notebook."""
    student = notebooks / "student"
    expected = expected_student_versions(notebooks)
    stale = []
    for name, nb in expected.items():
        path = student / name
        if not path.exists() or nbformat.read(path, as_version=4) != nb:
            stale.append(name)
    stale += sorted(path.name for path in student.glob("*.ipynb") if path.name not in expected)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if any is out of date")
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS, help="the teaching notebooks' folder")
    args = parser.parse_args(argv)

    stale = out_of_date(args.notebooks)
    if args.check:
        if stale:
            print("Student versions out of date (run `python scripts/make_student_versions.py`): " + ", ".join(stale))
            return 1
        print("Every student version is up to date.")
        return 0
    student = args.notebooks / "student"
    student.mkdir(exist_ok=True)
    expected = expected_student_versions(args.notebooks)
    for name in stale:
        path = student / name
        if name in expected:
            nbformat.write(expected[name], path)
            print(f"wrote {path.relative_to(args.notebooks.parent)}")
        else:
            path.unlink()
            print(f"removed {path.relative_to(args.notebooks.parent)} (its teaching notebook is gone)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
