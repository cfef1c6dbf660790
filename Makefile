# The course's two commands: `make lab` and `make test`. Each sets itself up from nothing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LAB_ARGS ?=
# JupyterLab refuses to run as root unless told (containers, CI)
ROOT_ARGS := $(if $(filter 0,$(shell id -u)),--allow-root,)
PYTEST_ARGS ?=

.PHONY: setup lab test lint execute test-browser

## setup: create .venv and install the pinned dependencies and course_utils (only when needed)
setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v[:2] == (3, 11) else "The course needs Python 3.11 (found %d.%d). Install it, then run: make PYTHON=python3.11 ..." % v[:2])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $(STAMP)

## lab: open the course in JupyterLab (extra options: make lab LAB_ARGS="--no-browser --port 8890")
lab: setup
	$(BIN)/jupyter lab --notebook-dir=notebooks $(ROOT_ARGS) $(LAB_ARGS)

## lint: ruff over the package, the tests and the notebooks
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## test: lint, then the unit tests and every notebook under nbval (strict)
test: lint
	@snapshot=$$(mktemp) && $(BIN)/python tests/tree_guard.py snapshot $$snapshot && \
	$(BIN)/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS) && \
	$(BIN)/python tests/tree_guard.py compare $$snapshot

## execute: format and re-execute notebooks in place (all, or NB=notebooks/05_loss_and_cost.ipynb)
NB ?= notebooks/*.ipynb
execute: setup
	$(BIN)/ruff format $(NB)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.record_timing=False $(NB)

## test-browser: every notebook run in a real JupyterLab in headless Chromium (needs /usr/bin/chromium;
## on Debian/Ubuntu: sudo apt-get install chromium). Screenshots: BROWSER_SCREENSHOTS=/some/folder
test-browser: setup
	$(BIN)/python -m pytest -o addopts="-p no:cacheprovider" -p no:xdist browser_tests $(PYTEST_ARGS)
