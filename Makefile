# musicviz: two commands do everything on a fresh machine.
#   make run   create .venv, make the data, execute every notebook into build/, export figures
#   make test  create .venv if missing, run the unit tests and the notebooks under nbval
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SYNTH_DIR := data/synth
SYNTH := $(SYNTH_DIR)/metadata.csv
SEED ?= 0
# Real GTZAN material: a user's copy is MUSICVIZ_GTZAN (default data/gtzan/); only the test
# suite (tests/conftest.py, notebooks/conftest.py) and .ci/run point it at ../shared/data.
export PYTHONHASHSEED := 0
export TF_CPP_MIN_LOG_LEVEL := 3
export TF_ENABLE_ONEDNN_OPTS := 0
export MPLBACKEND := Agg
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]*.ipynb))

.PHONY: help run test portability env data execute figures lab nav slides bench clean

help:
	@echo "make run      create the environment, make the data, execute every notebook, export figures"
	@echo "make test     run the unit tests and every notebook under pytest --nbval"
	@echo "make lab      open JupyterLab on the notebooks"
	@echo "make figures  export every figure of the series into build/figures/ (+ index.html)"
	@echo "make nav      rewrite the navigation cells and the tables of contents"
	@echo "make slides   turn every notebook into a reveal.js deck in build/slides/"
	@echo "make execute  re-run the committed notebooks in place (after an edit; ONLY='0[1-3]*' for some)"
	@echo "make bench    run the feature-extraction benchmark"
	@echo "make portability  run the training notebooks under nbval on perturbed platforms (BLAS kernel, threads, oneDNN)"

env: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[cnn,notebooks,test]"
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

data: $(SYNTH)

$(SYNTH): $(STAMP) $(wildcard musicviz/synth/*.py)
	rm -rf $(SYNTH_DIR)  # no stale clips from an earlier, larger set
	$(PY) -m musicviz -q data synth --out $(SYNTH_DIR) --seed $(SEED)

run: $(SYNTH)
	$(PY) scripts/run_series.py --out build --figures build/figures

test: $(SYNTH)
	$(PY) -m pytest tests -q
	$(PY) -m pytest -q --nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg -p no:randomly notebooks

portability: $(SYNTH)
	$(PY) scripts/portability.py

# Stored outputs are made the way the tests check them: with the course's real material.
execute: $(SYNTH)
	MUSICVIZ_GTZAN="$${MUSICVIZ_GTZAN:-$(abspath ../shared/data)}" $(PY) scripts/run_series.py --in-place $(if $(ONLY),--only '$(ONLY)')

figures: $(SYNTH)
	$(PY) scripts/export_figures.py --out build/figures

lab: $(SYNTH)
	$(VENV)/bin/jupyter lab notebooks

nav: $(STAMP)
	$(PY) scripts/nav.py

slides: $(STAMP)
	$(PY) scripts/slides.py --out build/slides

bench: $(SYNTH)
	$(PY) -m musicviz bench features

clean:
	rm -rf build .pytest_cache
