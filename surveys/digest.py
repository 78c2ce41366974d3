"""A team's weekly digest as plain data: figures, comparisons, shifts and suppression.

pandas does the grouping; what leaves this module is typed dataclasses, never DataFrames.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import pandas as pd

from surveys.anonymity import published_answers
from surveys.behaviours import BEHAVIOURS, Behaviour
from surveys.statistics import IndexShift, Shift, detect_index_shift, detect_shift
from surveys.weeks import parse_week

Sample = list[list[int]]


@dataclass(frozen=True)
class AnswerRow:
    """One stored answer: ``point`` None is "didn't come up"; ``respondent`` is opaque per week."""

    week: str
    respondent: str
    behaviour_id: str
    point: int | None


@dataclass(frozen=True)
class RoundFacts:
    """What the digest needs to know about a team's round besides its answers."""

    week: str
    behaviour_ids: tuple[str, ...]
    invited: int


@dataclass(frozen=True)
class ArchivedFigure:
    """A published figure kept after its raw answers passed their retention period."""

    week: str
    figure: str  # a behaviour id, or "index"
    score: float


INDEX = "index"


@dataclass(frozen=True)
class Figure:
    """A published (or suppressed) figure with its comparisons."""

    n: int | None
    score: float | None
    previous: float | None
    previous_week: str | None
    baseline: float | None
    change: float | None
    shift: Shift
    suppressed: bool


@dataclass(frozen=True)
class BehaviourFigure:
    """A behaviour's figure for the week, with the pole phrases it is read against."""

    behaviour: Behaviour
    asked: bool
    figure: Figure


@dataclass(frozen=True)
class Participation:
    """How many people the round went to, and how many answered anything."""

    invited: int
    responded: int


@dataclass(frozen=True)
class WeekIndex:
    """One week's published index, for trends and charts."""

    week: str
    n: int
    score: float
    sample: Sample


@dataclass(frozen=True)
class Digest:
    """Everything a digest says about one team and week."""

    team: str
    week: str
    threshold: int
    participation: Participation
    index: Figure
    behaviours: tuple[BehaviourFigure, ...]
    index_history: tuple[WeekIndex, ...]
    index_recent_shift: Shift = "insufficient_data"

    @property
    def asked(self) -> tuple[BehaviourFigure, ...]:
        """The behaviours this week's round asked about."""
        return tuple(b for b in self.behaviours if b.asked)


_NOT_ASKED = Figure(
    n=0,
    score=None,
    previous=None,
    previous_week=None,
    baseline=None,
    change=None,
    shift="insufficient_data",
    suppressed=False,
)
# Every number of a suppressed figure is withheld, its head count included.
_SUPPRESSED = replace(_NOT_ASKED, n=None, suppressed=True)


def _clean(value: float) -> float:
    """Drop floating-point noise so that 0.19 does not print as 0.19000000000000003."""
    return round(float(value), 10)


def frame_of(answers: Sequence[AnswerRow]) -> pd.DataFrame:
    """Answers as a frame with the −1..+1 score beside each point."""
    frame = pd.DataFrame(
        [(a.week, a.respondent, a.behaviour_id, a.point) for a in answers],
        columns=["week", "respondent", "behaviour", "point"],
    )
    frame["point"] = pd.to_numeric(frame["point"], errors="coerce")
    frame["score"] = (frame["point"] - 3) / 2
    return frame


def _samples(counted: pd.DataFrame) -> Sample:
    """Per-person lists of points: the person is the unit the statistics reason about."""
    grouped = counted.groupby("respondent", sort=True)["point"]
    return [[int(p) for p in points] for _, points in grouped]


@dataclass(frozen=True)
class _Series:
    """A figure's published values by week, oldest first."""

    weeks: list[str]
    scores: list[float]
    samples: list[Sample]

    def before(self, week: str) -> tuple[str, float, Sample] | None:
        earlier = [i for i, w in enumerate(self.weeks) if w < week]
        if not earlier:
            return None
        i = earlier[-1]
        return self.weeks[i], self.scores[i], self.samples[i]


def _series(published: pd.DataFrame, archived: Sequence[ArchivedFigure] = ()) -> _Series:
    """Published values by week; archived figures fill weeks whose raw answers are gone."""
    by_week: dict[str, tuple[float, Sample]] = {}
    for week, rows in published.groupby("week", sort=True):
        by_week[str(week)] = (float(rows["score"].mean()), _samples(rows))
    for figure in archived:
        by_week.setdefault(figure.week, (figure.score, []))
    weeks = sorted(by_week)
    return _Series(weeks, [by_week[w][0] for w in weeks], [by_week[w][1] for w in weeks])


ShiftRule = Callable[[Sample, Sample | None], Shift]


def _figure(
    series: _Series, week: str, *, threshold: int, current: pd.DataFrame, rule: ShiftRule
) -> Figure:
    n = int(current["respondent"].nunique())
    if n < threshold:
        return _SUPPRESSED
    score = float(current["score"].mean())
    earlier = series.before(week)
    previous_week, previous, previous_sample = earlier if earlier else (None, None, None)
    return Figure(
        n=n,
        score=_clean(score),
        previous=None if previous is None else _clean(previous),
        previous_week=previous_week,
        baseline=_clean(series.scores[0] if series.weeks else score),
        change=None if previous is None else _clean(score - previous),
        shift=rule(_samples(current), previous_sample),
        suppressed=False,
    )


def _behaviour_rule(threshold: int, family_size: int) -> ShiftRule:
    """A behaviour is compared with its previous published measurement."""

    def rule(sample: Sample, previous: Sample | None) -> Shift:
        return detect_shift(sample, previous, min_people=threshold, family_size=family_size).shift

    return rule


def _index_verdict(
    series: _Series, week: str, current: pd.DataFrame, threshold: int, family_size: int
) -> IndexShift:
    """The index against last week, and recent weeks against the ones before (docs/METHOD.md).

    The figure's ``shift`` is the week-on-week verdict, so it always agrees with ``change``;
    the recent-weeks verdict is told in the story, where it can be worded for what it is.
    """
    history = [
        (parse_week(w).ordinal, s)
        for w, s in zip(series.weeks, series.samples, strict=True)
        if w < week
    ]
    history.append((parse_week(week).ordinal, _samples(current)))
    return detect_index_shift(history, min_people=threshold, family_size=family_size)


def compute_digest(
    *,
    team: str,
    week: str,
    answers: Sequence[AnswerRow],
    rounds: Sequence[RoundFacts],
    threshold: int,
    archived: Sequence[ArchivedFigure] = (),
) -> Digest:
    """Build the digest for ``week`` from every answer of the team up to and including it.

    ``archived`` holds published figures of weeks whose raw answers have been purged, so
    "previous" and "where we started" survive the retention limit.
    """
    earlier_archive = [a for a in archived if a.week < week]
    frame = frame_of([a for a in answers if a.week <= week])
    this_round = next((r for r in rounds if r.week == week), None)
    asked = set(this_round.behaviour_ids) if this_round else set()
    published = published_answers(frame, threshold=threshold)
    family_size = len(asked) + 1
    week_rows = frame[frame["week"] == week]
    counted_now = week_rows[week_rows["point"].notna()]
    earlier_published = published.behaviours[published.behaviours["week"] < week]
    figures = []
    for b in BEHAVIOURS:
        if b.id not in asked:
            figures.append(BehaviourFigure(b, asked=False, figure=_NOT_ASKED))
            continue
        series = _series(
            earlier_published[earlier_published["behaviour"] == b.id],
            [a for a in earlier_archive if a.figure == b.id],
        )
        current = counted_now[counted_now["behaviour"] == b.id]
        rule = _behaviour_rule(threshold, family_size)
        figure = _figure(series, week, threshold=threshold, current=current, rule=rule)
        figures.append(BehaviourFigure(b, asked=True, figure=figure))
    index_series = _series(
        published.index[published.index["week"] < week],
        [a for a in earlier_archive if a.figure == INDEX],
    )
    index_now = published.index[published.index["week"] == week]
    if index_now.empty:
        index_now = counted_now.iloc[0:0]
    verdict = _index_verdict(index_series, week, index_now, threshold, family_size)
    index = _figure(
        index_series,
        week,
        threshold=threshold,
        current=index_now,
        rule=lambda _sample, _previous: verdict.week_on_week.shift,
    )
    history = _index_history(published.index[published.index["week"] <= week])
    return Digest(
        team=team,
        week=week,
        threshold=threshold,
        participation=Participation(
            invited=this_round.invited if this_round else 0,
            responded=int(week_rows["respondent"].nunique()),
        ),
        index=index,
        behaviours=tuple(figures),
        index_history=history,
        index_recent_shift=verdict.against_recent_weeks.shift,
    )


def _index_history(published_index: pd.DataFrame) -> tuple[WeekIndex, ...]:
    series = _series(published_index)
    return tuple(
        WeekIndex(week=w, n=len(sample), score=_clean(s), sample=sample)
        for w, s, sample in zip(series.weeks, series.scores, series.samples, strict=True)
    )
