"""Notebooks 10-14 keep the curriculum's standard: structure, hidden solutions with checks, numbered steps, links."""

import re
from pathlib import Path

import nbformat
import pytest

# The repository's own files, the same in every environment: only the main one runs these
# (`make colab-test` and `make min-test` leave them out).
pytestmark = pytest.mark.repo

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
BEYOND = [
    "10_common_mistakes.ipynb",
    "11_other_use_cases.ipynb",
    "12_optimizers_compared.ipynb",
    "13_mini_batches.ipynb",
    "14_capstone.ipynb",
]
CAPSTONE = "14_capstone.ipynb"  # its exercises are classes too, and its last part is a blank page
STEPS = [
    "# 1. Forward pass",
    "# 2. Calculate the loss",
    "# 3. Zero the gradients",
    "# 4. Backpropagation",
    "# 5. Step the optimizer",
]


def read(name):
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def markdown(nb):
    return "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")


def tags(cell):
    return cell.metadata.get("tags", [])


@pytest.mark.parametrize("name", BEYOND)
def test_title_objectives_place_in_the_loop_and_key_points(name):
    text = markdown(read(name))
    number = int(name[:2])
    assert re.search(rf"^# {number}\. \S", text, flags=re.MULTILINE), "title '# N. ...' missing"
    objectives = re.search(r"\*\*You will:\*\*\n((?:- .*\n)+)", text)
    assert objectives and 2 <= objectives.group(1).count("\n- ") + 1 <= 4
    assert "**Where we are in the loop" in text
    assert "| Training loop | Testing loop |" in text
    assert "## Key points" in text


@pytest.mark.parametrize("name", BEYOND)
def test_set_up_cell_imports_seeds_and_picks_a_device(name):
    nb = read(name)
    set_up = next(cell for cell in nb.cells if cell.cell_type == "code" and "import torch" in cell.source)
    assert "torch.manual_seed(42)" in set_up.source
    assert "get_device()" in set_up.source


@pytest.mark.parametrize("name", BEYOND)
def test_every_training_loop_has_the_five_numbered_steps_in_order(name):
    loops = [cell.source for cell in read(name).cells if cell.cell_type == "code" and "loss.backward()" in cell.source]
    loops = [source for source in loops if "def buggy_train_step" not in source]
    assert loops, "no training loop written out"
    for source in loops:
        positions = [source.find(step) for step in STEPS]
        assert -1 not in positions, f"a numbered step comment is missing in:\n{source}"
        assert positions == sorted(positions), f"the numbered steps are out of order in:\n{source}"


@pytest.mark.parametrize("name", [*BEYOND, "09_playground.ipynb"])
def test_exercises_are_hidden_solutions_followed_by_a_check(name):
    nb = read(name)
    solutions = [i for i, cell in enumerate(nb.cells) if "solution" in tags(cell)]
    assert solutions, "no exercise"
    for i in solutions:
        cell = nb.cells[i]
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True
        if name == CAPSTONE:
            assert re.match(r"(def|class) \w+\(", cell.source) or i == solutions[-1], "a function or a class"
        else:
            assert re.match(r"def \w+\(", cell.source), "the learner writes a function"
        last_markdown = next(c for c in reversed(nb.cells[:i]) if c.cell_type == "markdown")
        assert "Your turn" in last_markdown.source
        check = nb.cells[i + 1]
        assert "check" in tags(check) and re.match(r"check_\w+\(", check.source)
        assert "✅" in str(check.outputs), "the worked solution must pass its check"


@pytest.mark.parametrize("name", [*BEYOND, "09_playground.ipynb"])
def test_links_point_at_notebooks_that_exist(name):
    links = re.findall(r"\]\((\d\d_\w+\.ipynb)\)", markdown(read(name)))
    assert links, "no link to the next notebook"
    for link in links:
        assert (NOTEBOOKS / link).exists(), link


@pytest.mark.parametrize("name", BEYOND)
def test_outputs_have_no_errors_and_no_machine_paths(name):
    for cell in read(name).cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error"
            text = str(output.get("text", "")) + str(output.get("data", {}).get("text/plain", ""))
            assert "/work/" not in text and "/home/" not in text
            assert not re.search(r"\b0x[0-9a-f]{6,}", text), "a memory address"


def test_the_capstone_checks_every_part_at_the_end_and_starts_each_part_as_a_stub():
    nb = read(CAPSTONE)
    checks = [cell.source for cell in nb.cells if "check" in tags(cell)]
    parts = ["make_data", "manual_model", "linear_model", "make_loss_and_optimizer", "train_step", "test_step",
             "train", "save_and_load"]
    assert all(f"{part}=" in checks[-1] for part in parts), "the last check runs every part"
    assert "8 of 8 parts right" in str([c.outputs for c in nb.cells if "check" in tags(c)][-1])
    student = nbformat.read(NOTEBOOKS / "student" / CAPSTONE, as_version=4)
    stubs = [cell.source for cell in student.cells if "exercise" in tags(cell)]
    assert stubs[-1].startswith("# Your turn: write the code for this exercise."), "the last part is a blank page"
    assert all("NotImplementedError" in stub for stub in stubs)


@pytest.mark.parametrize("name", ["13_mini_batches.ipynb"])
def test_the_batch_loops_zero_the_gradients_inside_the_batch_loop(name):
    """Every loop over a loader in the notebook's own code (not its "what goes wrong") zeros once per batch."""
    for cell in read(name).cells:
        if cell.cell_type == "code" and "in train_loader:" in cell.source and "loss.backward()" in cell.source:
            inner = cell.source.split("in train_loader:", 1)[1]
            assert "optimizer.zero_grad()" in inner.split("optimizer.step()", 1)[0]
