# Two commands for a newcomer: `make serve` and `make test`. Both set up .venv first.
VENV   := .venv
PY     := $(VENV)/bin/python
MKDOCS := $(VENV)/bin/mkdocs
STAMP  := $(VENV)/.installed
PYTHON ?= python3

# Material 9.7+ prints an end-of-life banner about MkDocs 2 on every run.
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build test bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

serve: $(STAMP)  ## live preview on http://127.0.0.1:8000, snippets/ watched
	$(MKDOCS) serve --dev-addr 127.0.0.1:8000 --livereload

build: $(STAMP)  ## clean strict build into site/
	rm -rf site .cache
	$(MKDOCS) build --strict --site-dir site

test: $(STAMP)   ## the whole suite: snippets, build, notebooks, browser
	$(PY) -m pytest

bench: $(STAMP)  ## build vs floor, serve reload latency, page weight
	$(PY) tests/bench.py

clean:
	rm -rf site .cache test-artifacts
