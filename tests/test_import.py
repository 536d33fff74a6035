"""Importing the package stays light: no matplotlib or ipywidgets until a plot or widget is used."""

import os
import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    script = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env).stdout
    return set(out.split())


def test_import_does_not_load_plotting_or_widget_libraries():
    loaded = _modules_after("import optloop_helpers")
    assert "matplotlib" not in loaded
    assert "ipywidgets" not in loaded


def test_plotting_loads_matplotlib_on_first_plot():
    loaded = _modules_after("import optloop_helpers\noptloop_helpers.plot_predictions(optloop_helpers.make_line_data())")
    assert "matplotlib" in loaded


def test_unknown_attribute_is_a_clear_error():
    import pytest

    import optloop_helpers

    with pytest.raises(AttributeError, match="has no attribute 'plot_everything'"):
        optloop_helpers.plot_everything  # noqa: B018


def test_every_check_is_listed_for_tab_completion_but_imported_on_first_use():
    loaded = _modules_after("import optloop_helpers\nprint(sorted(dir(optloop_helpers)))")
    assert "optloop_helpers.checks.beyond" not in loaded and "optloop_helpers.interactive" not in loaded
    import optloop_helpers
    from optloop_helpers.checks import CHECKS

    for name in CHECKS:
        assert name in optloop_helpers.__all__ and name in dir(optloop_helpers)
        assert callable(getattr(optloop_helpers, name))


def test_the_notebooks_import_only_from_the_package_itself():
    import ast
    import json
    from pathlib import Path

    import optloop_helpers

    imported = set()
    for path in sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            lines = "".join(cell["source"]).splitlines()  # an IPython magic (%pip) becomes a pass
            code = "\n".join(line.split("%")[0] + "pass" if line.lstrip().startswith("%") else line for line in lines)
            for node in ast.walk(ast.parse(code)):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("optloop_helpers"):
                    assert node.module == "optloop_helpers", f"{path.name} imports from {node.module}"
                    imported |= {alias.name for alias in node.names}
    assert {"playground", "step_explorer", "loss_landscape", "draw_landscape", "MOMENTUM"} <= imported
    assert imported <= set(optloop_helpers.__all__), sorted(imported - set(optloop_helpers.__all__))
