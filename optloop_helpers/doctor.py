"""A pre-workshop environment check: ``python -m optloop_helpers.doctor``.

It prints, in about a dozen lines, what a participant or an instructor needs to know before the notebooks run:
Python, torch and its build (CPU, CUDA, ROCm, MPS), numpy, matplotlib and its backend, ipywidgets and whether the
front end can show widgets, the kernel, the copy of optloop_helpers imported (where, which version), the device
``get_device()`` picks, whether the notebooks' numbers will be
exactly the committed ones, and a one-line verdict. The exit status is 1 when something the notebooks need is
missing or too old, and each such line says how to fix it. In a notebook cell: ``!python -m optloop_helpers.doctor``
(Colab, Kaggle) or ``%run -m optloop_helpers.doctor``.

Example::

    >>> report = diagnose()
    >>> [line.name for line in report][:3]
    ['Python', 'torch', 'numpy']
    >>> all(line.ok is not False for line in report)  # this environment has everything
    True
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
from dataclasses import dataclass
from importlib import metadata

# The lowest versions pyproject.toml promises (tests/test_doctor.py checks that the two agree).
REQUIRED = {"torch": "2.6", "numpy": "1.23.2", "matplotlib": "3.8.1", "ipywidgets": "7.6.5"}
PYTHON = (3, 10)
OUTPUTS_TORCH = "2.13.0"  # the torch the committed outputs were made with (requirements/constraints.txt)



@dataclass(frozen=True)
class Line:
    """One line of the report: ``ok`` is True (fine), False (the notebooks cannot run: see ``fix``) or None (a note).

    Example::

        >>> print(Line("numpy", "1.26.4", True).render())
        ✅ numpy       1.26.4
    """

    name: str
    detail: str
    ok: bool | None
    fix: str = ""

    def render(self) -> str:
        mark = {True: "✅", False: "❌", None: "ℹ️ "}[self.ok]
        text = f"{mark} {self.name:<11} {self.detail}"
        return f"{text}\n   fix: {self.fix}" if self.fix and self.ok is False else text


def version_tuple(text: str) -> tuple[int, ...]:
    """The leading numbers of a version string.

    Example::

        >>> version_tuple("2.13.0+cpu"), version_tuple("3.10.0rc1"), version_tuple("1.23")
        ((2, 13, 0), (3, 10, 0), (1, 23))
    """
    numbers = []
    for part in text.split("+")[0].split("."):
        digits = ""
        for char in part:
            if not char.isdigit():
                break
            digits += char
        if not digits:
            break
        numbers.append(int(digits))
        if len(digits) < len(part):
            break
    return tuple(numbers)


def _version(distribution: str) -> str | None:
    """The installed version of ``distribution``, or None."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _import(name: str):  # noqa: ANN202 - a module
    """Import ``name``; None when it (or something it needs) cannot be imported."""
    try:
        return importlib.import_module(name)
    except Exception:  # noqa: BLE001 - a broken install is as bad as a missing one here
        return None


def _package(name: str, what: str = "") -> Line:
    """A required package: importable and at least the version pyproject.toml promises."""
    module = _import(name)
    if module is None:
        return Line(name, "missing (or fails to import)", False, f"pip install '{name}>={REQUIRED[name]}'")
    found = getattr(module, "__version__", None) or _version(name) or "?"
    detail = f"{found}{what}"
    if version_tuple(found) < version_tuple(REQUIRED[name]):
        return Line(name, f"{detail}, older than {REQUIRED[name]}", False, f"pip install --upgrade '{name}>={REQUIRED[name]}'")
    return Line(name, detail, True)


def _torch_build(torch) -> str:  # noqa: ANN001 - the torch module
    if getattr(torch.version, "hip", None):
        build = f"ROCm {torch.version.hip} build"
    elif torch.version.cuda:
        build = f"CUDA {torch.version.cuda} build, GPU {'found' if torch.cuda.is_available() else 'not found'}"
    else:
        build = "CPU build"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_built():
        build += f", Apple MPS {'available' if mps.is_available() else 'built in, not available'}"
    return build


def front_end() -> str | None:
    """The notebook front end this runs under, when it can tell: Colab, Kaggle or VS Code (None otherwise)."""
    if "google.colab" in sys.modules or os.environ.get("COLAB_RELEASE_TAG"):
        return "Google Colab"
    if os.environ.get("KAGGLE_KERNEL_RUN_TYPE") or os.environ.get("KAGGLE_URL_BASE"):
        return "Kaggle"
    if os.environ.get("VSCODE_PID") or os.environ.get("VSCODE_CWD"):
        return "VS Code"
    return None


def _widgets() -> Line:
    line = _package("ipywidgets")
    if line.ok is not True:
        return line
    major = version_tuple(line.detail)[0]
    place = front_end()
    if place is not None:
        return Line("ipywidgets", f"{line.detail}; {place} shows widgets itself", True)
    lab_widgets = _version("jupyterlab_widgets")
    lab = _version("jupyterlab")
    # ipywidgets 8 needs JupyterLab's jupyterlab_widgets 3; ipywidgets 7 is shown by 1 (JupyterLab 3) or 3 (4).
    fits = {3} if major >= 8 else {1, 3}
    if lab_widgets is not None and version_tuple(lab_widgets)[0] in fits:
        return Line("ipywidgets", f"{line.detail}; JupyterLab extension jupyterlab_widgets {lab_widgets}", True)
    fix = f"pip install 'jupyterlab_widgets>={max(fits)}' (the JupyterLab side of ipywidgets), restart JupyterLab"
    if lab is not None:  # JupyterLab here but no matching extension: widgets would show as text
        found = f"jupyterlab_widgets {lab_widgets}" if lab_widgets else "no jupyterlab_widgets"
        return Line("ipywidgets", f"{line.detail}, but JupyterLab {lab} has {found}: widgets show as text", False, fix)
    return Line("ipywidgets", f"{line.detail}; no JupyterLab here: its front end must have jupyterlab_widgets", None)


def _matplotlib() -> Line:
    line = _package("matplotlib")
    if line.ok is not True:
        return line
    backend = _import("matplotlib").get_backend().lower()
    inline = "in a notebook: inline" if _import("matplotlib_inline") else "no matplotlib-inline (pip install ipykernel)"
    return Line("matplotlib", f"{line.detail}; backend here {backend}, {inline}", True)


def _kernel() -> Line:
    found = _version("ipykernel")
    if found is None or _import("ipykernel") is None:
        return Line("kernel", "ipykernel missing: Jupyter cannot run notebooks here", False, "pip install ipykernel")
    return Line("kernel", f"ipykernel {found}, IPython {_version('ipython') or '?'}", True)


def _where(path: str) -> str:
    """``path`` relative to the working directory when it is inside it, else with the home folder as ``~``."""
    try:
        return os.path.relpath(path) if not os.path.relpath(path).startswith("..") else _home(path)
    except ValueError:  # another drive (Windows)
        return _home(path)


def _home(path: str) -> str:
    home = os.path.expanduser("~")
    return "~" + path[len(home):] if home not in ("", "~", os.sep) and path.startswith(home + os.sep) else path


def _helpers() -> Line:
    """The copy of optloop_helpers this Python imports (where it is, its version), not merely what pip installed."""
    folder = os.path.dirname(os.path.abspath(__file__))  # this module is part of the imported copy
    installed = _version("optloop-helpers")
    package = sys.modules.get(__package__ or "optloop_helpers")
    version = getattr(package, "__version__", None) or installed or "?"
    detail = f"optloop-helpers {version} imported from {_where(folder)}"
    if installed is not None and installed != version:
        detail += f" (pip lists {installed})"
    elif installed is None:
        detail += " (not pip-installed: the source tree)"
    return Line("helpers", detail, True)


def _device_and_numbers(torch) -> list[Line]:  # noqa: ANN001 - the torch module
    from .device import get_device

    device = get_device().type
    lines = [Line("device", f"get_device() -> {device}", True)]
    same_torch = version_tuple(torch.__version__)[:2] == version_tuple(OUTPUTS_TORCH)[:2]
    if device == "cpu" and same_torch:
        lines.append(Line("numbers", "the same as the committed outputs (they were made on a CPU)", True))
    elif device == "cpu":
        lines.append(Line("numbers", f"the same as the committed outputs, except where dropout runs: its random "
                                     f"masks change between torch versions (the outputs: torch {OUTPUTS_TORCH})", None))
    else:
        why = "TF32 matrix products and another order of the sums" if device == "cuda" else "another order of the sums"
        lines.append(Line("numbers", f"may differ from the committed outputs in the last digits on {device} "
                                     f"({why}: float rounding differs); the lessons are the same", None))
    return lines


def diagnose() -> list[Line]:
    """Every line of the report, in order (see the module's docstring)."""
    python = platform.python_version()
    lines = [Line("Python", f"{python} ({sys.executable})", sys.version_info[:2] >= PYTHON,
                  f"use Python {PYTHON[0]}.{PYTHON[1]} or newer")]
    torch_line = _package("torch")
    torch = _import("torch") if torch_line.ok else None
    if torch is not None:
        torch_line = Line("torch", f"{torch_line.detail}, {_torch_build(torch)}", True)
    elif torch_line.ok is False and "missing" in torch_line.detail:
        torch_line = Line("torch", torch_line.detail, False,
                          "pip install torch --index-url https://download.pytorch.org/whl/cpu (the small CPU build)")
    lines += [torch_line, _package("numpy"), _matplotlib(), _widgets(), _kernel()]
    lines.append(_helpers())
    if torch is not None:
        lines += _device_and_numbers(torch)
    return lines


def verdict(lines: list[Line]) -> str:
    """The one-line verdict.

    Example::

        >>> verdict([Line("numpy", "missing", False, "pip install numpy")])
        '❌ Not ready: 1 problem above (numpy); run each fix, then this check again.'
    """
    problems = [line.name for line in lines if line.ok is False]
    if not problems:
        return "✅ Ready: every notebook can run here."
    count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
    return f"❌ Not ready: {count} above ({', '.join(problems)}); run each fix, then this check again."


def main() -> int:
    """Print the report and the verdict; return 0 when ready, 1 when something is missing."""
    lines = diagnose()
    print("optloop doctor: can this environment run the optloop notebooks?")
    for line in lines:
        print(line.render())
    print(verdict(lines))
    return 1 if any(line.ok is False for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main())
