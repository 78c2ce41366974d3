"""A figure in which everyone answered alike is not shown to a handful of people.

If every one of five people chose 4, a figure of +0.50 whose range is as narrow as it can
be tells each of them what the other four said. The one publishing rule
(`surveys.anonymity.publishable`) withholds such a figure unless it stands for at least
UNANIMOUS_MIN_PEOPLE people; these tests try every small case by brute force, through the
digest, the summary and the chart, and check that no published figure comes from people who
all answered alike.
"""

from __future__ import annotations

from itertools import combinations_with_replacement, product

import pytest

from charts import chart_data
from surveys.anonymity import UNANIMOUS_MIN_PEOPLE, publishable, without_spread
from surveys.digest import AnswerRow, RoundFacts, compute_digest
from surveys.moments import moments_of
from surveys.summary import compute_summary

A, B = "talk-of-us", "ask-and-listen"
WEEK = "2026-W47"


def _digest(rows: list[AnswerRow], threshold: int, asked: tuple[str, ...] = (A,)):
    rounds = [RoundFacts(WEEK, asked, 30)]
    return compute_digest(team="C1", week=WEEK, answers=rows, rounds=rounds, threshold=threshold)


def _one_behaviour(points: tuple[int, ...]) -> list[AnswerRow]:
    return [AnswerRow(WEEK, f"p{i}", A, p) for i, p in enumerate(points)]


@pytest.mark.parametrize("people", range(3, UNANIMOUS_MIN_PEOPLE + 1))
def test_no_behaviour_figure_of_a_few_people_who_all_chose_alike_is_published(people: int):
    for points in combinations_with_replacement(range(1, 6), people):
        digest = _digest(_one_behaviour(points), threshold=3)
        figure = next(b.figure for b in digest.behaviours if b.behaviour.id == A)
        alike = len(set(points)) == 1
        assert figure.suppressed == (alike and people < UNANIMOUS_MIN_PEOPLE), points
        assert digest.index.suppressed == figure.suppressed, points
        summary = compute_summary(
            team="C1", weeks=[WEEK], answers=_one_behaviour(points), threshold=3
        )
        assert (summary.index.score is None) == figure.suppressed, points
        assert (chart_data(digest).rows[0].score is None) == figure.suppressed, points


def test_an_index_of_people_whose_answers_all_average_alike_is_withheld():
    """Three people, two behaviours each, every combination of answers: the pooled index is
    published exactly when people's own averages differ; the behaviours by their own rule."""
    pairs = list(product(range(1, 6), repeat=2))
    for people in combinations_with_replacement(pairs, 3):
        rows = [
            AnswerRow(WEEK, f"p{i}", b, p)
            for i, person in enumerate(people)
            for b, p in zip((A, B), person, strict=True)
        ]
        digest = _digest(rows, threshold=3, asked=(A, B))
        shown = {b.behaviour.id for b in digest.asked if not b.figure.suppressed}
        for behaviour, column in ((A, 0), (B, 1)):
            assert (behaviour in shown) == (len({p[column] for p in people}) > 1), people
        pooled = [[p for j, p in enumerate(person) if (A, B)[j] in shown] for person in people]
        if not shown:
            pooled = [list(person) for person in people]
        means = {sum(p) / len(p) for p in pooled}
        assert digest.index.suppressed == (len(means) == 1), people


def test_a_large_enough_group_that_agrees_is_shown():
    points = (4,) * UNANIMOUS_MIN_PEOPLE
    figure = next(b.figure for b in _digest(_one_behaviour(points), 5).behaviours if b.asked)
    assert not figure.suppressed and figure.score == 0.5


def test_the_rule_reads_agreement_from_whole_numbers():
    assert without_spread(moments_of([[4], [4], [4]]))
    assert without_spread(moments_of([[4, 2], [3], [5, 1]]))
    assert not without_spread(moments_of([[4], [4], [5]]))
    assert not publishable(moments_of([[5]] * 9), 5) and publishable(moments_of([[5]] * 10), 5)
    assert not publishable(moments_of([[5]] * 10), 11)
