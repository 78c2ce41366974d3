"""A manager's summary: published figures pooled over several weeks.

Only answers behind figures that were themselves published are pooled, so a suppressed
week can never be recovered by comparing a summary with the weekly digests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from surveys.anonymity import published_answers
from surveys.behaviours import BEHAVIOURS, Behaviour
from surveys.week_answers import AnswerRow

if TYPE_CHECKING:
    import pandas as pd  # imported when a summary is summed (`frame_of`), not at start


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


def _pooled(rows: pd.DataFrame) -> PooledFigure:
    if rows.empty:
        return PooledFigure(score=None, answers=0, weeks=0)
    return PooledFigure(
        score=round(float(rows["score"].mean()), 10),
        answers=len(rows),
        weeks=int(rows["week"].nunique()),
    )


def compute_summary(
    *, team: str, weeks: Sequence[str], answers: Sequence[AnswerRow], threshold: int
) -> Summary:
    """Pool the published figures of ``weeks``."""
    wanted = set(weeks)
    published = published_answers(
        frame_of([a for a in answers if a.week in wanted]), threshold=threshold
    )
    behaviours = tuple(
        (b, _pooled(published.behaviours[published.behaviours["behaviour"] == b.id]))
        for b in BEHAVIOURS
    )
    return Summary(
        team=team,
        weeks=tuple(sorted(wanted)),
        index=_pooled(published.index),
        behaviours=behaviours,
    )
