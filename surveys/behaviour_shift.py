"""A behaviour's shift verdict: its last reading and its recent readings against earlier ones.

A behaviour is asked every four or five weeks, so comparing a reading with the one before
gives a sudden change a single chance, and a reading also wobbles with its week (a bad week
for everyone, what happened to be topical) beyond what its people's spread shows. So, as for
the index, two comparisons share the behaviour's place in the digest's family: the reading
against the previous one, and the last two readings pooled against up to four before them;
both carry between-week variance learnt from how much the team's behaviours have moved
between their readings (docs/METHOD.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise

from surveys.moments import Moments
from surveys.statistics import (
    INSUFFICIENT,
    IndexShift,
    WeekNoise,
    estimate_score,
    verdict_of_readings,
)

BEHAVIOUR_NOISE_PRIOR = 0.01
BEHAVIOUR_NOISE_PRIOR_WEEKS = 2.0
NOISE_HISTORY = 24
"""Until a team's history says otherwise, a reading wobbles with its week by a variance of
0.01 (about ±0.1 on the score), worth two readings; learn from at most 24 recent changes."""


def behaviour_noise(
    readings: Mapping[str, Sequence[tuple[str, Moments]]], before: str
) -> WeekNoise:
    """Between-week variance of one reading, from every behaviour's changes before ``before``.

    A change between two readings carries two weeks' wobble besides its sampling variance;
    half of what is left of its square after the sampling part estimates one week's.
    """
    changes = []
    for series in readings.values():
        kept = [(w, m) for w, m in series if w < before and m.people >= 2]
        for (_, a), (w2, b) in pairwise(kept):
            ea, eb = estimate_score(a), estimate_score(b)
            changes.append((w2, (eb.score - ea.score) ** 2 - ea.variance - eb.variance))
    recent = [excess for _, excess in sorted(changes)[-NOISE_HISTORY:]]
    weight = BEHAVIOUR_NOISE_PRIOR_WEEKS
    if not recent:
        return WeekNoise(BEHAVIOUR_NOISE_PRIOR, weight)
    observed = max(0.0, sum(recent) / len(recent) / 2)
    k = len(recent)
    return WeekNoise((weight * BEHAVIOUR_NOISE_PRIOR + k * observed) / (weight + k), weight + k)


def detect_behaviour_shift(
    history: Sequence[Moments],
    *,
    noise: WeekNoise,
    min_people: int,
    family_size: int,
    recent: int = 2,
    earlier: int = 4,
) -> IndexShift:
    """The verdict for the last of a behaviour's published readings (oldest first; the last is
    this week's). Each comparison is at half the behaviour's share of the family."""
    if not history or history[-1].people < min_people:
        return IndexShift("insufficient_data", None, INSUFFICIENT, INSUFFICIENT)
    measured = [m for m in history if m.people >= min_people]
    return verdict_of_readings(
        measured,
        noise=noise,
        min_people=min_people,
        family_size=family_size,
        recent=recent,
        earlier=earlier,
    )
