"""How often the digest names a shift on simulated teams, changed and unchanged.

The calibration question is empirical: how often does a digest of a team that has not changed
name a shift, and how quickly is a real change named? This module measures both on tidy
simulated weeks (`calibration.tidy_team`), for the digest's design and its alternatives
(`calibration.designs`), and prints the table `docs/METHOD.md` quotes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from calibration.designs import (
    ALTERNATIVES,
    CHOSEN,
    Design,
    digest_shifts,
    index_shift,
)
from calibration.tidy_team import CUTS, TeamModel, Week, simulate_team
from surveys import statistics as st
from surveys.trend import index_trend


@dataclass(frozen=True)
class Rate:
    """A simulated rate with its Monte Carlo standard error."""

    rate: float
    standard_error: float
    trials: int

    def __str__(self) -> str:
        return f"{100 * self.rate:.1f}% ± {100 * self.standard_error:.1f}"


@dataclass(frozen=True)
class StableRates:
    """What digests of teams that did not change said, per digest."""

    named_shift: Rate
    trend_direction: Rate
    index_tested: Rate


def stable_team_rates(
    size: int,
    *,
    teams: int,
    weeks_run: int = 16,
    min_people: int = 5,
    behaviour_spread: float = 0.5,
    design: Design = CHOSEN,
    seed: int = 0,
) -> StableRates:
    """How often digests of stable teams name any shift, or give the trend a direction.

    Each team gets a random level (favourable share roughly 20–80%) and response rate
    (50–90%) and is followed from its second week to week weeks_run, one digest a week, so
    early digests with little history count as much as later ones. Standard errors treat the
    team as the unit, since one team's digests share people.
    """
    rng = np.random.default_rng(seed)
    counts = []
    for _ in range(teams):
        level = rng.uniform(-1.0, 1.0) + CUTS[2]
        model = TeamModel(size, rng.uniform(0.5, 0.9), level, behaviour_spread=behaviour_spread)
        weeks = simulate_team(model, [model.level] * weeks_run, rng)
        counts.append(_count_stable_digests(weeks, min_people, design))
    per_team = weeks_run - 1
    named, directed, tested = zip(*counts, strict=True)
    return StableRates(
        _clustered_rate(named, per_team),
        _clustered_rate(directed, per_team),
        _clustered_rate(tested, per_team),
    )


def _count_stable_digests(
    weeks: Sequence[Week], min_people: int, design: Design
) -> tuple[int, int, int]:
    named = directed = tested = 0
    for end in range(2, len(weeks) + 1):
        shifts = digest_shifts(weeks[:end], min_people=min_people, design=design)
        named += any(s.startswith("towards") for s in shifts)
        tested += shifts[-1] != "insufficient_data"
        history = [(w.number, w.index) for w in weeks[:end]]
        trend = index_trend(history, min_people=min_people)
        directed += trend.direction in ("improving", "declining")
    return named, directed, tested


def swing_detection_rate(
    *,
    trials: int,
    size: int = 8,
    response_rate: float = 0.7,
    before: float = 0.2,
    after: float = 0.8,
    min_people: int = 5,
    design: Design = CHOSEN,
    seed: int = 1,
) -> Rate:
    """Share of sudden swings named towards_favourable on the index within two measurements.

    The swing happens after eight weeks at the `before` favourable share; the first two
    index measurements from then on (weeks that are not suppressed) each get a digest.
    """
    rng = np.random.default_rng(seed)
    template = TeamModel(size, response_rate, response_spread=0.0)
    low, high = template.level_for_share(before), template.level_for_share(after)
    hits = []
    for _ in range(trials):
        weeks = simulate_team(replace(template, level=low), [low] * 8 + [high] * 8, rng)
        hits.append(_named_within_two(weeks, 8, min_people, design))
    return _clustered_rate(hits, 1)


def _named_within_two(weeks: Sequence[Week], swing: int, min_people: int, design: Design) -> bool:
    after = [w.number for w in weeks[swing:] if st.people(w.index) >= min_people][:2]
    return any(
        index_shift(weeks[: end + 1], min_people=min_people, design=design) == "towards_favourable"
        for end in after
    )


def trend_detection_rate(
    *,
    trials: int,
    size: int = 15,
    response_rate: float = 0.7,
    before: float = 0.35,
    after: float = 0.65,
    weeks: int = 8,
    min_people: int = 5,
    seed: int = 2,
) -> Rate:
    """Share of steady climbs (before → after share over `weeks`) the trend calls improving."""
    rng = np.random.default_rng(seed)
    template = TeamModel(size, response_rate)
    low, high = template.level_for_share(before), template.level_for_share(after)
    levels = np.linspace(low, high, weeks).tolist()
    hits = []
    for _ in range(trials):
        simulated = simulate_team(replace(template, level=low), levels, rng)
        history = [(w.number, w.index) for w in simulated]
        hits.append(index_trend(history, min_people=min_people).direction == "improving")
    return _clustered_rate(hits, 1)


def _clustered_rate(counts: Sequence[int], per_cluster: int) -> Rate:
    clusters = len(counts)
    rates = np.asarray(counts, dtype=float) / per_cluster
    mean = float(rates.mean())
    spread = float(rates.std(ddof=1)) if clusters > 1 else 0.0
    return Rate(mean, spread / math.sqrt(clusters), clusters * per_cluster)


SIZES = (5, 8, 15, 30)


def calibration_table(*, teams: int = 400, trials: int = 1000) -> str:
    """Markdown tables of the measured calibration: the chosen design, then the alternatives."""
    lines = [
        "| team size | behaviour spread | digests naming any shift | trend gives a direction "
        "| index testable |",
        "| --- | --- | --- | --- | --- |",
    ]
    for spread in (0.5, 0.3, 0.8):
        for size in SIZES:
            rates = stable_team_rates(size, teams=teams, behaviour_spread=spread)
            lines.append(
                f"| {size} | {spread} | {rates.named_shift} | {rates.trend_direction} "
                f"| {rates.index_tested} |"
            )
    lines += ["", "| change | team size | named |", "| --- | --- | --- |"]
    lines.append(
        f"| swing 20% → 80%, within two measurements | 8 | {swing_detection_rate(trials=trials)} |"
    )
    for size in SIZES[1:]:
        rate = swing_detection_rate(trials=trials, size=size, before=0.35, after=0.65)
        lines.append(f"| swing 35% → 65%, within two measurements | {size} | {rate} |")
    for size in SIZES[1:]:
        rate = trend_detection_rate(trials=trials, size=size)
        lines.append(f"| climb 35% → 65% over 8 weeks, trend says improving | {size} | {rate} |")
    lines += [
        "",
        "| design | false alarms, team of 8 | false alarms, team of 30 | swing 20% → 80% named |",
        "| --- | --- | --- | --- |",
    ]
    for design in ALTERNATIVES:
        small = stable_team_rates(8, teams=teams, design=design).named_shift
        large = stable_team_rates(30, teams=teams, design=design).named_shift
        swing = swing_detection_rate(trials=trials, design=design)
        lines.append(f"| {design.name} | {small} | {large} | {swing} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(calibration_table())
