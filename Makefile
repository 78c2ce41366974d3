# The developer interface: `make demo`, `make test`, `make bench`, `make lint`, `make typecheck`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck bench serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

demo: $(VENV)/.runtime  ## run the whole loop against the local stand-in workspace
	$(BIN)/python bot.py demo

lint: $(VENV)/.dev  ## ruff's checks and formatting, then mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

typecheck: $(VENV)/.dev  ## mypy alone (the files and settings are in pyproject.toml)
	$(BIN)/mypy

test: lint  ## install what the tests need, lint, and run the suite
	$(BIN)/python -m pytest

bench: $(VENV)/.dev  ## run the benchmarks and rewrite docs/PERFORMANCE.md
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache demo-output
