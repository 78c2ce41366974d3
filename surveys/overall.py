"""The partnership's like-for-like index: every behaviour weighs the same, whatever a week asked.

A week's pooled index moves with the question mix: a week that asks what the team is good at
reads higher than one that asks what it finds hard. The overall figure is instead the mean of
the 13 behaviours, each at its latest published score, so it changes only when a behaviour is
measured again, and then by that behaviour's own change over a thirteenth. Its shift and its
trend compare each re-measured behaviour with itself, so behaviour differences cancel out.
Only published figures go in, so nothing here can reveal a suppressed one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from surveys.moments import Moments
from surveys.statistics import (
    INSUFFICIENT,
    LASTING_ERROR_RATE,
    NAMED_SHIFTS,
    ScoreEstimate,
    Shift,
    ShiftTest,
    WeekNoise,
    compare_estimates,
    estimate_score,
    family_confidence,
)
from surveys.trend import TREND_MIN_WEEKS, Trend, describe_slope
from surveys.weeks import week_ordinal

BEHAVIOUR_COUNT = 13
TREND_WINDOW = 8
OVERALL_NOISE_PRIOR = 0.005
OVERALL_NOISE_PRIOR_WEEKS = 2.0
"""A like-for-like change still wobbles with the week (a bad week for everyone, what happened
to be topical). Until a team's own history says how much, assume a variance of 0.005 per week
(about ±0.07 on the score), worth two weeks of evidence."""


@dataclass(frozen=True)
class Reading:
    """A behaviour's published score in one week; an archived one has no people (``sample``
    is empty) and so takes part in the figure but not in the tests."""

    week: str
    score: float
    sample: Moments


@dataclass(frozen=True)
class OverallPoint:
    """The overall figure at one week, with the variance of the 13 readings behind it."""

    week: str
    score: float
    variance: float


@dataclass(frozen=True)
class Overall:
    """The like-for-like index at this week (SPEC §4 ``overall``)."""

    score: float | None
    previous: float | None
    previous_week: str | None
    baseline: float | None
    baseline_week: str | None
    change: float | None
    shift: Shift
    trend: Trend
    covered: int
    history: tuple[OverallPoint, ...]
    suppressed: bool = False


@dataclass(frozen=True)
class _Change:
    """The behaviours re-measured in one week, each against its reading before."""

    week: str
    pairs: tuple[tuple[Reading, Reading], ...]


def overall_of(
    readings: Mapping[str, Sequence[Reading]],
    week: str,
    *,
    design_effects: Mapping[str, float],
    family_size: int,
) -> Overall:
    """The overall figure for ``week`` from every behaviour's published readings (oldest first).

    ``design_effects`` says, per week, how much more a mean of that week's behaviours varies
    than if their people were independent (they are the same people); a week without one is
    given the largest it can be.
    """
    weeks = sorted({r.week for rs in readings.values() for r in rs if r.week <= week})
    history: list[OverallPoint] = []
    changes: list[_Change] = []
    for w in weeks:
        latest = {b: _latest(rs, w) for b, rs in readings.items()}
        known = [r for r in latest.values() if r is not None]
        if len(known) == BEHAVIOUR_COUNT:
            history.append(_point(w, known))
        pairs = tuple(
            (r, old)
            for b, r in latest.items()
            if r is not None and r.week == w and (old := _latest(readings[b], w, strict=True))
        )
        if pairs:
            changes.append(_Change(w, pairs))
    covered = sum(1 for rs in readings.values() if any(r.week <= week for r in rs))
    now = history[-1] if history and history[-1].week == week else None
    before = [p for p in history if p.week < week]
    previous = before[-1] if before else None
    first = history[0] if history else None
    this_change = changes[-1] if changes and changes[-1].week == week else None
    shift = INSUFFICIENT.shift
    if now is not None and previous is not None and this_change is not None:
        earlier = [c for c in changes if c.week < week]
        shift = _lasting(this_change, earlier, design_effects, family_size)
    return Overall(
        score=None if now is None else round(now.score, 10),
        previous=None if now is None or previous is None else round(previous.score, 10),
        previous_week=None if now is None or previous is None else previous.week,
        baseline=None if now is None or first is None else round(first.score, 10),
        baseline_week=None if now is None or first is None else first.week,
        change=None if now is None or previous is None else round(now.score - previous.score, 10),
        shift=shift,
        trend=_trend(changes, week),
        covered=covered,
        history=tuple(history),
    )


def _latest(readings: Sequence[Reading], week: str, *, strict: bool = False) -> Reading | None:
    found = [r for r in readings if (r.week < week if strict else r.week <= week)]
    return found[-1] if found else None


def _point(week: str, known: Sequence[Reading]) -> OverallPoint:
    """Mean of the 13 latest readings; their variances add (mostly different weeks' people)."""
    score = sum(r.score for r in known) / len(known)
    variances = [_estimate(r).variance if r.sample.people else 0.0 for r in known]
    return OverallPoint(week, score, sum(variances) / len(known) ** 2)


def _estimate(reading: Reading) -> ScoreEstimate:
    return estimate_score(reading.sample)


def _side(
    readings: Sequence[Reading], design_effects: Mapping[str, float], count: int
) -> ScoreEstimate:
    """Mean of some behaviours' readings (a count's share each), with its variance.

    Readings of one week share their people, so their variances are scaled by that week's
    design effect; readings of different weeks are independent samples.
    """
    by_week: dict[str, list[ScoreEstimate]] = {}
    for r in readings:
        by_week.setdefault(r.week, []).append(_estimate(r))
    variance = sum(
        design_effects.get(w, float(len(es))) * sum(e.variance for e in es)
        for w, es in by_week.items()
    ) / (count * count)
    df = min(e.df for es in by_week.values() for e in es)
    score = sum(r.score for r in readings) / count
    return ScoreEstimate(score, variance, df, 0, 0)


def _sampling(change: _Change, design_effects: Mapping[str, float]) -> tuple[float, float]:
    """The change's like-for-like difference (mean over its behaviours) and sampling variance."""
    pairs = [(new, old) for new, old in change.pairs if new.sample.people and old.sample.people]
    if not pairs:
        return math.nan, math.nan
    new = _side([n for n, _ in pairs], design_effects, len(pairs))
    old = _side([o for _, o in pairs], design_effects, len(pairs))
    return new.score - old.score, new.variance + old.variance


def week_noise(earlier: Sequence[_Change], design_effects: Mapping[str, float]) -> WeekNoise:
    """Between-week variance of a like-for-like change, learnt from the team's past changes.

    Each past change carries two weeks' wobble (the new week's and the old one's) besides its
    sampling variance; what is left of its square after the sampling part is twice the weekly
    variance. Blended with OVERALL_NOISE_PRIOR, as the index's weekly wobble is.
    """
    measured = [_sampling(c, design_effects) for c in earlier[-12:]]
    measured = [(d, v) for d, v in measured if not math.isnan(d)]
    weight = OVERALL_NOISE_PRIOR_WEEKS
    if not measured:
        return WeekNoise(OVERALL_NOISE_PRIOR, weight)
    excess = max(0.0, sum(d * d - v for d, v in measured) / len(measured) / 2)
    k = len(measured)
    return WeekNoise((weight * OVERALL_NOISE_PRIOR + k * excess) / (weight + k), weight + k)


def _test(
    change: _Change, design_effects: Mapping[str, float], confidence: float, extra: WeekNoise
) -> ShiftTest:
    """Some re-measured behaviours against their readings before, as one mean."""
    pairs = [(n, o) for n, o in change.pairs if n.sample.people and o.sample.people]
    if not pairs:
        return INSUFFICIENT
    return compare_estimates(
        _side([n for n, _ in pairs], design_effects, len(pairs)),
        _side([o for _, o in pairs], design_effects, len(pairs)),
        confidence=confidence,
        extra=(extra.variance, extra.df),
    )


def _lasting(
    change: _Change,
    earlier: Sequence[_Change],
    design_effects: Mapping[str, float],
    family_size: int,
) -> Shift:
    """This week's and the week before's like-for-like changes together, named only if each
    week's on its own points the same way (statistics.detect_lasting_shift): a bad week for
    everyone moves one week's changes, a lasting change every week's until all are re-read."""
    if not earlier:
        return INSUFFICIENT.shift
    last, before = earlier[-1], earlier[:-1]
    noise = week_noise(before, design_effects)
    both = _Change(change.week, change.pairs + last.pairs)
    pooled = _test(
        both, design_effects, family_confidence(family_size), WeekNoise(noise.variance, noise.df)
    )
    if pooled.shift not in NAMED_SHIFTS:
        return pooled.shift
    alone = family_confidence(1, error_rate=LASTING_ERROR_RATE)
    lasts = all(
        _test(c, design_effects, alone, WeekNoise(2 * noise.variance, noise.df)).shift
        == pooled.shift
        for c in (change, last)
    )
    return pooled.shift if lasts else "none"


def _trend(changes: Sequence[_Change], week: str) -> Trend:
    """Mean weekly slope of the behaviours re-measured in the last TREND_WINDOW weeks.

    Each week's slope is its behaviours' changes, each divided by the weeks since that
    behaviour's reading before. Successive slopes share readings with opposite signs, so the
    scatter of the slopes overstates the uncertainty of their mean: the trend errs on the side
    of "no clear direction".
    """
    last = week_ordinal(week)
    slopes = [
        sum(
            (new.score - old.score) / max(1, week_ordinal(new.week) - week_ordinal(old.week))
            for new, old in c.pairs
        )
        / len(c.pairs)
        for c in changes
        if last - TREND_WINDOW < week_ordinal(c.week) <= last
    ]
    k = len(slopes)
    if k < TREND_MIN_WEEKS:
        return describe_slope(None, None, k, df=0)
    mean = sum(slopes) / k
    spread = math.sqrt(sum((s - mean) ** 2 for s in slopes) / (k - 1))
    return describe_slope(mean, spread / math.sqrt(k), k, df=k - 1)


def design_effect(pooled: Moments, behaviours: Sequence[Moments]) -> float:
    """How much the pooled mean of a week's behaviours varies beyond independent people.

    The pooled sample's person-clustered variance against what its behaviours' variances
    alone would give the same weighted mean; at least 1.
    """
    answers = sum(m.answers for m in behaviours)
    if pooled.people == 0 or answers == 0:
        return 1.0
    independent = sum(
        (m.answers / answers) ** 2 * estimate_score(m).variance for m in behaviours if m.people
    )
    if independent <= 0:
        return 1.0
    return max(1.0, estimate_score(pooled).variance / independent)
