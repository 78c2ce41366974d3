"""Each partner organisation's figures beside the team's (SPEC §4 `organisations`).

A closed round's answers carry their organisation's name only where the organisation was
big enough to hide in (`surveys.anonymity.kept_organisation_labels`); the rest are "Other
partners". What each of those groups may show, figure by figure, is decided by
`surveys.anonymity.shown_organisations`, with complementary suppression: whatever the team's
figure less the shown organisations' leaves is itself from enough people, or from no one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from surveys.anonymity import (
    index_shown,
    pooled_behaviours,
    shown_behaviours,
    shown_organisations,
)
from surveys.behaviours import BEHAVIOURS
from surveys.moments import NO_ONE, Moments, moments_of
from surveys.organisations import OTHER_PARTNERS

Person = Sequence[tuple[str, int | None]]
"""One respondent's answers in a round: (behaviour, point), point None for "didn't come up"."""

WeekGroups = Mapping[str, Sequence[Person]]
"""One week's respondents by organisation; unnamed answers under OTHER_PARTNERS."""


@dataclass(frozen=True)
class OrganisationBehaviour:
    """One organisation's figure for one behaviour asked that week."""

    id: str
    n: int | None
    score: float | None
    suppressed: bool


@dataclass(frozen=True)
class OrganisationFigures:
    """One organisation's figures for a week; ``index_sample`` is kept for convergence."""

    name: str
    n: int | None
    index: float | None
    index_suppressed: bool
    behaviours: tuple[OrganisationBehaviour, ...]
    index_sample: Moments | None = None


def _moments(people: Sequence[Person], behaviours: frozenset[str]) -> Moments:
    return moments_of(
        [[p for b, p in person if b in behaviours and p is not None] for person in people]
    )


def _score(sample: Moments) -> float:
    return round(sample.total / 2 / sample.answers, 10)


def group_order(name: str) -> tuple[bool, str]:
    """Organisations by name, "Other partners" last."""
    return name == OTHER_PARTNERS, name.casefold()


def organisation_figures(
    groups: WeekGroups, *, asked: Sequence[str], threshold: int
) -> tuple[OrganisationFigures, ...]:
    """Each organisation's figures for a week, or none when fewer than two are present.

    A behaviour is shown by organisation only where the team's own figure is shown. An
    organisation's index pools the behaviours the team's index pools, and is eligible only
    where the organisation shows every one of them that it answered: otherwise its index
    less its shown behaviours would give away the withheld one.
    """
    present = {g: people for g, people in groups.items() if people}
    if len(present) < 2:
        return ()
    everyone = [person for people in present.values() for person in people]
    answered = {b for person in everyone for b, p in person if p is not None}
    team_behaviours = {b: _moments(everyone, frozenset((b,))) for b in answered}
    team_shown = shown_behaviours(team_behaviours, threshold=threshold)
    by_group = {
        g: {b: _moments(people, frozenset((b,))) for b in answered} for g, people in present.items()
    }
    shown: dict[str, frozenset[str]] = {}
    for b in team_shown:
        samples = {g: by_group[g][b] for g in present}
        shown[b] = shown_organisations(team_behaviours[b], samples, threshold)
    pool = pooled_behaviours(team_behaviours, team_shown) if team_shown else frozenset()
    team_pool = _moments(everyone, pool)
    index_groups: frozenset[str] = frozenset()
    pooled = {g: _moments(people, pool) for g, people in present.items()}
    if pool and team_pool.people and index_shown(team_pool, threshold):
        eligible = {
            g for g in present if all(g in shown[b] or not by_group[g][b].people for b in pool)
        }
        index_groups = shown_organisations(team_pool, pooled, threshold, eligible)
    order = [b.id for b in BEHAVIOURS if b.id in set(asked)]
    return tuple(
        _figures(g, order, shown, by_group[g], pooled[g] if g in index_groups else None)
        for g in sorted(present, key=group_order)
    )


def _figures(
    name: str,
    order: Sequence[str],
    shown: Mapping[str, frozenset[str]],
    samples: Mapping[str, Moments],
    index: Moments | None,
) -> OrganisationFigures:
    behaviours = []
    for b in order:
        sample = samples.get(b, NO_ONE)
        if name in shown.get(b, frozenset()):
            behaviours.append(OrganisationBehaviour(b, sample.people, _score(sample), False))
        else:
            behaviours.append(OrganisationBehaviour(b, None, None, True))
    anything = index is not None or any(not b.suppressed for b in behaviours)
    return OrganisationFigures(
        name=name,
        n=None if index is None else index.people,
        index=None if index is None else _score(index),
        index_suppressed=index is None,
        behaviours=tuple(behaviours) if anything else (),
        index_sample=index,
    )
