"""Differencing attacks on published figures: a suppressed figure must be unrecoverable.

The strongest form of the promise is tested directly: changing the answers behind a
suppressed figure changes nothing that is published — not the index, not another week's
comparison, not a summary, not an export. Whatever an attacker subtracts, they get the
same result whichever answers were given.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.anonymity import ThresholdTooLow, checked_threshold
from surveys.digest import AnswerRow, RoundFacts, compute_digest
from surveys.digest_format import digest_to_dict
from surveys.export import export_csv
from surveys.summary import compute_summary

THRESHOLD = 5
A, B, C = "talk-of-us", "ask-and-listen", "report-honestly"
points = st.lists(st.integers(1, 5), min_size=4, max_size=4)


def _answers(week: str, behaviour: str, values: list[int], first: int = 0) -> list[AnswerRow]:
    return [AnswerRow(week, f"p{first + i}", behaviour, v) for i, v in enumerate(values)]


def _week(week: str, suppressed_points: list[int]) -> list[AnswerRow]:
    """Six people answer A and B; only four of them answer C, which is suppressed."""
    return (
        _answers(week, A, [5, 4, 4, 2, 5, 3])
        + _answers(week, B, [2, 3, 1, 4, 2, 3])
        + _answers(week, C, suppressed_points)
    )


ROUNDS = [RoundFacts(w, (A, B, C), 8) for w in ("2026-W45", "2026-W46", "2026-W47")]


def _published(answers: list[AnswerRow], week: str) -> dict[str, Any]:
    digest = compute_digest(
        team="C1", week=week, answers=answers, rounds=ROUNDS, threshold=THRESHOLD
    )
    return digest_to_dict(digest)


@settings(max_examples=60, deadline=None)
@given(first=points, second=points)
def test_week_index_does_not_pool_a_suppressed_behaviour(
    first: list[int], second: list[int]
) -> None:
    one = _published(_week("2026-W47", first), "2026-W47")
    two = _published(_week("2026-W47", second), "2026-W47")
    assert one == two
    figure = next(b for b in one["behaviours"] if b["id"] == C)
    assert figure["suppressed"] is True and figure["score"] is None and figure["n"] is None


@settings(max_examples=40, deadline=None)
@given(first=points, second=points)
def test_later_weeks_never_compare_with_a_suppressed_figure(
    first: list[int], second: list[int]
) -> None:
    history = _week("2026-W45", [3, 3, 3, 3])
    later = _answers("2026-W47", C, [4, 4, 5, 5, 3, 2])
    one = _published(history + _answers("2026-W46", C, first) + later, "2026-W47")
    two = _published(history + _answers("2026-W46", C, second) + later, "2026-W47")
    assert one == two


@settings(max_examples=40, deadline=None)
@given(first=points, second=points)
def test_summary_does_not_pool_a_suppressed_week_with_shown_ones(
    first: list[int], second: list[int]
) -> None:
    shown = _week("2026-W45", [3, 3, 3, 3]) + _week("2026-W46", [1, 1, 1, 1])
    weeks = ["2026-W45", "2026-W46", "2026-W47"]

    def summary(thin_week: list[int]) -> object:
        thin = _answers("2026-W47", A, thin_week)  # four people: index suppressed
        return compute_summary(team="C1", weeks=weeks, answers=shown + thin, threshold=THRESHOLD)

    assert summary(first) == summary(second)


@settings(max_examples=30, deadline=None)
@given(first=points, second=points)
def test_export_reveals_nothing_the_digests_hide(first: list[int], second: list[int]) -> None:
    def export(values: list[int]) -> str:
        answers = _week("2026-W46", values) + _week("2026-W47", [2, 2, 2, 2])
        digests = [
            compute_digest(team="C1", week=w, answers=answers, rounds=ROUNDS, threshold=THRESHOLD)
            for w in ("2026-W46", "2026-W47")
        ]
        return export_csv(digests)

    assert export(first) == export(second)


def test_index_of_a_week_with_every_behaviour_suppressed_pools_them_all() -> None:
    answers = (
        _answers("2026-W47", A, [5, 5, 4, 4], first=0)
        + _answers("2026-W47", B, [1, 2, 2, 1], first=2)
        + _answers("2026-W47", C, [3, 3], first=4)
    )
    published = _published(answers, "2026-W47")
    index = published["index"]
    assert index["suppressed"] is False
    assert index["n"] == 6
    assert all(b["suppressed"] for b in published["behaviours"] if b["id"] in {A, B, C})


def test_threshold_can_never_go_below_three() -> None:
    assert checked_threshold(3) == 3
    for value in (2, 1, 0, -5):
        try:
            checked_threshold(value)
        except ThresholdTooLow:
            continue
        raise AssertionError(f"{value} accepted")


def test_figure_from_fewer_people_than_the_threshold_is_suppressed_with_null_numbers() -> None:
    published = _published(_answers("2026-W47", A, [5, 5, 5, 5]), "2026-W47")
    figure = next(b for b in published["behaviours"] if b["id"] == A)
    assert figure["suppressed"] is True
    assert [figure[k] for k in ("n", "score", "previous", "baseline", "change")] == [None] * 5
    assert published["index"]["suppressed"] is True
