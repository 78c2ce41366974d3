"""Shift statistics for weekly pulse answers (the trend is `surveys.trend`).

A digest may only say "things moved" when the change is larger than the noise of the small
samples behind it, and a stable team should rarely be told otherwise. Everything here works on
points (1..5) grouped by person, or on the sums they reduce to (`Moments`), because the
person — not the answer — is the unit that was sampled: one person's answers in a week are
correlated, so treating them as independent would make chance look like change. The method
and its measured calibration are described in docs/METHOD.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from scipy import special

from surveys import scale
from surveys.moments import NO_ONE, AnySample, Moments, Sample, moments_of

Shift = Literal["towards_favourable", "towards_unfavourable", "none", "insufficient_data"]
Basis = Literal["previous_week", "recent_weeks"]

FAMILY_ERROR_RATE = 0.10
"""Largest chance, by design, that one digest of a stable team names any shift at all."""

DIGEST_FAMILY_SIZE = 4
"""Shift verdicts in one digest: the three behaviours asked that week and the index."""

PRIOR_PEOPLE = 1.0
PRIOR_ANSWER_VARIANCE = 0.25
"""One imaginary person whose answers spread one scale step (0.5) around the period's score.

It keeps a week in which a handful of people happened to agree exactly from looking
infinitely precise: three people all answering 4 and then three all answering 5 is not
evidence of a shift (an exact permutation test agrees), five and five is.
"""

WEEK_NOISE_PRIOR = 0.015
WEEK_NOISE_PRIOR_WEEKS = 2.0
WEEK_NOISE_HISTORY = 12
"""Weekly index scores wobble beyond their people's spread because each week asks different
behaviours. Until a team's own history says how much, assume a variance of 0.015 (a spread of
about ±0.12), worth two weeks of evidence; learn it from at most the last 12 measurements."""


@dataclass(frozen=True)
class ShiftTest:
    """A shift verdict with the change in score and its plausible range (None when not tested)."""

    shift: Shift
    difference: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class ScoreEstimate:
    """A period's score with its sampling variance, computed with the person as the unit."""

    score: float
    variance: float
    df: float
    people: int
    answers: int


@dataclass(frozen=True)
class WeekNoise:
    """Variance a weekly index score carries beyond its people, and the weeks behind it."""

    variance: float
    df: float


@dataclass(frozen=True)
class IndexShift:
    """The index verdict of one digest and the two comparisons behind it."""

    shift: Shift
    basis: Basis | None
    week_on_week: ShiftTest
    against_recent_weeks: ShiftTest


INSUFFICIENT = ShiftTest("insufficient_data", None, None, None)
NAMED_SHIFTS = ("towards_favourable", "towards_unfavourable")


def point_score(point: int) -> float:
    """Map a point 1..5 to the −1..+1 score scale, refusing anything that is not a point."""
    if not scale.is_point(point):
        raise ValueError(f"a point must be an integer from 1 to 5, not {point!r}")
    return scale.point_score(point)


def people(sample: AnySample) -> int:
    """Distinct people with at least one counted answer; "didn't come up" alone does not count."""
    if isinstance(sample, Moments):
        return sample.people
    return sum(1 for person in sample if len(person) > 0)


def score(sample: AnySample) -> float | None:
    """Mean of all counted answers on the −1..+1 scale, or None without answers."""
    m = moments_of(sample)
    return m.total / 2 / m.answers if m.answers else None


def favourable_share(sample: Sample) -> float | None:
    """Share of counted answers at the favourable end (points 4 and 5), or None without answers."""
    points = [p for person in sample for p in person]
    favourable = sum(1 for p in points if p in scale.FAVOURABLE_POINTS)
    return favourable / len(points) if points else None


def wilson_interval(successes: float, n: int, *, confidence: float) -> tuple[float, float]:
    """Wilson score interval for a proportion: honest near 0 and 1 and for small n."""
    _check_confidence(confidence)
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError("need 0 <= successes <= n and n > 0")
    z = _normal_quantile(confidence)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_difference(
    s1: float, n1: int, s2: float, n2: int, *, confidence: float
) -> tuple[float, float]:
    """Newcombe's hybrid score interval (1998, method 10) for p2 − p1."""
    p1, p2 = s1 / n1, s2 / n2
    l1, u1 = wilson_interval(s1, n1, confidence=confidence)
    l2, u2 = wilson_interval(s2, n2, confidence=confidence)
    difference = p2 - p1
    low = difference - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = difference + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return low, high


def family_confidence(family_size: int, *, error_rate: float | None = None) -> float:
    """Confidence for each of family_size tests so that all together err at most error_rate.

    Bonferroni's rule: it needs no knowledge of how the tests depend on each other, and the
    digest's tests overlap (the index contains the behaviours' answers).
    """
    if family_size < 1:
        raise ValueError("family_size must be at least 1")
    rate = FAMILY_ERROR_RATE if error_rate is None else error_rate
    return 1 - rate / family_size


def verdict(low: float, high: float) -> Shift:
    """The shift an interval of a difference names: a direction only if it excludes zero."""
    if low > 0:
        return "towards_favourable"
    if high < 0:
        return "towards_unfavourable"
    return "none"


def estimate_score(sample: AnySample) -> ScoreEstimate:
    """Score and its variance with people as clusters (ratio estimator, linearised).

    Each person's answers are reduced to their residual from the period's score, so a person
    who answered three questions weighs like three answers in the score but only like one
    sampled unit in the variance. One imaginary person (PRIOR_*) steadies tiny samples.
    The residuals' squares are summed from the sample's moments: in score units a person's
    sum is t/2, so Σ(t/2 − mean·k)² = Σt²/4 − mean·Σt·k + mean²·Σk².
    """
    m = moments_of(sample)
    if m.people == 0:
        raise ValueError("a sample needs at least one person with a counted answer")
    mean = m.total / 2 / m.answers
    mean_size = m.answers / m.people
    squares = person_residual_squares(m)
    df = m.people - 1 + PRIOR_PEOPLE
    prior = PRIOR_PEOPLE * PRIOR_ANSWER_VARIANCE / mean_size
    variance = (squares + prior) / df / m.people
    return ScoreEstimate(mean, variance, df, m.people, m.answers)


def person_residual_squares(m: Moments) -> float:
    """Σzᵢ² of `estimate_score`: each person's residual from the score, in units of one answer.

    Summed from the moments: in score units a person's sum is t/2, so
    Σ(t/2 − mean·k)² = Σt²/4 − mean·Σt·k + mean²·Σk², divided by the squared mean size.
    """
    mean = m.total / 2 / m.answers
    mean_size = m.answers / m.people
    residuals = m.total_squares / 4 - mean * m.cross + mean * mean * m.size_squares
    return max(0.0, residuals) / mean_size**2


def compare_estimates(
    current: ScoreEstimate,
    previous: ScoreEstimate,
    *,
    confidence: float,
    extra: tuple[float, float] = (0.0, math.inf),
) -> ShiftTest:
    """Welch interval for current − previous; a shift is named only if it excludes zero.

    extra is an additional (variance, degrees of freedom) of the difference, for noise the
    people do not show, combined by Satterthwaite's rule.
    """
    difference = current.score - previous.score
    extra_variance, extra_df = extra
    variance = current.variance + previous.variance + extra_variance
    df = variance**2 / (
        current.variance**2 / current.df
        + previous.variance**2 / previous.df
        + extra_variance**2 / extra_df
    )
    half = float(special.stdtrit(df, 1 - (1 - confidence) / 2)) * math.sqrt(variance)
    low, high = difference - half, difference + half
    return ShiftTest(verdict(low, high), difference, low, high)


def estimate_week_noise(earlier: Sequence[AnySample]) -> WeekNoise:
    """How much weekly index scores vary beyond their people, from a team's own history.

    Half the mean squared change between successive measurements is the weekly variance
    (robust to a slow drift or one step); what the people's spread explains is taken off;
    the rest is blended with WEEK_NOISE_PRIOR. Its degrees of freedom grow with the history.
    """
    estimates = [estimate_score(s) for s in earlier[-WEEK_NOISE_HISTORY:]]
    changes = len(estimates) - 1
    if changes < 1:
        return WeekNoise(WEEK_NOISE_PRIOR, WEEK_NOISE_PRIOR_WEEKS)
    squared = [(b.score - a.score) ** 2 for a, b in pairwise(estimates)]
    people_part = sum(e.variance for e in estimates) / len(estimates)
    observed = max(0.0, sum(squared) / (2 * changes) - people_part)
    weight = WEEK_NOISE_PRIOR_WEEKS
    variance = (weight * WEEK_NOISE_PRIOR + changes * observed) / (weight + changes)
    return WeekNoise(variance, weight + changes)


def detect_shift(
    current: AnySample, previous: AnySample | None, *, min_people: int, family_size: int = 4
) -> ShiftTest:
    """Compare this period's score with the previous measurement's.

    insufficient_data when either side has fewer than min_people people (or previous is None).
    The difference is in score (−1..+1); its interval is at confidence 1 − 0.10 / family_size,
    so across the family_size verdicts of one digest a stable team is told of a shift at most
    about one time in ten.
    """
    check_min_people(min_people)
    if previous is None or people(current) < min_people or people(previous) < min_people:
        return INSUFFICIENT
    return compare_estimates(
        estimate_score(current),
        estimate_score(previous),
        confidence=family_confidence(family_size),
    )


def detect_shift_against_window(
    recent: Sequence[AnySample],
    earlier: Sequence[AnySample],
    *,
    min_people: int,
    family_size: int = 4,
    week_noise: WeekNoise | None = None,
    error_rate: float | None = None,
) -> ShiftTest:
    """Compare the recent measurements, pooled, with the earlier ones, pooled.

    A week-on-week comparison sees a sudden change only once: a week later both weeks are
    already "after". Pooling the last two weeks against the few before them catches it on the
    second measurement too, with twice the people on the recent side. Samples below
    min_people are suppressed weeks and are left out; a person answering in several weeks is
    counted once per week, which is conservative here because their own level then sits on
    both sides of the comparison. week_noise, if given, is each week's own wobble.
    """
    check_min_people(min_people)
    recent_kept = [s for s in recent if people(s) >= min_people]
    earlier_kept = [s for s in earlier if people(s) >= min_people]
    if not recent_kept or not earlier_kept:
        return INSUFFICIENT
    noise = week_noise or WeekNoise(0.0, math.inf)
    return compare_estimates(
        estimate_score(_pool(recent_kept)),
        estimate_score(_pool(earlier_kept)),
        confidence=family_confidence(family_size, error_rate=error_rate),
        extra=(noise.variance * (1 / len(recent_kept) + 1 / len(earlier_kept)), noise.df),
    )


def detect_index_shift(
    history: Sequence[tuple[int, AnySample]],
    *,
    min_people: int,
    family_size: int = DIGEST_FAMILY_SIZE,
    recent_weeks: int = 2,
    earlier_weeks: int = 4,
) -> IndexShift:
    """The index verdict for the last week of history (oldest first).

    Two comparisons share the index's place in the digest's family (each at half of it): this
    week against the previous measurement, and the last recent_weeks measurements against the
    earlier_weeks before them. Both allow for the week-to-week wobble that comes from asking
    different behaviours each week, estimated from the weeks before those compared. The
    week-on-week verdict wins when it names a shift, so the digest can say "up on last week";
    otherwise the pooled one can say "up on recent weeks".
    """
    check_min_people(min_people)
    if recent_weeks < 1 or earlier_weeks < 1:
        raise ValueError("recent_weeks and earlier_weeks must each be at least 1")
    if not history or people(history[-1][1]) < min_people:
        return IndexShift("insufficient_data", None, INSUFFICIENT, INSUFFICIENT)
    measured = [sample for _, sample in history if people(sample) >= min_people]
    noise = estimate_week_noise(measured[:-recent_weeks])
    return verdict_of_readings(
        measured,
        noise=noise,
        min_people=min_people,
        family_size=family_size,
        recent=recent_weeks,
        earlier=earlier_weeks,
    )


def verdict_of_readings(
    measured: Sequence[AnySample],
    *,
    noise: WeekNoise,
    min_people: int,
    family_size: int,
    recent: int,
    earlier: int,
) -> IndexShift:
    """The lasting verdict on published readings (oldest first, each from enough people),
    with week on week kept for the record: one rule for the index and every behaviour."""
    confidence = family_confidence(2 * family_size)
    week_on_week = INSUFFICIENT
    if len(measured) >= 2:
        week_on_week = compare_estimates(
            estimate_score(measured[-1]),
            estimate_score(measured[-2]),
            confidence=confidence,
            extra=(2 * noise.variance, noise.df),
        )
    windowed = INSUFFICIENT
    if len(measured) > recent:
        windowed = detect_lasting_shift(
            measured[-recent:],
            measured[-recent - earlier : -recent],
            min_people=min_people,
            family_size=family_size,
            week_noise=noise,
        )
    return lasting_verdict(week_on_week, windowed)


LASTING_ERROR_RATE = 0.05
"""Each of the last two readings must on its own lie beyond the earlier ones at this two-sided
rate (one-sided 2.5%): a move that shows in one week only, a bad week for everyone, is not
named. At 0.1 a team of 30 heard of a shift in 12% of its bad weeks (the bar is 10%); at 0.05,
6.5% (docs/METHOD.md), at some cost in power."""


def detect_lasting_shift(
    recent: Sequence[AnySample],
    earlier: Sequence[AnySample],
    *,
    min_people: int,
    family_size: int,
    week_noise: WeekNoise,
) -> ShiftTest:
    """The recent readings, pooled, against the earlier ones, named only if the move lasts.

    Nothing in one week tells a bad week for everyone from a lasting change, so a shift is
    named only when the pooled comparison names it and every recent reading, on its own, lies
    beyond the earlier ones in the same direction. A real change passes by its second reading.
    """
    pooled = detect_shift_against_window(
        recent, earlier, min_people=min_people, family_size=family_size, week_noise=week_noise
    )
    if pooled.shift not in NAMED_SHIFTS:
        return pooled
    kept = [s for s in recent if people(s) >= min_people]
    lasts = len(kept) == len(recent) and all(
        detect_shift_against_window(
            [sample],
            earlier,
            min_people=min_people,
            family_size=1,
            week_noise=week_noise,
            error_rate=LASTING_ERROR_RATE,
        ).shift
        == pooled.shift
        for sample in kept
    )
    if lasts:
        return pooled
    return ShiftTest("none", pooled.difference, pooled.low, pooled.high)


def lasting_verdict(week_on_week: ShiftTest, lasting: ShiftTest) -> IndexShift:
    """The verdict is the lasting one; week on week is kept for the record, never named alone."""
    if lasting.shift in NAMED_SHIFTS:
        return IndexShift(lasting.shift, "recent_weeks", week_on_week, lasting)
    if "none" in (week_on_week.shift, lasting.shift):
        return IndexShift("none", None, week_on_week, lasting)
    return IndexShift("insufficient_data", None, week_on_week, lasting)


def _pool(samples: Sequence[AnySample]) -> Moments:
    return sum(map(moments_of, samples), NO_ONE)


def _normal_quantile(confidence: float) -> float:
    return float(special.ndtri(1 - (1 - confidence) / 2))


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")


def check_min_people(min_people: int) -> None:
    """Refuse a threshold under which no spread could be estimated."""
    if min_people < 2:
        raise ValueError("min_people must be at least 2 for a spread to be estimated")
