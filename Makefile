# The course's two commands: `make lab` and `make test`. Each sets itself up from nothing.
# The Python that creates .venv: PYTHON when given (make lab PYTHON=python3.12), else python3 when
# the course supports it, else the newest supported python3.X on the PATH; an unsupported one is
# refused with what to do (course_tools/choose_python.py, run with python3 or PYTHON itself).
PYTHON ?=
CHOOSE_PYTHON := $(or $(PYTHON),python3) course_tools/choose_python.py $(PYTHON)
VENV   := .venv
BIN    := $(VENV)/bin
# Two set-ups: a student's (the lab extras) and the tests' (adds pytest, nbval, ruff, playwright).
LAB_STAMP  := $(VENV)/.installed-lab
TEST_STAMP := $(VENV)/.installed-test
LAB_ARGS ?=
# JupyterLab refuses to run as root unless told (containers, CI)
ROOT_ARGS := $(if $(filter 0,$(shell id -u)),--allow-root,)
PYTEST_ARGS ?=
# The course's models are tiny: one thread per process is fastest, and when tests run in parallel,
# several threads per process fight over the cores (a training step became 30 times slower).
export OMP_NUM_THREADS ?= 1

.PHONY: setup setup-lab lab test lint execute test-browser slides site bench student grade \
	test-compat compat-pinned compat-newest compat-oldest test-colab

## setup-lab: create .venv and install what a student needs: the pinned lab extras and course_utils,
## and the course's JupyterLab settings (presenting/overrides.json: the slideshow's theme)
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
setup-lab: $(LAB_STAMP) $(LAB_SETTINGS)

$(LAB_SETTINGS): presenting/overrides.json $(LAB_STAMP)
	mkdir -p $(dir $@)
	cp presenting/overrides.json $@

$(LAB_STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || { python=$$($(CHOOSE_PYTHON)) && $$python -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[lab]"
	touch $(LAB_STAMP)

## setup: the lab set-up plus the test extras (pytest, nbval, ruff, playwright), for the targets below
setup: $(TEST_STAMP) $(LAB_SETTINGS)

$(TEST_STAMP): $(LAB_STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $(TEST_STAMP)

## lab: open the course in JupyterLab, in your own copy of the notebooks (extra options:
## make lab LAB_ARGS="--no-browser --port 8890"). The copy, my-notebooks/, is the student edition
## (no solutions), made on the first run and never overwritten: git ignores it, so your work never
## conflicts with a course update; a later run adds the notebooks it lacks (README, "Your own copy").
MY_NOTEBOOKS ?= my-notebooks
lab: setup-lab
	$(BIN)/python -m course_tools.student_edition --own-copy notebooks $(MY_NOTEBOOKS)
	$(BIN)/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/$(MY_NOTEBOOKS) $(ROOT_ARGS) $(LAB_ARGS)

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

## slides: export every notebook (or NB=notebooks/05_loss_and_cost.ipynb) as reveal.js slides into
## build/slides (open build/slides/*.slides.html); browser_tests/slide_sizes.py measures them.
## reveal.js, require.js, jQuery and MathJax are installed next to them with npm when npm is there,
## so the slides work offline; without npm they load those from the internet. The rest of the
## settings (theme, template, alt text for the plots) are in presenting/slides_config.py.
SLIDES := build/slides
SLIDE_LIBS := reveal.js@4.0.2 requirejs@2.3.7 jquery@2.2.4 mathjax@2.7.9
slides: setup-lab
	mkdir -p $(SLIDES)
	if command -v npm >/dev/null 2>&1; then \
	  test -d $(SLIDES)/node_modules/mathjax || npm install --silent --no-save --prefix $(SLIDES) $(SLIDE_LIBS); \
	  libs="--SlidesExporter.reveal_url_prefix=node_modules/reveal.js \
	        --SlidesExporter.require_js_url=node_modules/requirejs/require.js \
	        --SlidesExporter.jquery_url=node_modules/jquery/dist/jquery.min.js \
	        --SlidesExporter.mathjax_url=node_modules/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"; \
	else \
	  echo "npm not found: the slides will load reveal.js, require.js and MathJax from the internet"; \
	  libs=""; \
	fi; \
	$(BIN)/jupyter nbconvert --config presenting/slides_config.py --to slides --output-dir $(SLIDES) \
	  $$libs $(NB)

## site: the course as a website in build/site (Sphinx + MyST-NB + sphinx-book-theme), from the
## committed notebooks, never executed; fails on any warning. Open build/site/index.html, or copy
## the folder to any static host (it loads nothing from other hosts).
site: setup
	$(BIN)/python -m course_tools.site build/site

## student: the student edition in build/student (solution cells removed, check outputs cleared;
## the pictures are inside the notebooks, as cell attachments)
student: setup-lab
	$(BIN)/python -m course_tools.student_edition notebooks build/student

## grade: grade submitted notebooks, each in its own sandbox (needs bubblewrap: sudo apt-get install
## bubblewrap). NB=a submitted .ipynb, or a class: a folder with one subfolder per student, graded
## JOBS at a time (default: the cores); GRADE_ARGS="--timeout 120 --memory 6" for more seconds per
## cell or GB per notebook. Prints a summary; writes grades.txt/.json/.csv and gradebook.csv.
JOBS ?=
grade: setup-lab
	@test "$(origin NB)" = "command line" || { echo 'Say what to grade: make grade NB=path/to/submission.ipynb (or NB=a/folder)'; exit 2; }
	$(BIN)/python -m course_tools.grading $(NB) $(if $(JOBS),--jobs $(JOBS)) $(GRADE_ARGS)

## bench: time every notebook, fit against the seed's loop, the explorers' redraws, the import
## and the website's build (make site), with the site's size
bench: setup
	$(BIN)/python bench/run.py

## test-compat: the course on the other supported Pythons and releases, in git-ignored virtual
## environments under .venv-compat/ that reruns reuse (delete one to rebuild it); README, "Versions":
##   compat-pinned: Python 3.12 with constraints.txt: the unit tests and strict nbval, every notebook;
##   compat-newest: Python 3.13 with the newest releases pyproject.toml allows, and
##   compat-oldest: Python 3.13 with the oldest it allows (every lower bound pinned): the unit tests
##     but those marked `pins`, then every notebook top to bottom, every solution's check passing,
##     with a count of the outputs that differ from the committed ones;
##   test-colab: every notebook alone in an empty folder, as Colab opens it.
## The Pythons: COMPAT_PYTHON (3.12) and OTHER_PYTHON (3.13); with pyenv, .ci/run selects both.
COMPAT := .venv-compat
COMPAT_PYTHON ?= python3.12
OTHER_PYTHON ?= python3.13
test-compat: compat-pinned compat-newest compat-oldest test-colab

# $(call compat_venv,NAME,PYTHON): create .venv-compat/NAME with PYTHON unless it is there
compat_venv = test -x $(COMPAT)/$(1)/bin/python || $(2) -m venv $(COMPAT)/$(1)

$(COMPAT)/pinned/.installed: pyproject.toml constraints.txt
	$(call compat_venv,pinned,$(COMPAT_PYTHON))
	$(COMPAT)/pinned/bin/python -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $@

$(COMPAT)/newest/.installed: pyproject.toml
	$(call compat_venv,newest,$(OTHER_PYTHON))
	$(COMPAT)/newest/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -e ".[test]"
	touch $@

$(COMPAT)/oldest/.installed: pyproject.toml
	$(call compat_venv,oldest,$(OTHER_PYTHON))
	$(COMPAT)/oldest/bin/python course_tools/compat.py lowest pyproject.toml > $(COMPAT)/oldest/lowest.txt
	$(COMPAT)/oldest/bin/python -m pip install --quiet -c $(COMPAT)/oldest/lowest.txt -e ".[test]"
	touch $@

# Colab's own Python and what it preinstalls of what the course uses (tqdm too); never course_utils
$(COMPAT)/colab/.installed:
	$(call compat_venv,colab,$(COMPAT_PYTHON))
	$(COMPAT)/colab/bin/python -m pip install --quiet torch numpy matplotlib ipywidgets scikit-learn tqdm ipykernel
	touch $@

compat-pinned: $(COMPAT)/pinned/.installed
	$(COMPAT)/pinned/bin/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

compat-newest compat-oldest: compat-%: $(COMPAT)/%/.installed
	$(COMPAT)/$*/bin/python -m pytest -n 2 -m "not pins" tests $(PYTEST_ARGS)
	$(COMPAT)/$*/bin/python -m course_tools.compat run notebooks/*.ipynb

## test-colab: every notebook copied alone into an empty folder and run in a fresh environment of
## Colab's packages (no course_utils): its install cell installs a wheel of this working tree
test-colab: setup $(COMPAT)/colab/.installed
	$(BIN)/python -m course_tools.compat colab --python $(COMPAT)/colab/bin/python notebooks/*.ipynb
