"""Which answers may be published, so that no figure can be worked out from the others.

A figure from fewer people than the team's threshold is suppressed. A week's index pools
the answers of the behaviours shown that week only: pooling a suppressed behaviour with
shown ones would let anyone recover it by subtraction. When every behaviour of a week is
suppressed the index may pool them all, because nothing shown can be subtracted from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

MINIMUM_THRESHOLD = 3
DEFAULT_THRESHOLD = 5


class ThresholdTooLow(ValueError):
    """A threshold below the floor that keeps individuals hidden."""


def checked_threshold(value: int) -> int:
    """Refuse thresholds under the minimum rather than silently raising them."""
    if value < MINIMUM_THRESHOLD:
        raise ThresholdTooLow(
            f"The anonymity threshold cannot be below {MINIMUM_THRESHOLD} people."
        )
    return value


@dataclass(frozen=True)
class PublishedAnswers:
    """Counted answers behind published figures: per behaviour-week, and pooled per week."""

    behaviours: pd.DataFrame
    index: pd.DataFrame


def published_answers(frame: pd.DataFrame, *, threshold: int) -> PublishedAnswers:
    """Split counted answers into those behind published behaviour and index figures."""
    counted = frame[frame["point"].notna()]
    people = counted.groupby(["week", "behaviour"])["respondent"].transform("nunique")
    shown = people >= threshold
    behaviours = counted[shown]
    weeks_with_shown = set(behaviours["week"])
    pooled = counted[shown | ~counted["week"].isin(weeks_with_shown)]
    index_people = pooled.groupby("week")["respondent"].transform("nunique")
    return PublishedAnswers(behaviours=behaviours, index=pooled[index_people >= threshold])


def shown_behaviours(people: Mapping[str, int], *, threshold: int) -> frozenset[str]:
    """The behaviours of one week whose figures may be shown, from each one's head count."""
    return frozenset(b for b, n in people.items() if n >= threshold)


def pooled_behaviours(people: Mapping[str, int], shown: frozenset[str]) -> frozenset[str]:
    """The behaviours a week's index pools: the shown ones, or all of them if none is shown."""
    return shown or frozenset(people)


def index_shown(pooled_people: int, threshold: int) -> bool:
    """Whether a week's index, pooling this many people, may be shown."""
    return pooled_people >= threshold
