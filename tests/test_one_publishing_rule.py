"""Summaries (pandas rows) and digests (moments) publish by the same rule, `publishable`.

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
from surveys.week_answers import AnswerRow, weeks_of

WEEK = "2026-W46"
BEHAVIOURS = ("talk-of-us", "ask-and-listen", "report-honestly")
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
