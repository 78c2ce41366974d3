"""A manager's summary: published figures pooled over several weeks.

Only answers behind figures that were themselves published are pooled, so a suppressed
week can never be recovered by comparing a summary with the weekly digests.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from surveys.anonymity import publishable
from surveys.behaviours import BEHAVIOURS, Behaviour
from surveys.moments import Moments
from surveys.week_answers import AnswerRow

if TYPE_CHECKING:
    import pandas as pd  # imported by `frame_of` only: the tests' answer-by-answer reference


def frame_of(answers: Sequence[AnswerRow]) -> pd.DataFrame:
    """Answers as a frame with the −1..+1 score beside each point."""
    import pandas as pd

    frame = pd.DataFrame(
        [(a.week, a.respondent, a.behaviour_id, a.point) for a in answers],
        columns=["week", "respondent", "behaviour", "point"],
    )
    frame["point"] = pd.to_numeric(frame["point"], errors="coerce")
    frame["score"] = (frame["point"] - 3) / 2
    return frame


@dataclass(frozen=True)
class PooledFigure:
    """A score pooled over weeks; ``weeks`` counts the published weeks behind it."""

    score: float | None
    answers: int
    weeks: int


@dataclass(frozen=True)
class Summary:
    """A team's figures over a run of weeks."""

    team: str
    weeks: tuple[str, ...]
    index: PooledFigure
    behaviours: tuple[tuple[Behaviour, PooledFigure], ...]


def _pooled(rows: Sequence[AnswerRow]) -> PooledFigure:
    """The rows' mean score. Scores are halves, so their sum is exact in any order and the
    mean is the one pandas' mean gives."""
    if not rows:
        return PooledFigure(score=None, answers=0, weeks=0)
    total = sum(_score(row) for row in rows)
    return PooledFigure(
        score=round(total / len(rows), 10),
        answers=len(rows),
        weeks=len({row.week for row in rows}),
    )


def _score(row: AnswerRow) -> float:
    return (cast("int", row.point) - 3) / 2


def _shown(
    rows: Sequence[AnswerRow], key: Callable[[AnswerRow], Hashable], threshold: int
) -> set[Hashable]:
    """The groups of counted rows (by ``key``) whose figure `publishable` lets be shown:
    each person's answers summed first, as the digests' moments are."""
    people: dict[Hashable, dict[str, list[int]]] = {}
    for row in rows:
        person = people.setdefault(key(row), {}).setdefault(row.respondent, [0, 0])
        person[0] += cast("int", row.point) - 3
        person[1] += 1
    shown = set()
    for group, persons in people.items():
        sample = Moments(
            people=len(persons),
            answers=sum(k for _, k in persons.values()),
            total=sum(t for t, _ in persons.values()),
            total_squares=sum(t * t for t, _ in persons.values()),
            cross=sum(t * k for t, k in persons.values()),
            size_squares=sum(k * k for _, k in persons.values()),
        )
        if publishable(sample, threshold):
            shown.add(group)
    return shown


def compute_summary(
    *, team: str, weeks: Sequence[str], answers: Sequence[AnswerRow], threshold: int
) -> Summary:
    """Pool the published figures of ``weeks``: the answers behind each week's shown
    behaviours, and behind each shown index (which pools the week's shown behaviours, or all
    of them when none is shown), as `surveys.anonymity` publishes them.

    Worked out answer by answer in plain Python, the way `published_answers` does with
    pandas (tests hold the two to the same figures): a server summing a summary then never
    imports pandas, which held some 30 MB in each process that did.
    """
    wanted = set(weeks)
    counted = [a for a in answers if a.week in wanted and a.point is not None]
    shown = _shown(counted, lambda a: (a.week, a.behaviour_id), threshold)
    behind = [a for a in counted if (a.week, a.behaviour_id) in shown]
    with_shown = {a.week for a in behind}
    pooled = [a for a in counted if (a.week, a.behaviour_id) in shown or a.week not in with_shown]
    shown_weeks = _shown(pooled, lambda a: a.week, threshold)
    behaviours = tuple(
        (b, _pooled([a for a in behind if a.behaviour_id == b.id])) for b in BEHAVIOURS
    )
    return Summary(
        team=team,
        weeks=tuple(sorted(wanted)),
        index=_pooled([a for a in pooled if a.week in shown_weeks]),
        behaviours=behaviours,
    )
