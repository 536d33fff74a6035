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

.PHONY: setup lab test lint unit nbval browser notebooks bench clean

# A project-local virtual environment with the pinned, tested versions; redone only when they change.
$(STAMP): requirements/constraints.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements/constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

lab: setup
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 --port=$(PORT) --no-browser $(ROOT_FLAG) \
		--ServerApp.root_dir=notebooks --LabApp.news_url=None

test: lint unit nbval browser

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/codespell

unit: setup
	$(PY) -m pytest -q -m "not browser" --doctest-modules optloop_helpers tests

nbval: setup
	$(PY) -m pytest -q --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg notebooks

# Every notebook and widget driven in JupyterLab by the system Chromium (apt-get install -y chromium).
browser: setup
	$(PY) -m pytest -q -m browser tests/browser

# Re-run every notebook from a fresh kernel and save the outputs (commit the result).
notebooks: setup
	$(PY) scripts/run_notebooks.py

bench: setup
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache
