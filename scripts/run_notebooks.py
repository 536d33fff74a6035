"""Re-run notebooks from fresh kernels and save their outputs, so what is committed is a clean run.

Usage::

    python scripts/run_notebooks.py                    # every notebook under notebooks/
    python scripts/run_notebooks.py notebooks/08_*.ipynb

Each notebook runs top to bottom in a new kernel with its own folder as working directory; a cell
that raises stops the script with the notebook's name (cells tagged ``raises-exception`` may raise).
Volatile metadata (timings, widget state) is dropped so re-running changes nothing that did not change.
The kernels always run on the CPU (``CUDA_VISIBLE_DEVICES`` and ``HIP_VISIBLE_DEVICES`` set empty, so
``get_device()`` finds no GPU), whatever this machine has: the committed outputs are CPU outputs.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
# Hide every GPU from the kernels (they inherit this process's environment): get_device() then returns cpu.
CPU_ONLY = {"CUDA_VISIBLE_DEVICES": "", "HIP_VISIBLE_DEVICES": ""}


def clean(nb: nbformat.NotebookNode) -> None:
    """Drop metadata that changes on every run."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None) if cell.cell_type != "code" else None


def run(path: Path, timeout: int = 300) -> float:
    """Execute ``path`` in place; return the seconds it took."""
    os.environ.update(CPU_ONLY)
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    clean(nb)
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks to run (default: all)")
    args = parser.parse_args(argv)
    paths = args.paths or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in paths:
        seconds = run(path.resolve())
        print(f"{seconds:6.1f} s  {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
