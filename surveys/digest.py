"""A team's weekly digest as plain data: figures, comparisons, shifts and suppression.

The answers are grouped once, week by week and person by person, in plain Python: a digest
looks at every week of a team's history, and one pandas groupby per week and behaviour cost
far more than the figures themselves. What leaves this module is typed dataclasses.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain
from operator import itemgetter

import pandas as pd

from surveys.anonymity import index_shown, pooled_behaviours, shown_behaviours
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


Person = tuple[list[str], list[int]]
"""One person's counted answers in a week: behaviours and points side by side, as stored."""


@dataclass(frozen=True)
class TeamAnswers:
    """A team's counted answers week by week and person by person, and how many people
    answered anything (a "didn't come up" included) in each week.

    What a week publishes depends only on its own answers and the threshold, so it is
    worked out once and kept for the digests of later weeks built from the same answers.
    """

    weeks: Mapping[str, Mapping[str, Person]]
    responded: Mapping[str, int]
    _published: dict[tuple[str, int], _Week] = field(
        default_factory=dict, compare=False, repr=False
    )

    def published(self, week: str, threshold: int) -> _Week:
        """What ``week`` publishes at this threshold."""
        key = (week, threshold)
        if key not in self._published:
            self._published[key] = _publish(week, self.weeks[week], threshold)
        return self._published[key]


def team_answers_of(answers: Iterable[AnswerRow]) -> TeamAnswers:
    """Group stored answers once, so that each week's figures read only their own people."""
    weeks: dict[str, dict[str, Person]] = {}
    responded: dict[str, set[str]] = {}
    for a in answers:
        responded.setdefault(a.week, set()).add(a.respondent)
        if a.point is not None:
            behaviours, points = weeks.setdefault(a.week, {}).setdefault(a.respondent, ([], []))
            behaviours.append(a.behaviour_id)
            points.append(a.point)
    return TeamAnswers(weeks, {w: len(people) for w, people in responded.items()})


def _sample(people: Mapping[str, Person], behaviours: Collection[str]) -> Sample:
    """Per-person lists of points: the person is the unit the statistics reason about."""
    sample = []
    for respondent in sorted(people):
        asked, answered = people[respondent]
        points = [p for b, p in zip(asked, answered, strict=True) if b in behaviours]
        if points:
            sample.append(points)
    return sample


def _everything(people: Mapping[str, Person]) -> Sample:
    """Every counted point, person by person: a week's index when nothing is left out."""
    return [points.copy() for respondent in sorted(people) if (points := people[respondent][1])]


def _score(sample: Sample) -> float:
    """Mean score (−1..+1) of a sample's answers; half-points keep the sum exact."""
    answers = sum(map(len, sample))
    return (sum(map(sum, sample)) - 3 * answers) / 2 / answers


def _head_counts(people: Mapping[str, Person]) -> Counter[str]:
    """People with a counted answer to each behaviour."""
    return Counter(chain.from_iterable(map(set, map(itemgetter(0), people.values()))))


@dataclass(frozen=True)
class _Measured:
    """A figure's published value in one week, with its people's points (none if archived)."""

    week: str
    score: float
    sample: Sample


@dataclass(frozen=True)
class _Week:
    """What one week of answers publishes: its shown behaviours and, if shown, its index."""

    week: str
    people: Mapping[str, Person]
    shown: frozenset[str]
    index: _Measured | None


def _publish(week: str, people: Mapping[str, Person], threshold: int) -> _Week:
    counts = _head_counts(people)
    shown = shown_behaviours(counts, threshold=threshold)
    behaviours = pooled_behaviours(counts, shown)
    everything = len(behaviours) == len(counts)
    pooled = _everything(people) if everything else _sample(people, behaviours)
    index = _Measured(week, _score(pooled), pooled)
    return _Week(week, people, shown, index if index_shown(len(pooled), threshold) else None)


def _ends(
    published: Mapping[str, Callable[[], _Measured]], archived: Iterable[ArchivedFigure]
) -> tuple[_Measured, _Measured] | None:
    """A figure's first and latest published values; archived figures fill weeks whose raw
    answers are gone (raw answers win when both exist)."""
    by_week = dict(published)
    for figure in archived:
        by_week.setdefault(figure.week, lambda f=figure: _Measured(f.week, f.score, []))
    if not by_week:
        return None
    return by_week[min(by_week)](), by_week[max(by_week)]()


ShiftRule = Callable[[Sample, Sample | None], Shift]


def _figure(
    current: Sample,
    ends: tuple[_Measured, _Measured] | None,
    *,
    threshold: int,
    rule: ShiftRule,
) -> Figure:
    n = len(current)
    if n < threshold:
        return _SUPPRESSED
    score = _score(current)
    first, previous = ends if ends else (None, None)
    return Figure(
        n=n,
        score=_clean(score),
        previous=None if previous is None else _clean(previous.score),
        previous_week=None if previous is None else previous.week,
        baseline=_clean(first.score if first else score),
        change=None if previous is None else _clean(score - previous.score),
        shift=rule(current, None if previous is None else previous.sample),
        suppressed=False,
    )


def _behaviour_rule(threshold: int, family_size: int) -> ShiftRule:
    """A behaviour is compared with its previous published measurement."""

    def rule(sample: Sample, previous: Sample | None) -> Shift:
        return detect_shift(sample, previous, min_people=threshold, family_size=family_size).shift

    return rule


def _behaviour_figure(
    behaviour: str,
    weeks: Sequence[_Week],
    now: Mapping[str, Person],
    archived: Iterable[ArchivedFigure],
    rule: ShiftRule,
    threshold: int,
) -> Figure:
    """This week's figure of an asked behaviour, against the weeks it was shown before."""
    published = {
        w.week: lambda w=w: _measured(w.week, _sample(w.people, (behaviour,)))
        for w in weeks
        if behaviour in w.shown
    }
    ends = _ends(published, (a for a in archived if a.figure == behaviour))
    return _figure(_sample(now, (behaviour,)), ends, threshold=threshold, rule=rule)


def _measured(week: str, sample: Sample) -> _Measured:
    return _Measured(week, _score(sample), sample)


def compute_digest(
    *,
    team: str,
    week: str,
    answers: Sequence[AnswerRow] | TeamAnswers,
    rounds: Sequence[RoundFacts],
    threshold: int,
    archived: Sequence[ArchivedFigure] = (),
) -> Digest:
    """Build the digest for ``week`` from every answer of the team up to and including it.

    ``archived`` holds published figures of weeks whose raw answers have been purged, so
    "previous" and "where we started" survive the retention limit.
    """
    grouped = answers if isinstance(answers, TeamAnswers) else team_answers_of(answers)
    this_round = next((r for r in rounds if r.week == week), None)
    asked = set(this_round.behaviour_ids) if this_round else set()
    family_size = len(asked) + 1
    earlier_archive = [a for a in archived if a.week < week]
    weeks = [grouped.published(w, threshold) for w in sorted(grouped.weeks) if w <= week]
    earlier = [w for w in weeks if w.week < week]
    now = grouped.weeks.get(week, {})
    rule = _behaviour_rule(threshold, family_size)
    figures = [
        BehaviourFigure(
            b,
            asked=True,
            figure=_behaviour_figure(b.id, earlier, now, earlier_archive, rule, threshold),
        )
        if b.id in asked
        else BehaviourFigure(b, asked=False, figure=_NOT_ASKED)
        for b in BEHAVIOURS
    ]
    index_weeks = [w.index for w in weeks if w.index is not None]
    earlier_index = [m for m in index_weeks if m.week < week]
    index_now = index_weeks[-1].sample if index_weeks and index_weeks[-1].week == week else []
    verdict = _index_verdict(
        earlier_index, earlier_archive, week, index_now, threshold, family_size
    )
    ends = _ends(
        {m.week: lambda m=m: m for m in earlier_index},
        (a for a in earlier_archive if a.figure == INDEX),
    )
    index = _figure(
        index_now,
        ends,
        threshold=threshold,
        rule=lambda _sample, _previous: verdict.week_on_week.shift,
    )
    return Digest(
        team=team,
        week=week,
        threshold=threshold,
        participation=Participation(
            invited=this_round.invited if this_round else 0,
            responded=grouped.responded.get(week, 0),
        ),
        index=index,
        behaviours=tuple(figures),
        index_history=tuple(
            WeekIndex(week=m.week, n=len(m.sample), score=_clean(m.score), sample=m.sample)
            for m in index_weeks
        ),
        index_recent_shift=verdict.against_recent_weeks.shift,
    )


def _index_verdict(
    earlier: Sequence[_Measured],
    archived: Sequence[ArchivedFigure],
    week: str,
    current: Sample,
    threshold: int,
    family_size: int,
) -> IndexShift:
    """The index against last week, and recent weeks against the ones before (docs/METHOD.md).

    The figure's ``shift`` is the week-on-week verdict, so it always agrees with ``change``;
    the recent-weeks verdict is told in the story, where it can be worded for what it is.
    Archived weeks have no people, so the statistics leave them out.
    """
    by_week = {m.week: m.sample for m in earlier}
    for a in archived:
        if a.figure == INDEX:
            by_week.setdefault(a.week, [])
    history = [(parse_week(w).ordinal, by_week[w]) for w in sorted(by_week)]
    history.append((parse_week(week).ordinal, current))
    return detect_index_shift(history, min_people=threshold, family_size=family_size)
