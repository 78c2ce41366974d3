"""A simulated team's tidy weeks: people who differ from each other, behaviours the team is
better or worse at, five-point answers, people who skip a week, questions that "didn't come
up", all drawn from a latent-scale model. Pure (numpy, scipy) and seeded, so the tests and
`python -m calibration.tidy_weeks` see the same figures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from surveys.behaviours import BEHAVIOUR_IDS
from surveys.moments import Sample
from surveys.rotation import DEFAULT_QUESTIONS_PER_WEEK

BEHAVIOUR_COUNT = len(BEHAVIOUR_IDS)
ASKED_PER_WEEK = DEFAULT_QUESTIONS_PER_WEEK
CUTS = np.array([-1.5, -0.5, 0.5, 1.5])
"""Latent thresholds between the five points; above 0.5 is a favourable answer (4 or 5)."""


@dataclass(frozen=True)
class TeamModel:
    """How one team's answers are generated (latent scale: answer noise has spread 1)."""

    size: int
    response_rate: float
    level: float = 0.0
    person_spread: float = 0.6
    behaviour_spread: float = 0.5
    response_spread: float = 0.1
    not_come_up: float = 0.1

    @property
    def total_spread(self) -> float:
        """Spread of one answer around the team level, across people and behaviours."""
        return math.sqrt(1 + self.person_spread**2 + self.behaviour_spread**2)

    def level_for_share(self, share: float) -> float:
        """Team level at which the given share of answers is favourable, on average."""
        return float(CUTS[2] + special.ndtri(share) * self.total_spread)


@dataclass(frozen=True)
class Week:
    """One simulated week: which behaviours were asked, their samples and the index sample."""

    number: int
    asked: tuple[int, ...]
    behaviours: tuple[Sample, ...]
    index: Sample


def asked_in_week(week: int) -> tuple[int, ...]:
    """The rotation: three consecutive behaviours a week, wrapping round all thirteen."""
    return tuple((ASKED_PER_WEEK * week + j) % BEHAVIOUR_COUNT for j in range(ASKED_PER_WEEK))


def simulate_team(
    model: TeamModel,
    levels: Sequence[float],
    rng: np.random.Generator,
    *,
    behaviour: np.ndarray | None = None,
) -> list[Week]:
    """Weeks of answers for one team; levels[w] is the team's latent level in week w.

    behaviour, if given, is how much better or worse than its level the team is at each
    behaviour (drawn with spread model.behaviour_spread otherwise): organisations of one
    partnership share much of it (calibration.convergence).
    """
    person = rng.normal(0.0, model.person_spread, model.size)
    if behaviour is None:
        behaviour = rng.normal(0.0, model.behaviour_spread, BEHAVIOUR_COUNT)
    propensity = np.clip(
        model.response_rate + rng.normal(0.0, model.response_spread, model.size), 0.05, 0.98
    )
    return [
        _simulate_week(model, week, level, person, behaviour, propensity, rng)
        for week, level in enumerate(levels)
    ]


def _simulate_week(
    model: TeamModel,
    week: int,
    level: float,
    person: np.ndarray,
    behaviour: np.ndarray,
    propensity: np.ndarray,
    rng: np.random.Generator,
) -> Week:
    asked = asked_in_week(week)
    shape = (model.size, len(asked))
    latent = level + person[:, None] + behaviour[list(asked)][None, :] + rng.normal(0, 1, shape)
    points = 1 + (latent[..., None] > CUTS).sum(axis=-1)
    counted = (rng.random(shape) >= model.not_come_up) & (rng.random(model.size) < propensity)[
        :, None
    ]
    rows = points.tolist()
    keep = counted.tolist()
    behaviours = tuple(
        tuple((rows[i][j],) for i in range(model.size) if keep[i][j]) for j in range(len(asked))
    )
    index = tuple(
        tuple(p for p, k in zip(rows[i], keep[i], strict=True) if k)
        for i in range(model.size)
        if any(keep[i])
    )
    return Week(week, asked, behaviours, index)
