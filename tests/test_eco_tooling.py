"""Tooling around releases: the hub link refuses a tag, `make stamp` re-installs nothing for a new ref, and the
committed outputs are always made on the CPU."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from scripts_loader import load_script

pytestmark = pytest.mark.repo

ROOT = Path(__file__).resolve().parent.parent
load_script("stamp_notebooks")  # hub_link imports it by name
hub_link = load_script("hub_link")
running = load_script("run_notebooks")
GUIDE = " ".join((ROOT / "docs" / "instructor-guide.md").read_text(encoding="utf-8").split())


def _repo(tmp_path: Path) -> Path:
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", "-b", "main", str(tmp_path)], check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "one"], check=True)
    subprocess.run([*git, "tag", "v0.1.0"], check=True)
    subprocess.run([*git, "tag", "workshop"], check=True)
    subprocess.run([*git, "branch", "release-0.1"], check=True)
    return tmp_path


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_tag_is_told_from_a_branch(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    assert hub_link.is_tag("v0.1.0", root) and hub_link.is_tag("workshop", root)
    assert not hub_link.is_tag("main", root) and not hub_link.is_tag("release-0.1", root)
    assert hub_link.is_tag("v2.0", root), "a version number not yet tagged is a tag to be"


def test_the_hub_link_refuses_a_tag_and_says_to_pin_a_release_branch(capsys: pytest.CaptureFixture) -> None:
    assert hub_link.main(["https://hub.example.edu", "--ref", "v0.1.0"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "'v0.1.0' is a tag, and nbgitpuller needs a branch" in captured.err
    assert "fatal: ambiguous argument '..origin/v0.1.0'" in captured.err
    assert "git branch release-0.1 v0.1.0 && git push origin release-0.1" in captured.err
    assert "make hub-link HUB=<hub> REF=release-0.1" in captured.err


def test_the_hub_link_takes_a_release_branch(capsys: pytest.CaptureFixture) -> None:
    assert hub_link.main(["https://hub.example.edu", "--ref", "release-0.1"]) == 0
    out = capsys.readouterr().out
    assert out.count("&branch=release-0.1&") == 2


def test_the_guide_pins_a_release_branch_for_the_hub() -> None:
    assert "release-0.1" in GUIDE and "REF=release-0.1" in GUIDE
    assert "nbgitpuller needs a branch" in GUIDE


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_a_new_ref_in_tool_optloop_does_not_reinstall(tmp_path: Path) -> None:
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "requirements").mkdir()
    shutil.copy(ROOT / "requirements" / "constraints.txt", tmp_path / "requirements" / "constraints.txt")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / ".installed").touch()
    os.utime(tmp_path / ".venv" / ".installed", (1, 1))  # older than pyproject.toml, as after editing it
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('ref = "main"', 'ref = "v0.1.0"'))
    done = subprocess.run(["make", "-n", "stamp"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "pip install" not in done.stdout and "stamp_notebooks.py --execute" in done.stdout
    assert "CUDA_VISIBLE_DEVICES= HIP_VISIBLE_DEVICES=" in done.stdout
    (tmp_path / ".venv" / ".installed").unlink()  # no environment yet: stamp sets it up first
    done = subprocess.run(["make", "-n", "stamp"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert "pip install" in done.stdout


def test_notebooks_run_with_every_gpu_hidden(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import nbformat

    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")
    monkeypatch.delenv("HIP_VISIBLE_DEVICES", raising=False)  # restored (unset) afterwards
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import os; print(repr(os.environ['CUDA_VISIBLE_DEVICES']))")]
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    monkeypatch.setattr(running, "NotebookClient", _FakeClient)
    running.run(path)
    assert _FakeClient.seen == {"CUDA_VISIBLE_DEVICES": "", "HIP_VISIBLE_DEVICES": ""}


class _FakeClient:
    """Records the environment a kernel would inherit, instead of starting one."""

    seen: dict[str, str] = {}

    def __init__(self, nb, **kwargs) -> None:  # noqa: ANN001
        self.nb = nb

    def execute(self) -> None:
        _FakeClient.seen = {name: os.environ[name] for name in ("CUDA_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES")}
