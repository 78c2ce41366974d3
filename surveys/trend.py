"""Where a team's index is heading: a straight line through its recent weeks, in plain words.

The slope's uncertainty comes from how far the weeks scatter around the line, so every
source of week-to-week wobble makes the trend less certain rather than falsely confident.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from scipy import special

from surveys.moments import AnySample
from surveys.statistics import check_min_people, people, score

Direction = Literal["improving", "declining", "steady", "unclear"]

TREND_MIN_WEEKS = 4
TREND_CONFIDENCE = 0.95
TREND_STRONG_CONFIDENCE = 0.99
STEADY_BAND_PER_WEEK = 0.04
"""A trend whose whole plausible range stays within ±0.04 a week is called steady."""


@dataclass(frozen=True)
class Trend:
    """Where the index is heading over the last few weeks, with words for a manager."""

    direction: Direction
    slope_per_week: float | None
    low: float | None
    high: float | None
    weeks: int
    wording: str


def index_trend(
    history: Sequence[tuple[int, AnySample]], *, min_people: int, window: int = 8
) -> Trend:
    """Straight-line trend of the weekly index over the last `window` weeks.

    history: (week number, sample) pairs oldest first; suppressed weeks (fewer than min_people)
    are left out. The slope's uncertainty comes from how far the weeks scatter around the
    line, so every source of week-to-week wobble — who answered, which behaviours were asked —
    makes the trend less certain rather than falsely confident.
    """
    check_min_people(min_people)
    if not history:
        return _too_early(0)
    last_week = history[-1][0]
    used = [
        (week, value)
        for week, sample in history
        if (value := score(sample)) is not None
        and week > last_week - window
        and people(sample) >= min_people
    ]
    if len(used) < TREND_MIN_WEEKS:
        return _too_early(len(used))
    slope, standard_error = _fit_line(used)
    return describe_slope(slope, standard_error, len(used), df=len(used) - 2)


def _fit_line(used: Sequence[tuple[int, float]]) -> tuple[float, float]:
    """Least-squares slope of score on week and its standard error from the scatter."""
    weeks = [float(week) for week, _ in used]
    scores = [value for _, value in used]
    k = len(used)
    mean_week, mean_score = sum(weeks) / k, sum(scores) / k
    sxx = sum((w - mean_week) ** 2 for w in weeks)
    slope = sum((w - mean_week) * (s - mean_score) for w, s in zip(weeks, scores, strict=True))
    slope /= sxx
    residuals = [
        s - mean_score - slope * (w - mean_week) for w, s in zip(weeks, scores, strict=True)
    ]
    return slope, math.sqrt(sum(r * r for r in residuals) / (k - 2) / sxx)


def describe_slope(
    slope: float | None, standard_error: float | None, weeks: int, *, df: int
) -> Trend:
    """A slope per week and its standard error (on df degrees of freedom) as a trend in words;
    no slope is "too early to tell"."""
    if slope is None or standard_error is None or df < 1:
        return _too_early(weeks)
    half = float(special.stdtrit(df, 1 - (1 - TREND_CONFIDENCE) / 2)) * standard_error
    strong = float(special.stdtrit(df, 1 - (1 - TREND_STRONG_CONFIDENCE) / 2)) * standard_error
    low, high = slope - half, slope + half
    if low > 0 or high < 0:
        direction: Direction = "improving" if low > 0 else "declining"
        sure = abs(slope) > strong
    elif low >= -STEADY_BAND_PER_WEEK and high <= STEADY_BAND_PER_WEEK:
        direction, sure = "steady", False
    else:
        direction, sure = "unclear", False
    wording = trend_wording(direction, slope, weeks, confident=sure)
    return Trend(direction, slope, low, high, weeks, wording)


def trend_wording(direction: Direction, slope: float | None, weeks: int, *, confident: bool) -> str:
    """Plain words for a trend; no statistical terms, framed around what the team can do."""
    if direction == "unclear" and (slope is None or weeks < TREND_MIN_WEEKS):
        return "Too early to tell which way things are going."
    if direction == "unclear":
        return (
            f"No clear direction over the last {weeks} weeks: the ups and downs are within "
            "what small groups produce by chance."
        )
    if direction == "steady":
        return f"Holding steady over the last {weeks} weeks."
    assert slope is not None
    sureness = (
        "we're confident of the direction" if confident else "we're fairly sure of the direction"
    )
    rate = f"about {slope:+.2f}" if round(abs(slope), 2) > 0 else "less than 0.01"
    amount = f"{rate} a week over the last {weeks} weeks ({sureness})"
    if direction == "improving":
        return f"Improving: {amount}."
    return f"Slipping back: {amount}. A good moment to talk about what has changed."


def _too_early(weeks: int) -> Trend:
    return Trend(
        "unclear", None, None, None, weeks, trend_wording("unclear", None, weeks, confident=False)
    )
