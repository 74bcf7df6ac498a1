# Task runner: the README's commands and CI (.ci/run) call these targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo dist install editors test lint typecheck generated generated-check pytest bench bench-smoke fuzz

$(BIN)/tfmend: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: $(BIN)/tfmend
	$(BIN)/python -m pip install --quiet -e '.[test,tensorflow,dev]'
	touch $@

## demo: set up, check the bundled legacy examples (exit 1 = problems found, as expected) and
## write their migration report to migration.html
demo: $(BIN)/tfmend
	$(BIN)/tfmend check examples/ ; test $$? -le 1
	$(BIN)/tfmend report examples/ --output migration.html

## dist: the wheel and the sdist, into dist/ (what `pip install` and `pipx install` take)
dist: $(BIN)/tfmend
	$(BIN)/python -m pip install --quiet build
	rm -rf dist
	$(BIN)/python -m build --outdir dist .

install: $(VENV)/.test-deps

## editors: the real editors the client tests drive (apt, npm, PyPI; cached, idempotent)
editors:
	PYTHON=$(PYTHON) bash .ci/install-editors.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

## generated: rebuild every generated file (docs pages, TF1 rules in rules-tf1.yaml, tf.keras
## legacy names, Keras 2 module paths in rules-keras2.yaml)
generated: install
	$(BIN)/python scripts/generate_tf1_rules.py
	$(BIN)/python scripts/generate_tf_keras_legacy.py
	$(BIN)/python scripts/generate_keras2_names.py
	$(BIN)/python scripts/generate_docs.py

generated-check: install
	$(BIN)/python scripts/generate_tf1_rules.py --check
	$(BIN)/python scripts/generate_tf_keras_legacy.py --check
	$(BIN)/python scripts/generate_keras2_names.py --check
	$(BIN)/python scripts/generate_docs.py --check

pytest: install editors
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -ra

## fuzz: the fuzz tests with ten times the examples CI runs (engine, language server, settings)
fuzz: install
	TFMEND_FUZZ_PROFILE=fuzz $(BIN)/python -m pytest -q -m fuzz

bench: install
	$(BIN)/python benchmarks/run_all.py

bench-smoke: install
	$(BIN)/python benchmarks/run_all.py --smoke

## test: everything CI runs
test: lint typecheck generated-check pytest bench-smoke
