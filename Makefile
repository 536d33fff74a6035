# optloop: two commands do everything.
#   make lab   - set up (first time only) and open JupyterLab on notebooks/
#   make test  - set up (first time only) and run every check CI runs
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
PORT ?= 8888

.PHONY: setup lab test lint unit nbval browser notebooks bench clean colab-setup colab-test stamp site site-check

# A project-local virtual environment with the pinned, tested versions; redone only when they change.
$(STAMP): requirements/constraints.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -c requirements/constraints.txt --upgrade pip
	$(PY) -m pip install --quiet -c requirements/constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

lab: setup
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 --port=$(PORT) --no-browser $(ROOT_FLAG) \
		--ServerApp.root_dir=notebooks --LabApp.news_url=None

test: lint unit nbval browser colab-test site-check

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/codespell

unit: setup
	$(PY) -m pytest -q -m "not browser" --doctest-modules optloop_helpers tests

nbval: setup
	$(PY) -m pytest -q --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg --ignore=notebooks/student notebooks

# Every notebook and widget driven in JupyterLab by the system Chromium (apt-get install -y chromium).
browser: setup
	$(PY) -m pytest -q -m browser tests/browser

# Re-run every notebook from a fresh kernel and save the outputs (commit the result).
notebooks: setup
	$(PY) scripts/run_notebooks.py

bench: setup
	$(PY) benchmarks/run.py

# A Google-Colab-like environment (.venv-colab: ipywidgets 7.8, matplotlib 3.8, the same torch), see
# requirements/colab-constraints.txt: the unit and headless widget tests and nbval must pass there too.
COLAB_VENV ?= .venv-colab
COLAB_PY := $(COLAB_VENV)/bin/python
$(COLAB_VENV)/.installed: requirements/colab-constraints.txt pyproject.toml
	test -x $(COLAB_PY) || $(PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_PY) -m pip install --quiet -c requirements/colab-constraints.txt --upgrade pip
	$(COLAB_PY) -m pip install --quiet -c requirements/colab-constraints.txt -e . \
		ipywidgets matplotlib ipykernel pytest nbval nbclient nbformat pyyaml
	touch $@

colab-setup: $(COLAB_VENV)/.installed

colab-test: colab-setup
	OPTLOOP_ENV=colab $(COLAB_PY) -m pytest -q -p no:cacheprovider -m "not browser" --ignore=tests/browser \
		--doctest-modules optloop_helpers tests
	OPTLOOP_ENV=colab $(COLAB_PY) -m pytest -q -p no:cacheprovider --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg --ignore=notebooks/student notebooks

# Re-stamp Colab badges, set-up cells and the README table from [tool.optloop] in pyproject.toml, re-run the
# notebooks that changed, then regenerate the student versions (notebooks/student/). Commit the result.
stamp: setup
	$(PY) scripts/stamp_notebooks.py --execute
	$(PY) scripts/make_student_versions.py

# The course website (docs/site.md): Sphinx + myst-nb + sphinx-book-theme in .venv-site, pinned by
# requirements/site-constraints.txt; builds site/ from the committed notebooks (never executed) and docs.
# Serve it locally: python3 -m http.server --directory site 8000 (then open http://127.0.0.1:8000/).
SITE_VENV ?= .venv-site
SITE_PY := $(SITE_VENV)/bin/python
$(SITE_VENV)/.installed: requirements/site-constraints.txt
	test -x $(SITE_PY) || $(PYTHON) -m venv $(SITE_VENV)
	$(SITE_PY) -m pip install --quiet -c requirements/site-constraints.txt --upgrade pip
	$(SITE_PY) -m pip install --quiet -c requirements/site-constraints.txt \
		sphinx myst-nb sphinx-book-theme 'tomli; python_version < "3.11"'
	touch $@

site: $(SITE_VENV)/.installed
	$(SITE_PY) scripts/build_site.py

# Build the site, then open every page in Chromium (tests/browser/test_site.py; part of `make test`).
site-check: site setup
	OPTLOOP_SITE_REQUIRED=1 $(PY) -m pytest -q -p no:cacheprovider tests/browser/test_site.py

clean:
	rm -rf $(VENV) $(COLAB_VENV) .pytest_cache
