# optloop: two commands do everything.
#   make lab   - set up (first time only) and open JupyterLab on notebooks/
#   make test  - set up (first time only) and run every check CI runs
# and one for while you work:
#   make check - lint and the package's unit tests: no notebook runs, no browser (under a minute)
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
PORT ?= 8888

.PHONY: setup lab test check lint unit nbval browser notebooks bench clean colab-setup colab-test min-setup min-test \
	main-tests other-envs other-tests browser-tests stamp hub-link doctor site site-check

# A project-local virtual environment with the pinned, tested versions; redone only when they change.
$(STAMP): requirements/constraints.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -c requirements/constraints.txt --upgrade pip setuptools
	$(PY) -m pip install --quiet -c requirements/constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# What `make stamp` and `make notebooks` need: the environment, set up only when there is none. Editing
# [tool.optloop] (ref, repository) touches pyproject.toml, which must not re-install the whole environment first.
HAVE_ENV := $(if $(wildcard $(STAMP)),,setup)

# The committed outputs are CPU outputs: every GPU is hidden from the kernels, so get_device() returns cpu.
CPU_ONLY := CUDA_VISIBLE_DEVICES= HIP_VISIBLE_DEVICES=

lab: setup
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 --port=$(PORT) --no-browser $(ROOT_FLAG) \
		--ServerApp.root_dir=notebooks --LabApp.news_url=None

# Every check, each notebook executed at most once per environment (the browser's Run All aside). Two things at
# a time, one per core: the main environment's lint, unit tests and nbval while the Colab-like and the
# minimum-versions environments are set up (one after the other: both build the package here), then the browser
# tests (mostly waiting on Chromium and the kernel) and the website's check while those two environments run
# their tests. The website is built (never executing a notebook) while the environments are set up.
# --output-sync prints each part's output in one piece when it is done.
test: setup
	$(MAKE) --no-print-directory -j2 --output-sync=target main-tests other-envs
	$(MAKE) --no-print-directory -j2 --output-sync=target browser-tests other-tests

main-tests: setup
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory nbval

other-envs:
	$(MAKE) --no-print-directory colab-setup
	$(MAKE) --no-print-directory min-setup
	$(MAKE) --no-print-directory site

browser-tests: setup
	$(MAKE) --no-print-directory browser
	$(MAKE) --no-print-directory site-check

other-tests:
	$(MAKE) --no-print-directory colab-test
	$(MAKE) --no-print-directory min-test

# The inner loop: lint and the package's unit tests and docstring examples. Nothing marked slow (notebook
# executions, `make lab`, commands run in a subprocess) and no browser; `make test` runs all of it.
check: lint
	$(PY) -m pytest -q -p no:cacheprovider -m "not browser and not slow" --doctest-modules optloop_helpers tests

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/codespell

unit: setup
	$(PY) -m pytest -q -m "not browser" --doctest-modules optloop_helpers tests

nbval: setup
	$(PY) -m pytest -q --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg --ignore=notebooks/student notebooks

# Every notebook and widget driven in JupyterLab by the system Chromium (apt-get install -y chromium).
browser: setup
	$(PY) -m pytest -q -m browser tests/browser --ignore=tests/browser/test_site.py

# Re-run every notebook from a fresh kernel, on the CPU, and save the outputs (commit the result).
notebooks: $(HAVE_ENV)
	$(CPU_ONLY) $(PY) scripts/run_notebooks.py

bench: setup
	$(PY) benchmarks/run.py

# A Google-Colab-like environment (.venv-colab: Colab's published ipywidgets 7.7.1, IPython 7.34.0, ipykernel
# 6.17.1, traitlets 5.7.1, matplotlib 3.10.0, numpy 2.0.2; the same torch), see requirements/colab-constraints.txt.
# The package's unit and headless widget tests and nbval must pass there too. Tests marked repo (the repository's
# own files: notebook structure, prose, docs) and the student versions' executions run in the main environment only.
COLAB_VENV ?= .venv-colab
COLAB_PY := $(COLAB_VENV)/bin/python
$(COLAB_VENV)/.installed: requirements/colab-constraints.txt pyproject.toml
	test -x $(COLAB_PY) || $(PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_PY) -m pip install --quiet -c requirements/colab-constraints.txt --upgrade pip setuptools
	$(COLAB_PY) -m pip install --quiet -c requirements/colab-constraints.txt -e . \
		ipywidgets matplotlib ipykernel pytest nbval nbclient nbformat pyyaml
	touch $@

colab-setup: $(COLAB_VENV)/.installed

colab-test: colab-setup
	OPTLOOP_ENV=colab $(COLAB_PY) -m pytest -q -p no:cacheprovider -m "not browser and not repo" \
		--ignore=tests/browser --doctest-modules optloop_helpers tests
	OPTLOOP_ENV=colab $(COLAB_PY) -m pytest -q -p no:cacheprovider --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg --ignore=notebooks/student notebooks

# The lowest versions pyproject.toml promises (.venv-min: torch 2.6.0, numpy 1.23.2, matplotlib 3.8.1,
# ipywidgets 7.6.5), see requirements/min-constraints.txt: the package's tests as in the Colab-like environment,
# and every notebook must run without an error, every claims cell holding (nbval-lax: the printed outputs are not
# compared, since dropout draws other random masks in torch 2.6 than in 2.13; everything else prints the same).
# Where PyTorch's CPU index is reachable (GitHub Actions) torch is its small CPU build; elsewhere pip takes PyPI's
# CUDA build (some GB, downloaded once into pip's cache; it runs on a CPU all the same).
MIN_VENV ?= .venv-min
MIN_PY := $(MIN_VENV)/bin/python
$(MIN_VENV)/.installed: requirements/min-constraints.txt pyproject.toml
	test -x $(MIN_PY) || $(PYTHON) -m venv $(MIN_VENV)
	$(MIN_PY) -m pip install --quiet -c requirements/min-constraints.txt --upgrade pip setuptools
	$(MIN_PY) -m pip install --quiet -c requirements/min-constraints.txt -e . \
		ipykernel pytest nbval nbclient nbformat pyyaml
	touch $@

min-setup: $(MIN_VENV)/.installed

min-test: min-setup
	OPTLOOP_ENV=min $(MIN_PY) -m pytest -q -p no:cacheprovider -m "not browser and not repo" \
		--ignore=tests/browser --doctest-modules optloop_helpers tests
	OPTLOOP_ENV=min $(MIN_PY) -m pytest -q -p no:cacheprovider --nbval-lax --nbval-current-env \
		--ignore=notebooks/student notebooks

# Is this environment ready for the notebooks? (Python, torch and its build, widgets, device, a verdict.)
doctor: setup
	$(PY) -m optloop_helpers.doctor

# The nbgitpuller link that makes a JupyterHub clone this repository and open it:
#   make hub-link HUB=https://hub.example.edu [REF=release-0.1]
# nbgitpuller needs a branch (a tag breaks its second pull): a tag as ref is refused; REF names a branch instead.
hub-link: setup
	$(PY) scripts/hub_link.py $(HUB) $(if $(REF),--ref $(REF),)

# Re-stamp Colab badges, set-up cells and the README table from [tool.optloop] in pyproject.toml, re-run the
# notebooks that changed (on the CPU), then regenerate the student versions (notebooks/student/). Commit the result.
# It sets up the environment only when there is none: a new ref must not re-install everything.
stamp: $(HAVE_ENV)
	$(CPU_ONLY) $(PY) scripts/stamp_notebooks.py --execute
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
	rm -rf $(VENV) $(COLAB_VENV) $(MIN_VENV) $(SITE_VENV) site build/site .pytest_cache
