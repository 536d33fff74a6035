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
