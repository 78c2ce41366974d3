"""Whether the partner organisations see the partnership more alike over time (SPEC §4).

The briefing's test of a partnership culture forming, rather than partner cultures clashing,
is that the organisations' views draw together. The measure, `spread`, is the typical gap
between two shown organisations' scores once chance is taken out: small organisations'
scores wobble, and raw gaps between wobbling scores are large even between organisations that
see things exactly alike, so each pair's expected chance gap is subtracted before averaging.
Its verdict is a straight line through the last weeks' squared gaps, named only when the
line's plausible range excludes flat (docs/METHOD.md, "Convergence").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Literal

from scipy import special

from surveys.moments import Moments
from surveys.statistics import check_min_people, person_residual_squares

ConvergenceShift = Literal["converging", "diverging", "none", "insufficient_data"]

CONVERGENCE_WINDOW = 8
"""The verdict reads the squared gaps of the last eight weeks (by week number)."""

CONVERGENCE_MIN_WEEKS = 4
"""A line needs at least four weeks with two or more shown organisations, as the trend does."""

CONVERGENCE_ERROR_RATE = 0.10
"""Two-sided rate of the slope's interval: the 10% a digest may err, spent on this one verdict.
Measured on simulated partnerships whose organisations do not change, `converging` or
`diverging` is said in at most about 9% of digests (weeks without a verdict count as not
misled); at 0.05 it was 3–4% and half as many real halvings were named (docs/METHOD.md)."""

OrganisationWeek = tuple[int, Sequence[Moments]]
"""One week: its number and the samples of the organisations shown that week."""


@dataclass(frozen=True)
class WeekGap:
    """One week's gap between organisations.

    squared_gap estimates the mean, over pairs of organisations, of the squared difference of
    their true scores: unbiased, so it can fall below zero when the organisations are alike.
    """

    week: int
    organisations: int
    squared_gap: float

    @property
    def spread(self) -> float:
        """The typical gap between two organisations' scores, beyond chance (never negative)."""
        return math.sqrt(max(0.0, self.squared_gap))


@dataclass(frozen=True)
class Convergence:
    """SPEC §4's `convergence`, with the line behind its verdict kept for the record.

    spread, previous and baseline are on the −1..+1 score scale: this week's, the last earlier
    week's and the first week's typical gap between two organisations. slope_per_week, low
    and high are the squared gap's fitted change a week and its interval (None untested).
    """

    spread: float | None
    previous: float | None
    baseline: float | None
    shift: ConvergenceShift
    organisations: int
    weeks: int
    slope_per_week: float | None
    low: float | None
    high: float | None

    def to_json(self) -> dict[str, Any]:
        """The four fields SPEC §4 names, in its order."""
        return {
            "spread": self.spread,
            "previous": self.previous,
            "baseline": self.baseline,
            "shift": self.shift,
        }


NO_CONVERGENCE = Convergence(None, None, None, "insufficient_data", 0, 0, None, None, None)


def measure_convergence(history: Sequence[OrganisationWeek], *, min_people: int) -> Convergence:
    """The convergence figures for the last week of history (oldest first).

    Each week lists the samples of the organisations shown in it: pass only organisations
    whose figures are published (never "Other partners" or a suppressed one), in any order.
    An organisation with fewer than min_people people is left out; a week with fewer than two
    organisations left has no spread. With fewer than two this week every figure is None.
    """
    check_min_people(min_people)
    gaps = [
        gap for week, samples in history if (gap := week_gap(week, samples, min_people=min_people))
    ]
    if not history or not gaps or gaps[-1].week != history[-1][0]:
        return NO_CONVERGENCE
    now = gaps[-1]
    previous = gaps[-2].spread if len(gaps) > 1 else None
    used = [g for g in gaps if g.week > now.week - CONVERGENCE_WINDOW]
    shift, slope, low, high = _verdict(used)
    return Convergence(
        spread=_tidy(now.spread),
        previous=None if previous is None else _tidy(previous),
        baseline=_tidy(gaps[0].spread),
        shift=shift,
        organisations=now.organisations,
        weeks=len(used),
        slope_per_week=slope,
        low=low,
        high=high,
    )


def week_gap(week: int, samples: Sequence[Moments], *, min_people: int) -> WeekGap | None:
    """The week's squared gap between organisations, or None with fewer than two of them.

    For two organisations with scores r and sampling variances v, chance alone adds v₁ + v₂ to
    the expected (r₁ − r₂)², so (r₁ − r₂)² − v₁ − v₂ is unbiased for the squared gap between
    their true scores. Averaging it over every pair weighs each organisation alike, however
    many people it has; with two organisations the spread is simply the gap between them.
    """
    kept = [s for s in samples if s.people >= min_people and s.answers > 0]
    if len(kept) < 2:
        return None
    estimates = [(s.total / 2 / s.answers, sampling_variance(s)) for s in kept]
    pairs = list(combinations(estimates, 2))
    excess = [(r1 - r2) ** 2 - v1 - v2 for (r1, v1), (r2, v2) in pairs]
    return WeekGap(week, len(kept), math.fsum(excess) / len(pairs))


def sampling_variance(sample: Moments) -> float:
    """Unbiased sampling variance of a score, with the person as the unit.

    `estimate_score`'s variance with no imaginary person: that prior keeps a test from being
    over-confident, but here the variance is subtracted, and an inflated one would drag the
    spread of organisations that differ towards zero.
    """
    if sample.people < 2:
        raise ValueError("a sampling variance needs at least two people")
    return person_residual_squares(sample) / (sample.people - 1) / sample.people


def _verdict(
    used: Sequence[WeekGap],
) -> tuple[ConvergenceShift, float | None, float | None, float | None]:
    """Least-squares line of squared gap on week; named only if its interval excludes flat.

    The interval comes from the weeks' scatter around the line, so every source of weekly
    wobble — who answered, which behaviours were asked — widens it.
    """
    k = len(used)
    if k < CONVERGENCE_MIN_WEEKS:
        return "insufficient_data", None, None, None
    weeks = [float(g.week) for g in used]
    values = [g.squared_gap for g in used]
    mean_week, mean_value = sum(weeks) / k, sum(values) / k
    sxx = sum((w - mean_week) ** 2 for w in weeks)
    slope = sum((w - mean_week) * (v - mean_value) for w, v in zip(weeks, values, strict=True))
    slope /= sxx
    residuals = [
        v - mean_value - slope * (w - mean_week) for w, v in zip(weeks, values, strict=True)
    ]
    standard_error = math.sqrt(sum(r * r for r in residuals) / (k - 2) / sxx)
    half = float(special.stdtrit(k - 2, 1 - CONVERGENCE_ERROR_RATE / 2)) * standard_error
    low, high = slope - half, slope + half
    shift: ConvergenceShift = "diverging" if low > 0 else "converging" if high < 0 else "none"
    return shift, slope, low, high


def _tidy(value: float) -> float:
    """Drop float noise past ten decimals, as the digest's other figures do."""
    return round(value, 10)
