# strandrisk: the two commands a newcomer runs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
BENCHSTAMP := $(VENV)/.installed-bench

.PHONY: run test bench lint format clean golden

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(DEVSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@ $(STAMP)

## run: create .venv, install strandrisk and run the main job on the embedded defaults
run: $(STAMP)
	$(BIN)/strandrisk run

## test: create .venv, install with the dev extra and run the whole test suite
test: $(DEVSTAMP)
	$(BIN)/python -m pytest

$(BENCHSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	@touch $@ $(DEVSTAMP) $(STAMP)

## bench: speed benchmarks (never part of the test suite; about 30 minutes)
bench: $(BENCHSTAMP)
	$(BIN)/python -m pytest benchmarks --benchmark-only --benchmark-columns=min,median,max,rounds -p no:cacheprovider

## golden: regenerate tests/data/golden after a deliberate change (then review git diff)
golden: $(DEVSTAMP)
	$(BIN)/python scripts/update_golden.py

## lint: ruff lint and format check, mypy type check
lint: $(DEVSTAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(DEVSTAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis .benchmarks
