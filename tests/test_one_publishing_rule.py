"""Summaries (answer rows) and digests (moments) publish by the same rule, `publishable`.

Both paths, exports and App Home included (they show digests), decide through
`surveys.anonymity.publishable`; this proves the two ways of feeding it agree on which
behaviours and which week's index may be shown, whatever the answers.
"""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.anonymity import (
    index_shown,
    pooled_behaviours,
    published_answers,
    shown_behaviours,
)
from surveys.behaviours import BEHAVIOURS as ALL_BEHAVIOURS
from surveys.summary import PooledFigure, Summary, compute_summary, frame_of
from surveys.week_answers import AnswerRow, weeks_of

WEEK = "2026-W46"
BEHAVIOURS = ("talk-of-us", "ask-and-listen", "report-honestly")
SUMMARY_WEEKS = ("2026-W45", "2026-W46", "2026-W47")
person = st.lists(
    st.tuples(st.sampled_from(BEHAVIOURS), st.one_of(st.none(), st.integers(1, 5))),
    min_size=1,
    max_size=3,
    unique_by=lambda answer: answer[0],
)


@settings(max_examples=200, deadline=None)
@given(people=st.lists(person, min_size=0, max_size=14), threshold=st.integers(3, 6))
def test_summary_and_digest_show_the_same_figures(
    people: list[list[tuple[str, int | None]]], threshold: int
) -> None:
    rows = [
        AnswerRow(WEEK, f"p{i}", behaviour, point)
        for i, answers in enumerate(people)
        for behaviour, point in answers
    ]
    frame = pd.DataFrame(
        [(r.week, r.respondent, r.behaviour_id, r.point) for r in rows],
        columns=["week", "respondent", "behaviour", "point"],
    )
    pandas_path = published_answers(frame, threshold=threshold)
    week = weeks_of(rows, threshold).get(WEEK)
    shown = shown_behaviours(week.behaviours, threshold=threshold) if week else frozenset()
    assert set(pandas_path.behaviours["behaviour"]) == shown
    pooled = week.pooled(pooled_behaviours(week.behaviours, shown)) if week else None
    digest_index = pooled is not None and pooled.people > 0 and index_shown(pooled, threshold)
    assert (not pandas_path.index.empty) == digest_index


def _pandas_summary(rows: list[AnswerRow], weeks: list[str], threshold: int) -> Summary:
    """The summary as it was summed with pandas, from `published_answers`' rows."""

    def pooled(frame: pd.DataFrame) -> PooledFigure:
        if frame.empty:
            return PooledFigure(score=None, answers=0, weeks=0)
        return PooledFigure(
            score=round(float(frame["score"].mean()), 10),
            answers=len(frame),
            weeks=int(frame["week"].nunique()),
        )

    published = published_answers(
        frame_of([r for r in rows if r.week in weeks]), threshold=threshold
    )
    behaviours = published.behaviours
    return Summary(
        team="C1",
        weeks=tuple(sorted(set(weeks))),
        index=pooled(published.index),
        behaviours=tuple(
            (b, pooled(behaviours[behaviours["behaviour"] == b.id])) for b in ALL_BEHAVIOURS
        ),
    )


@settings(max_examples=100, deadline=None)
@given(
    weeks=st.lists(
        st.tuples(st.sampled_from(SUMMARY_WEEKS), st.lists(person, min_size=0, max_size=12)),
        max_size=3,
    ),
    threshold=st.integers(3, 6),
)
def test_summary_sums_what_pandas_summed(
    weeks: list[tuple[str, list[list[tuple[str, int | None]]]]], threshold: int
) -> None:
    rows = [
        AnswerRow(week, f"p{i}", behaviour, point)
        for week, people in weeks
        for i, answers in enumerate(people)
        for behaviour, point in answers
    ]
    asked = list(SUMMARY_WEEKS[:2])
    assert compute_summary(
        team="C1", weeks=asked, answers=rows, threshold=threshold
    ) == _pandas_summary(rows, asked, threshold)
