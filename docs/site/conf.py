"""Sphinx configuration of the course website (built by scripts/build_site.py, `make site`; see docs/site.md).

The sources are the tree scripts/build_site.py lays out in build/site/src (it mirrors the repository), and the
repository and ref come from [tool.optloop] in pyproject.toml, like the notebooks' badges.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from stamp_notebooks import read_settings  # noqa: E402

SETTINGS = read_settings(ROOT / "pyproject.toml")

project = "optloop"
author = "the optloop authors"
copyright = "the optloop authors, MIT licence"
extensions = ["myst_nb"]
exclude_patterns = ["_build", "**/.ipynb_checkpoints"]
root_doc = "index"

# The notebooks are published with the outputs nbval checked: never executed here.
nb_execution_mode = "off"
nb_ipywidgets_js = {}  # no widget JavaScript from a CDN: a widget needs a kernel (the page says how to get one)
nb_code_prompt_show = "Show the solution"  # only solution cells are collapsed (tag hide-input)
nb_code_prompt_hide = "Hide the solution"
nb_merge_streams = True
myst_heading_anchors = 3  # README's [Tests](#tests) and friends

html_theme = "sphinx_book_theme"
html_title = "optloop"
html_static_path = ["_static"]
html_css_files = ["optloop.css"]
html_favicon = "_static/favicon.svg"
html_context = {"default_mode": "light"}  # an explicit mode: the theme logs a console error without one
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {
    "repository_url": f"https://github.com/{SETTINGS.repository}",
    "repository_branch": SETTINGS.ref,
    "path_to_docs": "",
    "use_repository_button": True,
    "use_download_button": False,
    "launch_buttons": {"colab_url": "https://colab.research.google.com", "binderhub_url": "https://mybinder.org",
                       "notebook_interface": "jupyterlab"},
    "show_toc_level": 2,
    "home_page_in_toc": True,
}
