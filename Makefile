# The developer interface: `make demo`, `make test`, `make bench`, `make lint`, `make typecheck`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck bench serve clean

# pip speaks for itself (one line per package, a bar per download), so a first install that
# takes a minute shows where it is; the lines it prints are the progress.
PIP := $(BIN)/python -m pip install --disable-pip-version-check --progress-bar on

$(BIN)/python:
	@echo "Creating the virtual environment $(VENV) with $(PYTHON)…"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	@echo "Installing the bot's pinned dependencies into $(VENV) (the first time takes a minute or so)…"
	$(PIP) -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	@echo "Installing the test and lint tools into $(VENV)…"
	$(PIP) -r requirements-dev.txt
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

clean:  ## remove the virtual environment, caches, and what the README's demo commands write (demo-output/)
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache demo-output
