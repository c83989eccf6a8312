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

# The print file's PDF/X-4 conversion wants a Ghostscript that writes PDF/X-4 (10.05 or
# later; Debian 12's is 10.0): tools/ghostscript.sh links the machine's own gs when it is
# new enough, else builds one from Debian 13's source package with these Debian packages,
# once (2 to 3.5 minutes on 2 cores), into build/tools/. Only `make test-slow` needs it.
GS_X4 := build/tools/ghostscript-10.05.1/bin/gs
GS_BUILD_DEPS := curl xz-utils gcc make pkgconf zlib1g-dev libjpeg-dev libpng-dev \
	libfreetype-dev liblcms2-dev libtiff-dev libjbig2dec0-dev libopenjp2-7-dev libexpat1-dev

$(GS_X4): tools/ghostscript.sh
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends ghostscript $(GS_BUILD_DEPS)
	sh tools/ghostscript.sh $(patsubst %/bin/gs,%,$@)

# Hostile inputs and the other tests with a time budget: seconds each, run by CI too,
# and the conversions by that newer Ghostscript.
test-slow: $(STAMP) $(GS_X4)
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
