"""Every benchmark still runs end to end, at a very small size.

Timings are never asserted: these tests only keep `python -m bench` from rotting. PostgreSQL
figures are included when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import math
import os

import pytest

from bench.__main__ import BENCHMARKS, run_benchmarks
from bench.core import Section

NEEDS_POSTGRES = {"senders"}


@pytest.fixture(scope="module")
def sections() -> dict[str, Section]:
    """All benchmarks, smallest size, one shared run (the history is written once)."""
    said: list[str] = []
    ran, complete = run_benchmarks(
        list(BENCHMARKS),
        size="smoke",
        postgres_url=os.environ.get("TEST_DATABASE_URL"),
        say=said.append,
        show=lambda _section: None,
    )
    assert complete, "a benchmark failed to run to the end:\n" + "\n".join(said[-40:])
    return {section.name: section for section in ran}


@pytest.mark.parametrize("name", list(BENCHMARKS))
def test_benchmark_runs_end_to_end_and_reports_every_figure_against_a_floor(
    sections: dict[str, Section], name: str
) -> None:
    if name in NEEDS_POSTGRES and not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip(f"{name} runs on PostgreSQL only (set TEST_DATABASE_URL)")
    section = sections[name]
    assert section.figures and section.targets and section.setup
    for figure in section.figures:
        assert math.isfinite(figure.value) and figure.value > 0, figure
        assert math.isfinite(figure.floor) and figure.floor > 0, figure
    assert all(target.met is not None for target in section.targets)


@pytest.mark.parametrize("name", ["answer_path", "fanout", "senders"])
def test_benchmark_checks_that_the_bot_did_the_work_it_was_timed_on(
    sections: dict[str, Section], name: str
) -> None:
    if name in NEEDS_POSTGRES and not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip(f"{name} runs on PostgreSQL only (set TEST_DATABASE_URL)")
    checks = " ".join(sections[name].checks)
    assert "PROBLEM" not in checks and ": NO" not in checks, checks
    assert ", 0 problems" in checks, checks


def test_answer_path_is_also_read_against_a_floor_that_makes_the_same_web_api_call(
    sections: dict[str, Section],
) -> None:
    section = sections["answer_path"]
    floors = {figure.floor_name for figure in section.figures}
    assert {"bare Bolt app", "bare Bolt app + chat.update"} <= floors
    assert any("The bare app that redraws reached" in check for check in section.checks)


def test_tick_benchmark_checks_every_due_team_was_done_once_and_no_other(
    sections: dict[str, Section],
) -> None:
    checks = sections["tick"].checks
    assert checks and all(": OK:" in check for check in checks), checks
    phases = ("nothing due", "pulse, many teams", "reminder, many teams", "close, many teams")
    assert all(any(phase in check for check in checks) for phase in phases), checks
