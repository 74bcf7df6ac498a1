# Task runner: the README's commands and CI (.ci/run) call these targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo install test lint typecheck docs docs-check bench

$(BIN)/tfmend: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: $(BIN)/tfmend
	$(BIN)/python -m pip install --quiet -e '.[test,tensorflow,dev]'
	touch $@

## demo: set up and check the bundled legacy example
demo: $(BIN)/tfmend
	$(BIN)/tfmend check examples/ ; test $$? -le 1

install: $(VENV)/.test-deps

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

docs: install
	$(BIN)/python scripts/generate_docs.py

docs-check: install
	$(BIN)/python scripts/generate_docs.py --check

## test: everything CI runs
test: install lint typecheck docs-check
	$(BIN)/python -m pytest -ra

bench: install
	$(BIN)/python benchmarks/run_all.py
