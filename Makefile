# musicviz: two commands do everything on a fresh machine.
#   make run   create .venv, make the data, execute every notebook into build/, export figures,
#              build the course site from the executed copies (build/html/index.html)
#   make test  create .venv and the data if missing, run every test and every notebook under nbval
# Test tiers (CONTRIBUTING.md, "Tests"):
#   make check  the loop while you work: the tests that need only the venv, and the docstring
#               examples of musicviz (at most 2 minutes warm)
#   make test   check + the slow tests (data, TensorFlow, kernels, browser) + nbval, each notebook
#               executed once (at most 6 minutes warm); what an instructor's CI runs
#   make ci-extra  CI only (.ci/run): the `ci` tests (the series on a short real copy, ...) and the portability runs
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The data folder: MUSICVIZ_DATA when set (made absolute: the notebooks run in notebooks/),
# else data/. Every data path below follows it, and so do the notebooks and the musicviz
# commands the recipes run (musicviz.config), which read it from the environment.
ifneq ($(strip $(MUSICVIZ_DATA)),)
export MUSICVIZ_DATA := $(abspath $(MUSICVIZ_DATA))
endif
DATA_DIR := $(or $(MUSICVIZ_DATA),data)
SYNTH_DIR := $(DATA_DIR)/synth
SYNTH := $(SYNTH_DIR)/metadata.csv
# The pretrained network's embeddings and tags of the synthetic set (notebooks 07, 08), cached
# under the data folder (content-addressed: a rerun on unchanged clips reads the cache in seconds).
EMBEDDINGS := $(DATA_DIR)/.musicnn-embeddings
SEED ?= 0
# The pretrained network's weights (notebooks 07, 08): musicnn's wheel is installed for its
# checkpoint files only (its code pins numpy<1.17 and needs Keras 2), so without dependencies.
# The stamp names the pin: an older environment, or a new pin, gets it installed.
MUSICNN := musicnn==0.1.0
MUSICNN_STAMP := $(VENV)/.installed-$(MUSICNN)
# Real GTZAN material: a user's copy is MUSICVIZ_GTZAN (default data/gtzan/); only the test
# suite (tests/conftest.py, notebooks/conftest.py) and .ci/run point it at ../shared/data.
export PYTHONHASHSEED := 0
export TF_CPP_MIN_LOG_LEVEL := 3
export TF_ENABLE_ONEDNN_OPTS := 0
export MPLBACKEND := Agg
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]*.ipynb))
# The JavaScript the slides load (require.js, MathJax, the widget renderer, reveal.js) and the
# course site's MathJax, pinned in package.json / package-lock.json and copied into the build.
NPM ?= npm
ASSETS_STAMP := node_modules/.musicviz-installed
# JupyterLab settings of the environment (default kernel, no news prompt): scripts/lab_setup.py.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.d/musicviz.json
# JupyterLab refuses to run as root unless told (containers, CI).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: help run test check ci-extra ci-tests portability env data execute figures lab nav slides bench mutation clean assets browser html screenshots lab-setup student grade

help:
	@echo "make run      create the environment, make the data, execute every notebook, export figures, build the site"
	@echo "make test     run every test and every notebook under pytest --nbval (what CI runs)"
	@echo "make check    the fast tier: the tests that need only the venv + docstring examples (< 2 min)"
	@echo "make lab      open JupyterLab on the notebooks (trusted, default kernel, no news prompt)"
	@echo "make html     the course site from the stored outputs: build/html/index.html (decks first; no execution)"
	@echo "make figures  export every figure of the series into build/figures/ (+ index.html)"
	@echo "make nav      rewrite the navigation cells and the tables of contents"
	@echo "make slides   turn every notebook into a reveal.js deck in build/slides/"
	@echo "make screenshots  a site page, the site's search results, a slide and the clip explorer in build/screenshots/ (needs chromium)"
	@echo "make assets   install the pages' JavaScript (npm ci): HTML and slides then work offline"
	@echo "make execute  re-run the committed notebooks in place (after an edit; ONLY='0[1-3]*' for some)"
	@echo "make bench    run the feature-extraction benchmark"
	@echo "make portability  CI: the notebooks under nbval on perturbed platforms (PERTURBATIONS=\"blas-kernel one-thread onednn\")"
	@echo "make mutation     opt-in: mutation testing of the core numeric modules (mutmut), prints the score"
	@echo "make student  the student release in build/student/ (no solutions/, docs/, tests/, .ci/)"
	@echo "make grade SUBMISSIONS=dir  run and grade submitted notebooks into build/grades/ (grades.csv, report.html)"

env: $(STAMP) $(MUSICNN_STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[cnn,notebooks,test,dask,site]"
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	@# numba's cache is filled here, by one process: parallel workers (make data, pytest -n)
	@# compiling the same function at once can corrupt it for good (musicviz._clip_engine.warm_numba).
	$(PY) -c "from musicviz._clip_engine import warm_numba; warm_numba()"
	touch $(STAMP)

$(MUSICNN_STAMP): $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps $(MUSICNN)
	touch $@

# npm missing or offline: the pages are still built, but load their JavaScript from CDNs.
assets: $(ASSETS_STAMP)

$(ASSETS_STAMP): package.json package-lock.json
	@if command -v $(NPM) >/dev/null 2>&1; then \
	  $(NPM) ci --no-audit --no-fund --ignore-scripts --loglevel=error && touch $@ \
	  || echo "warning: npm ci failed: HTML pages and slides will load their JavaScript from CDNs (they will need the network)" >&2; \
	else \
	  echo "warning: npm not found: HTML pages and slides will load their JavaScript from CDNs (they will need the network)" >&2; \
	fi

# The browser tests and the screenshots drive Debian's Chromium: installed here when it is missing
# and this user can (root with apt-get: containers, CI); otherwise those tests skip with the reason
# (CI sets MUSICVIZ_REQUIRE_BROWSER=1, where a missing browser fails them).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium (apt-get) for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
	    || echo "warning: apt-get could not install chromium: the browser tests will skip" >&2; \
	  else \
	    echo "warning: chromium not found (Debian: apt-get install chromium): the browser tests will skip" >&2; \
	  fi; }

lab-setup: $(LAB_SETTINGS)

$(LAB_SETTINGS): $(STAMP) scripts/lab_setup.py
	$(PY) scripts/lab_setup.py >/dev/null

data: $(SYNTH) $(EMBEDDINGS)

$(SYNTH): $(STAMP) $(MUSICNN_STAMP) $(wildcard musicviz/synth/*.py)
	rm -rf $(SYNTH_DIR)  # no stale clips from an earlier, larger set
	$(PY) -m musicviz -q data synth --out $(SYNTH_DIR) --seed $(SEED)

$(EMBEDDINGS): $(SYNTH) $(wildcard musicviz/pretrained/*.py)
	$(PY) -m musicviz -q pretrained cache --jobs 2
	touch $@

# The site (build/html) is built from the executed copies in build/notebooks (musicviz.course.series).
run: $(SYNTH) $(EMBEDDINGS) assets
	$(PY) scripts/run_series.py --out build --figures build/figures

# Which tests are slow is the `slow` marker's (tests/conftest.py marks the ones that need the
# synthetic set); `ci` marks what only .ci/run runs. Doctests: every module of musicviz.
# Tests run in pytest-xdist workers (one per core); a test file, or a notebook, stays on one
# worker (--dist loadfile: a notebook's cells run in order in one kernel).
JOBS ?= auto
PYTEST := $(PY) -m pytest -q -p no:cacheprovider -n $(JOBS) --dist loadfile
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg

check: $(STAMP) $(MUSICNN_STAMP)
	$(PYTEST) -m "not slow and not ci" --doctest-modules tests musicviz

# Notebooks that use another notebook's results (metadata "after": 07 and 08 use the CNN 06
# saves) run in a second pytest run, once the first has run the notebooks they need.
LATE_NOTEBOOKS := $(shell grep -l '"after": \[' $(NOTEBOOKS))

# make test makes the data first, so a test skipping for want of it is a bug (it fails). The
# unit tests, the docstring examples and the notebooks share the workers.
test: $(SYNTH) $(EMBEDDINGS) assets browser $(LAB_SETTINGS)
	MUSICVIZ_REQUIRE_DATA=1 $(PYTEST) -m "not ci" --doctest-modules $(NBVAL) tests musicviz $(filter-out $(LATE_NOTEBOOKS),$(NOTEBOOKS))
	$(PYTEST) $(NBVAL) $(LATE_NOTEBOOKS)

# CI only: the tests marked `ci` (the whole series on a short real copy, needing ../shared or
# MUSICVIZ_GTZAN; a fresh numba cache's parallel first run; JupyterLab in Chromium; grading the
# hostile class and a class of 30, and stopping the grader), then every notebook on perturbed
# platforms.
ci-extra: ci-tests portability

ci-tests: $(SYNTH) $(EMBEDDINGS) assets browser $(LAB_SETTINGS)
	$(PYTEST) -m ci tests

portability: $(SYNTH) $(EMBEDDINGS)
	$(PY) scripts/portability.py $(if $(PERTURBATIONS),--only $(PERTURBATIONS))

# Stored outputs are made the way the tests check them: with the course's real material.
execute: $(SYNTH) $(EMBEDDINGS)
	MUSICVIZ_GTZAN="$${MUSICVIZ_GTZAN:-$(abspath ../shared/data)}" $(PY) scripts/run_series.py --in-place $(if $(ONLY),--only '$(ONLY)')

figures: $(SYNTH)
	$(PY) scripts/export_figures.py --out build/figures

lab: $(SYNTH) $(LAB_SETTINGS)
	$(VENV)/bin/jupyter trust $(NOTEBOOKS)
	$(VENV)/bin/jupyter lab $(ALLOW_ROOT) notebooks

nav: $(STAMP)
	$(PY) scripts/nav.py

slides: $(STAMP) assets
	$(PY) scripts/slides.py --out build/slides

# The course site (Sphinx + MyST-NB + PyData theme, the `site` extra; docs/site/): every lesson
# from its stored outputs, offline. The decks are made first so each page links its own.
html: $(STAMP) assets slides
	$(PY) -m musicviz.course.build_site --build build

screenshots: $(SYNTH) assets browser $(LAB_SETTINGS)
	$(PY) scripts/browser.py screenshots --build build

bench: $(SYNTH)
	$(PY) -m musicviz bench features

# Opt-in (about 5 minutes): not part of `make test`.
mutation: $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check mutmut==3.8.1
	$(PY) scripts/mutation.py

# Instructors: the student release, and grading a folder of submissions (docs/INSTRUCTORS.md).
student: $(STAMP)
	$(PY) -m musicviz.grading student --out build/student

grade: $(SYNTH)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=folder (SUBMISSIONS/<student>/<nb>.ipynb or SUBMISSIONS/<student>__<nb>.ipynb)" >&2; exit 2; }
	$(PY) -m musicviz.grading grade "$(SUBMISSIONS)" --out build/grades

clean:
	rm -rf build .pytest_cache
