"""A team's answers week by week, reduced to the sums that its figures are worked out from.

A digest looks at every week of a team's history. Reduced to `Moments` (counts and sums over
people), a week is a handful of whole numbers, whether a database added them up or they were
added up here from stored answers; no figure needs more, and no one's answers travel further.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from surveys.anonymity import pooled_behaviours, shown_behaviours
from surveys.moments import NO_ONE, Moments, moments_of


@dataclass(frozen=True)
class AnswerRow:
    """One stored answer: ``point`` None is "didn't come up"; ``respondent`` is opaque per week."""

    week: str
    respondent: str
    behaviour_id: str
    point: int | None


class PoolNotRead(LookupError):
    """An index needed the moments of some behaviours pooled, and they were not worked out."""


@dataclass(frozen=True)
class WeekAnswers:
    """One week's counted answers as moments: all of them, each behaviour's, and the pools a
    suppressed behaviour leaves the index with; and how many people answered anything (a
    "didn't come up" included)."""

    responded: int
    everything: Moments = NO_ONE
    behaviours: Mapping[str, Moments] = field(default_factory=dict)
    pools: Mapping[frozenset[str], Moments] = field(default_factory=dict)

    @cached_property
    def head_counts(self) -> dict[str, int]:
        """People with a counted answer to each behaviour (asked for twice a round, by the read
        and by the digest, so counted once)."""
        return {b: m.people for b, m in self.behaviours.items() if m.people}

    def behaviour(self, behaviour_id: str) -> Moments:
        """One behaviour's moments; no one's when nobody answered it."""
        return self.behaviours.get(behaviour_id, NO_ONE)

    def pooled(self, behaviours: frozenset[str]) -> Moments:
        """The moments of the answers to some of the week's behaviours, pooled per person."""
        if behaviours == frozenset(self.head_counts):
            return self.everything
        if behaviours in self.pools:
            return self.pools[behaviours]
        raise PoolNotRead(f"the pool of {sorted(behaviours)} was not worked out")


def index_pool(behaviours: Mapping[str, Moments], threshold: int) -> frozenset[str] | None:
    """The behaviours a week's index pools when that is not all of them, else None: only then
    does the index need moments beyond the week's own."""
    pooled = pooled_behaviours(behaviours, shown_behaviours(behaviours, threshold=threshold))
    answered = frozenset(b for b, m in behaviours.items() if m.people)
    return None if pooled == answered else pooled


def weeks_of(answers: Iterable[AnswerRow], threshold: int) -> dict[str, WeekAnswers]:
    """Stored answers reduced to moments week by week, with the pools this threshold needs."""
    by_week: dict[str, dict[str, list[tuple[str, int | None]]]] = {}
    for a in answers:
        by_week.setdefault(a.week, {}).setdefault(a.respondent, []).append(
            (a.behaviour_id, a.point)
        )
    return {w: _week_of(people, threshold) for w, people in by_week.items()}


def _week_of(people: Mapping[str, list[tuple[str, int | None]]], threshold: int) -> WeekAnswers:
    counted = [[(b, p) for b, p in answers if p is not None] for answers in people.values()]
    behaviours = {b for answers in counted for b, _ in answers}
    by_behaviour = {b: _moments(counted, frozenset((b,))) for b in behaviours}
    week = WeekAnswers(
        responded=len(people),
        everything=_moments(counted, frozenset(behaviours)),
        behaviours=by_behaviour,
    )
    pool = index_pool(week.behaviours, threshold)
    if pool is None:
        return week
    return WeekAnswers(
        week.responded, week.everything, week.behaviours, {pool: _moments(counted, pool)}
    )


def _moments(counted: list[list[tuple[str, int]]], behaviours: frozenset[str]) -> Moments:
    return moments_of([[p for b, p in answers if b in behaviours] for answers in counted])
