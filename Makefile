# Two commands for a newcomer: `make serve` and `make test`. Both set up .venv first.
VENV   := .venv
PY     := $(VENV)/bin/python
MKDOCS := $(VENV)/bin/mkdocs
STAMP  := $(VENV)/.installed
PYTHON ?= python3

# Material 9.7+ prints an end-of-life banner about MkDocs 2 on every run.
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build build-fast test check bench lock clean note pdf

LOCK   := requirements.lock

# The exact versions (and hashes) that were tested: a clone built next month gets them too.
# Then the two packages of src/, editable: MkDocs finds their plugins by entry point, and an
# edit to them needs no reinstall (under `make serve`, see the README).
$(STAMP): $(LOCK) pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

lock: $(STAMP)  ## after editing dependencies in pyproject.toml: re-resolve requirements.lock
	$(PY) -m pip install --quiet "pip-tools>=7.6,<7.7"
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-header \
	    --output-file $(LOCK) pyproject.toml
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .

# --dirty: re-render only what changed; exec-cache adds every page whose blocks changed
serve: $(STAMP)  ## live preview on http://127.0.0.1:8000, snippets/ watched, outputs cached
	$(MKDOCS) serve --dirty --dev-addr 127.0.0.1:8000 --livereload

build: $(STAMP)  ## clean strict build into site/: every block executed, as CI and Pages do
	rm -rf site .cache
	$(MKDOCS) build --strict --site-dir site

pdf: $(STAMP)  ## the whole site as one PDF, site/d2l-notes.pdf, and pages that link to it (needs Chromium)
	rm -rf site .cache
	D2L_PDF=true $(MKDOCS) build --strict --site-dir site
	$(PY) -m d2l_site.pdf site $(if $(SITE_URL),--site-url "$(SITE_URL)")

build-fast: $(STAMP)  ## strict build into site/ that reuses .cache/exec (same bytes as `build`)
	D2L_EXEC_CACHE=true $(MKDOCS) build --strict --site-dir site

test: $(STAMP)   ## lint, then the whole suite: snippets, engine, build, notebooks, browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -n 3 --dist loadscope --durations=10  # the slowest ten at the end; 3 workers (tests wait on builds and the browser); a module or class per worker: its fixtures are made once; one shared site build (tests/conftest.py)

# the loop to run while working: no site build, no browser (CONTRIBUTING.md); `make test` before pushing
check: $(STAMP)  ## ruff, the engine, the snippets, the site package's unit tests, the lock: under a minute
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -n 2 -q tests --ignore=tests/site

bench: $(STAMP)  ## build vs floor, serve reload latency, page weight
	$(PY) tests/bench.py

clean:
	rm -rf site .cache test-artifacts

note: $(STAMP)  ## import Obsidian notes: make note SRC="<vault folder or note.md>" [ASSETS=<attachments>] [FORCE=1]
	@test -n "$(SRC)" || { echo 'usage: make note SRC="<vault folder>|<vault>/<note>.md" [ASSETS=<attachments folder>] [FORCE=1]' >&2; exit 2; }
	$(VENV)/bin/d2l-import-note "$(SRC)" $(if $(ASSETS),--assets "$(ASSETS)") $(if $(FORCE),--force)
