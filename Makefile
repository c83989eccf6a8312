# Set-up and everyday tasks. `make book` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test test-slow lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The modules mypyc compiles (pyproject.toml's mypyc hook): installing compiles them
# again when their source changes, so no test runs a stale extension.
COMPILED := $(shell sed -n 's|^ *"/\(abstractbook/.*\.py\)",*$$|\1|p' pyproject.toml)

# Pinned versions (constraints.txt) keep the output from drifting when a dependency releases.
$(STAMP): $(BIN)/python pyproject.toml constraints.txt $(COMPILED)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,lint]'
	touch $(STAMP)

# The package's bytecode, compiled ahead as an installed package's is: with
# PYTHONDONTWRITEBYTECODE set, Python would otherwise compile every module on each
# command (a sixth of a rebuild). Only what changed is compiled again.
book: $(STAMP)
	$(BIN)/python -m compileall -q abstractbook
	$(BIN)/abstractbook build -o build/book.pdf

# The tests read PDFs with poppler's pdftotext as well as pypdf (word positions), and
# check the print files with Ghostscript (separations, PDF/X and PDF/A conversions):
# Debian's poppler-utils and ghostscript, installed when missing.
PDFTOTEXT := $(shell command -v pdftotext 2>/dev/null)
GS := $(shell command -v gs 2>/dev/null)
MISSING := $(if $(PDFTOTEXT),,poppler-utils) $(if $(GS),,ghostscript)

test: $(STAMP)
ifneq ($(strip $(MISSING)),)
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(MISSING)
endif
	$(BIN)/python -m pytest -m "not slow"

# Hostile inputs and the other tests with a time budget: seconds each, run by CI too.
test-slow: $(STAMP)
ifneq ($(strip $(MISSING)),)
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(MISSING)
endif
	$(BIN)/python -m pytest -m slow

# SPEC §5's figures: whole-process timings on synthetic corpora (build/bench/), a few minutes.
bench: $(STAMP)
	$(BIN)/python -m compileall -q abstractbook
	$(BIN)/python bench/run.py

lint: $(STAMP)
	$(BIN)/ruff check abstractbook tests
	$(BIN)/ruff format --check abstractbook tests
	$(BIN)/mypy

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
