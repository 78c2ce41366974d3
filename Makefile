# The developer interface: `make demo`, `make test`, `make bench`, `make lint`, `make typecheck`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-other-date lint typecheck bench serve clean

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

test: lint  ## install what the tests need, lint, and run the suite with its coverage
	$(BIN)/python -m pytest --cov --cov-report=term

# The tests that read the real clock, talk through subprocesses, or sign requests, run again
# on another date: a Sunday in March 2027 whose night the clocks go forward in Europe (with
# TZ=Europe/London the run starts five minutes before the change). libfaketime comes from
# Debian's `faketime` package; FAKETIME_DONT_RESET keeps every subprocess on the same fake clock.
OTHER_DATE ?= 2027-03-28 00:55:00
OTHER_TZ ?= Europe/London
FAKETIME_LIB ?= $(firstword $(wildcard /usr/lib/*/faketime/libfaketimeMT.so.1 /usr/lib/faketime/libfaketimeMT.so.1))
TIME_TESTS ?= tests/test_fake_date.py tests/test_schedule.py tests/test_schedule_slots.py \
	tests/test_schedule_setup.py tests/test_pulse_loop.py tests/test_cli.py \
	tests/test_standin_signer.py tests/test_privacy.py tests/test_digest_delivery.py \
	tests/test_settings.py tests/test_redraws.py

test-other-date: $(VENV)/.dev  ## the time-related tests again, on another date (needs libfaketime)
	@test -n "$(FAKETIME_LIB)" || { echo "libfaketime not found: apt-get install faketime" >&2; exit 2; }
	LD_PRELOAD=$(FAKETIME_LIB) FAKETIME="@$(OTHER_DATE)" FAKETIME_DONT_RESET=1 TZ=$(OTHER_TZ) \
		PULSE_EXPECT_FAKE_DATE=$(firstword $(OTHER_DATE)) $(BIN)/python -m pytest $(TIME_TESTS)

bench: $(VENV)/.dev  ## run the benchmarks and rewrite docs/PERFORMANCE.md
	$(BIN)/python -m bench

clean:  ## remove the virtual environment, caches, and what the README's demo commands write (demo-output/)
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache demo-output
