"""The review's rules as plain functions: what may be shown, how spread is measured, and
that results are never summed into one total."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from surveys.review import (
    QUESTIONS,
    BadQuarter,
    count_levels,
    parse_quarter,
    quarter_of,
    shown,
    spread,
    summarise,
)
from surveys.review_format import review_to_dict, review_to_text


def test_the_briefing_asks_ten_questions_each_with_four_described_levels() -> None:
    assert len(QUESTIONS) == 10
    assert QUESTIONS[1].id == "collating-and-analysing-data"
    assert all(len(q.levels) == 4 and all(q.levels) for q in QUESTIONS)
    assert QUESTIONS[0].described()[0].startswith("Not in place: ")


def test_a_distribution_is_withheld_below_the_threshold_or_when_a_handful_agree() -> None:
    assert not shown((1, 1, 1, 1), 5)
    assert shown((1, 2, 1, 1), 5)
    assert not shown((0, 9, 0, 0), 5)
    assert shown((0, 10, 0, 0), 5)
    assert not shown((0, 10, 0, 0), 11)


def test_spread_is_zero_when_all_agree_and_one_when_split_between_the_ends() -> None:
    assert spread((0, 6, 0, 0)) == 0.0
    assert spread((3, 0, 0, 3)) == 1.0
    assert 0 < spread((1, 2, 2, 1)) < spread((2, 0, 0, 3))


def test_dont_know_is_not_counted() -> None:
    assert count_levels([1, None, 4, 4, None]) == (1, 0, 0, 2)


def test_results_hold_no_total_and_name_the_widest_spread_first() -> None:
    results = summarise(
        team="C1",
        quarter="2026-Q4",
        invited=9,
        answers={QUESTIONS[0].id: [1, 2, 3, 4, 2], QUESTIONS[4].id: [1, 1, 4, 4, 4, 1]},
        respondents=6,
        threshold=5,
        closed=True,
    )
    data = review_to_dict(results)
    assert data["spread_most"] == [QUESTIONS[4].id, QUESTIONS[0].id]
    assert "total" not in data and "score" not in str(data)
    assert "spread most" in review_to_text(results)


def test_quarters_are_read_strictly() -> None:
    assert quarter_of(datetime(2026, 12, 31, 23, 0, tzinfo=UTC)) == "2026-Q4"
    assert parse_quarter("2027-q1") == "2027-Q1"
    for bad in ("2026-Q5", "2026Q1", "next quarter"):
        with pytest.raises(BadQuarter):
            parse_quarter(bad)
