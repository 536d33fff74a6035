"""`python -m optloop_helpers.doctor`: the report, its verdict and its exit status, also where things are missing."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from optloop_helpers import doctor

ROOT = Path(__file__).resolve().parent.parent

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = None


def _lines() -> dict[str, doctor.Line]:
    return {line.name: line for line in doctor.diagnose()}


def test_this_environment_is_ready_and_the_report_is_about_a_dozen_lines(capsys: pytest.CaptureFixture) -> None:
    assert doctor.main() == 0
    out = capsys.readouterr().out.splitlines()
    assert 8 <= len(out) <= 14, out
    assert out[-1] == "✅ Ready: every notebook can run here."
    names = [line.split()[1] for line in out[1:-1]]
    assert names == ["Python", "torch", "numpy", "matplotlib", "ipywidgets", "kernel", "helpers", "device", "numbers"]


def test_the_report_says_the_torch_build_the_device_and_whether_numbers_match() -> None:
    lines = _lines()
    assert re.search(r"(CPU|CUDA [\d.]+|ROCm [\d.]+) build", lines["torch"].detail)
    assert lines["device"].detail == "get_device() -> cpu"
    assert lines["numbers"].detail.startswith("the same as the committed outputs")


def test_another_torch_warns_that_dropout_cells_differ(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    monkeypatch.setattr(torch, "__version__", "2.6.0+cpu")
    line = _lines()["numbers"]
    assert line.ok is None and "except where dropout runs" in line.detail and "torch 2.13.0" in line.detail


def test_the_outputs_torch_is_the_main_environment_s() -> None:
    pins = (ROOT / "requirements" / "constraints.txt").read_text()
    assert f"\ntorch=={doctor.OUTPUTS_TORCH}\n" in pins


def test_the_doctor_s_minimum_versions_are_pyproject_s() -> None:
    if tomllib is None:
        pytest.skip("tomllib needs Python 3.11")
    with open(ROOT / "pyproject.toml", "rb") as file:
        dependencies = tomllib.load(file)["project"]["dependencies"]
    assert {name: low for name, low in (dep.split(">=") for dep in dependencies)} == doctor.REQUIRED
    assert doctor.PYTHON == (3, 10)


def test_a_missing_package_fails_with_its_fix(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # `import ipywidgets` now raises ImportError
    lines = _lines()
    assert lines["ipywidgets"].ok is False
    assert lines["ipywidgets"].fix == "pip install 'ipywidgets>=7.6.5'"
    assert doctor.main() == 1
    out = capsys.readouterr().out
    assert "❌ ipywidgets  missing (or fails to import)\n   fix: pip install 'ipywidgets>=7.6.5'" in out
    assert out.splitlines()[-1] == "❌ Not ready: 1 problem above (ipywidgets); run each fix, then this check again."


def test_a_too_old_package_fails_with_an_upgrade(monkeypatch: pytest.MonkeyPatch) -> None:
    import matplotlib

    monkeypatch.setattr(matplotlib, "__version__", "3.5.1")
    line = _lines()["matplotlib"]
    assert (line.ok, line.detail) == (False, "3.5.1, older than 3.8.1")
    assert line.fix == "pip install --upgrade 'matplotlib>=3.8.1'"


def test_a_missing_kernel_and_an_old_python_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ipykernel", None)
    monkeypatch.setattr(doctor, "PYTHON", (99, 0))
    lines = _lines()
    assert (lines["kernel"].ok, lines["kernel"].fix) == (False, "pip install ipykernel")
    assert (lines["Python"].ok, lines["Python"].fix) == (False, "use Python 99.0 or newer")
    assert "2 problems above (Python, kernel)" in doctor.verdict(list(lines.values()))


def test_jupyterlab_without_the_widget_extension_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    real = doctor._version
    monkeypatch.setattr(doctor, "_version", lambda name: None if name == "jupyterlab_widgets" else real(name) or "4.0")
    for variable in ("COLAB_RELEASE_TAG", "KAGGLE_KERNEL_RUN_TYPE", "KAGGLE_URL_BASE", "VSCODE_PID", "VSCODE_CWD"):
        monkeypatch.delenv(variable, raising=False)
    line = _lines()["ipywidgets"]
    assert line.ok is False and "no jupyterlab_widgets: widgets show as text" in line.detail
    assert line.fix.startswith("pip install 'jupyterlab_widgets>=3'")


@pytest.mark.parametrize(
    ("variable", "place"),
    [("COLAB_RELEASE_TAG", "Google Colab"), ("KAGGLE_KERNEL_RUN_TYPE", "Kaggle"), ("VSCODE_PID", "VS Code")],
)
def test_colab_kaggle_and_vs_code_show_widgets_themselves(monkeypatch: pytest.MonkeyPatch, variable: str,
                                                           place: str) -> None:
    for other in ("COLAB_RELEASE_TAG", "KAGGLE_KERNEL_RUN_TYPE", "KAGGLE_URL_BASE", "VSCODE_PID", "VSCODE_CWD"):
        monkeypatch.delenv(other, raising=False)
    monkeypatch.setenv(variable, "1")
    line = _lines()["ipywidgets"]
    assert line.ok is True and line.detail.endswith(f"; {place} shows widgets itself")


def test_a_gpu_says_the_numbers_may_differ_in_the_last_digits(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    lines = _lines()
    assert lines["device"].detail == "get_device() -> cuda"
    assert lines["numbers"].ok is None
    assert "may differ from the committed outputs in the last digits on cuda" in lines["numbers"].detail
    assert "TF32" in lines["numbers"].detail


@pytest.mark.slow  # a subprocess
def test_without_torch_the_command_still_runs_and_says_how_to_install_it() -> None:
    """`import optloop_helpers` needs torch, but the doctor must still run (and exit 1) where torch is missing."""
    code = "import runpy, sys; sys.modules['torch'] = None; runpy.run_module('optloop_helpers.doctor', run_name='__main__')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "❌ torch       missing (or fails to import)" in done.stdout
    assert "fix: pip install torch --index-url https://download.pytorch.org/whl/cpu" in done.stdout
    assert "device" not in done.stdout
    assert done.stdout.splitlines()[-1].startswith("❌ Not ready: 1 problem above (torch)")


@pytest.mark.slow  # a subprocess
def test_without_torch_the_package_says_to_run_the_doctor() -> None:
    code = "import sys; sys.modules['torch'] = None; import optloop_helpers; optloop_helpers.fit"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "optloop_helpers needs torch, which is not installed here: run `python -m optloop_helpers.doctor`" in (
        done.stderr
    )


@pytest.mark.slow  # a subprocess
def test_the_command_line_entry_point_exits_0_here() -> None:
    done = subprocess.run([sys.executable, "-m", "optloop_helpers.doctor"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("optloop doctor: can this environment run the optloop notebooks?\n")


def test_version_tuple_reads_release_candidates_and_local_labels() -> None:
    assert doctor.version_tuple("2.6.0+cu124") == (2, 6, 0)
    assert doctor.version_tuple("7.7.1") > doctor.version_tuple("7.6")
    assert doctor.version_tuple("1.23.2") > doctor.version_tuple("1.23")
    assert doctor.version_tuple("dev") == ()


def test_the_helpers_line_names_the_imported_copy_its_place_and_version() -> None:
    import optloop_helpers

    line = _lines()["helpers"]
    folder = Path(optloop_helpers.__file__).resolve().parent
    assert line.ok is True
    assert line.detail.startswith(f"optloop-helpers {optloop_helpers.__version__} imported from ")
    shown = line.detail.split(" imported from ")[1].split(" (")[0]
    assert Path(shown).expanduser().resolve() == folder


def test_the_helpers_line_says_when_pip_lists_another_version(monkeypatch: pytest.MonkeyPatch) -> None:
    real = doctor._version
    monkeypatch.setattr(doctor, "_version", lambda name: "0.0.1" if name == "optloop-helpers" else real(name))
    line = _lines()["helpers"]
    assert line.detail.endswith("(pip lists 0.0.1)"), line.detail


def test_the_helpers_line_shows_a_path_outside_the_working_folder_from_home(monkeypatch: pytest.MonkeyPatch,
                                                                           tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(Path(doctor.__file__).resolve().parent.parent))
    assert doctor._where(str(Path(doctor.__file__).resolve().parent)) == "~/optloop_helpers"
