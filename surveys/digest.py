"""A team's weekly digest as plain data: figures, comparisons, shifts and suppression.

A digest looks at every week of a team's history, each week reduced to moments
(`surveys.week_answers`): what it publishes is worked out once per week and kept. What
leaves this module is typed dataclasses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import cast

from surveys.actions import ActionReport
from surveys.anonymity import index_shown, pooled_behaviours, publishable, shown_behaviours
from surveys.behaviour_shift import behaviour_noise, detect_behaviour_shift
from surveys.behaviours import BEHAVIOURS, Behaviour
from surveys.convergence import NO_CONVERGENCE, Convergence
from surveys.moments import NO_ONE, Moments
from surveys.organisation_figures import OrganisationFigures
from surveys.overall import Overall, Reading, design_effect, overall_of
from surveys.statistics import Basis, IndexShift, Shift, WeekNoise, detect_index_shift
from surveys.week_answers import AnswerRow, WeekAnswers, weeks_of
from surveys.weeks import week_ordinal

__all__ = ["AnswerRow", "Digest", "TeamAnswers", "compute_digest"]


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
    basis: Basis | None = None


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
    """One week's published index, for trends and charts; its people only as moments."""

    week: str
    n: int
    score: float
    sample: Moments


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
    index_basis: Basis | None = None
    overall: Overall | None = None
    actions: tuple[ActionReport, ...] = ()  # the agreed actions it lists (surveys.actions)
    organisations: tuple[OrganisationFigures, ...] = ()  # surveys.organisation_figures
    convergence: Convergence = NO_CONVERGENCE

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


@dataclass(frozen=True)
class TeamAnswers:
    """A team's weeks of answers, as moments.

    What a week publishes depends only on its own answers and the threshold, so it is
    worked out once and kept for the digests of later weeks built from the same answers.
    """

    weeks: Mapping[str, WeekAnswers]
    _published: dict[tuple[str, int], _Week] = field(
        default_factory=dict, compare=False, repr=False
    )

    def published(self, week: str, threshold: int) -> _Week:
        """What ``week`` publishes at this threshold."""
        key = (week, threshold)
        if key not in self._published:
            self._published[key] = _publish(week, self.weeks[week], threshold)
        return self._published[key]

    def responded(self, week: str) -> int:
        """People who answered anything in ``week``."""
        answers = self.weeks.get(week)
        return answers.responded if answers else 0


def _score(sample: Moments) -> float:
    """Mean score (−1..+1) of a sample's answers, from whole-number sums, so exact."""
    return sample.total / 2 / sample.answers


@dataclass(frozen=True)
class _Measured:
    """A figure's published value in one week, with its people's moments (none if archived)."""

    week: str
    score: float
    sample: Moments


@dataclass(frozen=True)
class _Week:
    """What one week of answers publishes: its shown behaviours and, if shown, its index."""

    week: str
    answers: WeekAnswers
    shown: frozenset[str]
    index: _Measured | None


def _publish(week: str, answers: WeekAnswers, threshold: int) -> _Week:
    shown = shown_behaviours(answers.behaviours, threshold=threshold)
    pooled = answers.pooled(pooled_behaviours(answers.behaviours, shown))
    index = _Measured(week, _score(pooled), pooled) if pooled.people else None
    return _Week(week, answers, shown, index if index_shown(pooled, threshold) else None)


def _ends(
    published: Mapping[str, Callable[[], _Measured]], archived: Iterable[ArchivedFigure]
) -> tuple[_Measured, _Measured] | None:
    """A figure's first and latest published values; archived figures fill weeks whose raw
    answers are gone (raw answers win when both exist)."""
    by_week = dict(published)
    for figure in archived:
        # cast: mypy cannot type a lambda with a default argument as a Callable[[], ...].
        late = cast("Callable[[], _Measured]", lambda f=figure: _Measured(f.week, f.score, NO_ONE))
        by_week.setdefault(figure.week, late)
    if not by_week:
        return None
    return by_week[min(by_week)](), by_week[max(by_week)]()


ShiftRule = Callable[[Moments, Moments | None], Shift]


def _figure(
    current: Moments,
    ends: tuple[_Measured, _Measured] | None,
    *,
    threshold: int,
    rule: ShiftRule,
) -> Figure:
    n = current.people
    if not publishable(current, threshold):
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


def _behaviour_figure(
    behaviour: str,
    weeks: Sequence[_Week],
    now: WeekAnswers,
    archived: Iterable[ArchivedFigure],
    threshold: int,
    readings: Mapping[str, Sequence[Reading]],
    noise: WeekNoise,
    family_size: int,
) -> Figure:
    """This week's figure of an asked behaviour, against the weeks it was shown before."""
    earlier = [r.sample for r in readings.get(behaviour, ()) if r.sample.people]
    current = now.behaviour(behaviour)
    verdict = detect_behaviour_shift(
        [*earlier, current], noise=noise, min_people=threshold, family_size=family_size
    )
    published = {
        w.week: lambda w=w: _measured(w.week, w.answers.behaviour(behaviour))
        for w in weeks
        if behaviour in w.shown
    }
    ends = _ends(published, (a for a in archived if a.figure == behaviour))
    figure = _figure(current, ends, threshold=threshold, rule=lambda _s, _p: verdict.shift)
    return figure if figure.suppressed else replace(figure, basis=verdict.basis)


def _measured(week: str, sample: Moments) -> _Measured:
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
    grouped = (
        answers if isinstance(answers, TeamAnswers) else TeamAnswers(weeks_of(answers, threshold))
    )
    this_round = next((r for r in rounds if r.week == week), None)
    asked = set(this_round.behaviour_ids) if this_round else set()
    family_size = len(asked) + 2  # its behaviours, the index and the overall figure
    earlier_archive = [a for a in archived if a.week < week]
    weeks = [grouped.published(w, threshold) for w in sorted(grouped.weeks) if w <= week]
    earlier = [w for w in weeks if w.week < week]
    now = grouped.weeks.get(week, WeekAnswers(responded=0))
    earlier_readings = _readings(earlier, earlier_archive)
    noise = behaviour_noise(
        {b: [(r.week, r.sample) for r in rs] for b, rs in earlier_readings.items()}, week
    )
    figures = [
        BehaviourFigure(
            b,
            asked=True,
            figure=_behaviour_figure(
                b.id, earlier, now, earlier_archive, threshold, earlier_readings, noise, family_size
            ),
        )
        if b.id in asked
        else BehaviourFigure(b, asked=False, figure=_NOT_ASKED)
        for b in BEHAVIOURS
    ]
    index_weeks = [w.index for w in weeks if w.index is not None]
    earlier_index = [m for m in index_weeks if m.week < week]
    index_now = index_weeks[-1].sample if index_weeks and index_weeks[-1].week == week else NO_ONE
    verdict = _index_verdict(
        earlier_index, earlier_archive, week, index_now, threshold, family_size
    )
    ends = _ends(
        # cast: as in _ends, a lambda with a default argument.
        {m.week: cast("Callable[[], _Measured]", lambda m=m: m) for m in earlier_index},
        (a for a in earlier_archive if a.figure == INDEX),
    )
    index = _figure(
        index_now,
        ends,
        threshold=threshold,
        rule=lambda _sample, _previous: verdict.shift,
    )
    return Digest(
        team=team,
        week=week,
        threshold=threshold,
        participation=Participation(
            invited=this_round.invited if this_round else 0,
            responded=grouped.responded(week),
        ),
        index=index if index.suppressed else replace(index, basis=verdict.basis),
        behaviours=tuple(figures),
        index_history=tuple(
            WeekIndex(week=m.week, n=m.sample.people, score=_clean(m.score), sample=m.sample)
            for m in index_weeks
        ),
        index_recent_shift=verdict.against_recent_weeks.shift,
        index_basis=verdict.basis,
        overall=overall_of(
            _readings(weeks, earlier_archive),
            week,
            design_effects=_design_effects(weeks),
            family_size=family_size,
        ),
    )


def _readings(
    weeks: Sequence[_Week], archived: Iterable[ArchivedFigure]
) -> dict[str, list[Reading]]:
    """Every behaviour's published scores, oldest first; archived ones fill purged weeks."""
    by_behaviour: dict[str, dict[str, Reading]] = {b.id: {} for b in BEHAVIOURS}
    for w in weeks:
        for b in w.shown:
            sample = w.answers.behaviour(b)
            by_behaviour.setdefault(b, {})[w.week] = Reading(w.week, _score(sample), sample)
    for a in archived:
        if a.figure != INDEX:
            by_behaviour.setdefault(a.figure, {}).setdefault(
                a.week, Reading(a.week, a.score, NO_ONE)
            )
    return {b: [readings[w] for w in sorted(readings)] for b, readings in by_behaviour.items()}


def _design_effects(weeks: Sequence[_Week]) -> dict[str, float]:
    """Per published week, how much its behaviours' people overlap (surveys.overall)."""
    # A shown week's index pools exactly its shown behaviours (surveys.anonymity).
    return {
        w.week: design_effect(w.index.sample, [w.answers.behaviour(b) for b in sorted(w.shown)])
        for w in weeks
        if w.index is not None and w.shown
    }


def _index_verdict(
    earlier: Sequence[_Measured],
    archived: Sequence[ArchivedFigure],
    week: str,
    current: Moments,
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
            by_week.setdefault(a.week, NO_ONE)
    history = [(week_ordinal(w), by_week[w]) for w in sorted(by_week)]
    history.append((week_ordinal(week), current))
    return detect_index_shift(history, min_people=threshold, family_size=family_size)
