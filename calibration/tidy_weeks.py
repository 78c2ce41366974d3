"""Simulated teams for calibrating the shift and trend statistics.

The calibration question is empirical: how often does a digest of a team that has not changed
name a shift, and how quickly is a real change named? Answering it needs answers that look
like real ones — people who differ from each other, behaviours the team is better or worse
at, five-point answers, people who skip a week, questions that "didn't come up" — so this
module generates them from a latent-scale model. It is pure (numpy, scipy) and seeded, so the
tests and `python -m calibration.tidy_weeks` see the same figures.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from scipy import special

from surveys import statistics as st
from surveys.behaviours import BEHAVIOUR_IDS
from surveys.moments import Sample
from surveys.rotation import DEFAULT_QUESTIONS_PER_WEEK
from surveys.scale import FAVOURABLE_POINTS
from surveys.trend import index_trend

BEHAVIOUR_COUNT = len(BEHAVIOUR_IDS)
ASKED_PER_WEEK = DEFAULT_QUESTIONS_PER_WEEK
CUTS = np.array([-1.5, -0.5, 0.5, 1.5])
"""Latent thresholds between the five points; above 0.5 is a favourable answer (4 or 5)."""

ShiftTestFn = Callable[..., st.ShiftTest]


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


def detect_shift_in_favourable_share(
    current: Sample, previous: Sample | None, *, min_people: int, family_size: int = 4
) -> st.ShiftTest:
    """The simpler alternative to detect_shift: person-level favourable share, Newcombe interval.

    Each person counts once with the share of their answers at points 4–5; the Wilson
    intervals take those shares as (fractional) successes out of the people. Kept for
    comparison in the calibration: it is valid but needs larger changes to name them.
    """
    if previous is None or st.people(current) < min_people or st.people(previous) < min_people:
        return st.INSUFFICIENT
    s1, n1 = _person_favourable(previous)
    s2, n2 = _person_favourable(current)
    low, high = st.newcombe_difference(s1, n1, s2, n2, confidence=st.family_confidence(family_size))
    return st.ShiftTest(st.verdict(low, high), s2 / n2 - s1 / n1, low, high)


def _person_favourable(sample: Sample) -> tuple[float, int]:
    shares = [
        sum(1 for p in person if p in FAVOURABLE_POINTS) / len(person)
        for person in sample
        if person
    ]
    return sum(shares), len(shares)


IndexMode = Literal["both", "week_on_week", "plain"]


@dataclass(frozen=True)
class Design:
    """A way of turning weeks into digest verdicts, so alternatives can be compared.

    index_mode: "both" is detect_index_shift as the digest uses it; "week_on_week" keeps only
    its week-on-week comparison (still allowing for weekly wobble); "plain" applies `test`
    to this week's index and the previous measurement's, nothing more.
    """

    name: str
    test: ShiftTestFn = st.detect_shift
    index_mode: IndexMode = "both"
    answer_as_unit: bool = False


CHOSEN = Design("chosen: person mean score, week-on-week + recent weeks, weekly wobble")
WEEK_ON_WEEK = Design(
    "person mean score, week-on-week only, weekly wobble", index_mode="week_on_week"
)
NO_WOBBLE = Design("person mean score, week-on-week only, no wobble", index_mode="plain")
FAVOURABLE_SHARE = Design(
    "person favourable share (Newcombe), week-on-week only, no wobble",
    test=detect_shift_in_favourable_share,
    index_mode="plain",
)
ANSWERS_AS_PEOPLE = Design(
    "answer as the unit (ignores clustering), week-on-week only, no wobble",
    index_mode="plain",
    answer_as_unit=True,
)
ALTERNATIVES = (CHOSEN, WEEK_ON_WEEK, NO_WOBBLE, FAVOURABLE_SHARE, ANSWERS_AS_PEOPLE)


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


def digest_shifts(
    weeks: Sequence[Week], *, min_people: int, design: Design = CHOSEN
) -> tuple[st.Shift, ...]:
    """All shift verdicts of the digest for the last week: its behaviours, then the index."""
    current = weeks[-1]
    family = st.DIGEST_FAMILY_SIZE
    verdicts = [
        design.test(
            sample,
            _previous_measurement(weeks, behaviour, min_people),
            min_people=min_people,
            family_size=family,
        ).shift
        for behaviour, sample in zip(current.asked, current.behaviours, strict=True)
    ]
    verdicts.append(_index_shift(weeks, min_people=min_people, design=design))
    return tuple(verdicts)


def _index_shift(weeks: Sequence[Week], *, min_people: int, design: Design) -> st.Shift:
    history = [(w.number, _unit(w.index, design)) for w in weeks]
    if design.index_mode == "both":
        return st.detect_index_shift(history, min_people=min_people).shift
    if design.index_mode == "week_on_week":
        # Half of a family of two is the index's whole share of a family of four.
        both = st.detect_index_shift(history, min_people=min_people, family_size=2)
        return both.week_on_week.shift
    measured = [s for _, s in history[:-1] if st.people(s) >= min_people]
    previous = measured[-1] if measured else None
    return design.test(
        history[-1][1], previous, min_people=min_people, family_size=st.DIGEST_FAMILY_SIZE
    ).shift


def _previous_measurement(weeks: Sequence[Week], behaviour: int, min_people: int) -> Sample | None:
    for week in reversed(weeks[:-1]):
        if behaviour in week.asked:
            sample = week.behaviours[week.asked.index(behaviour)]
            if st.people(sample) >= min_people:
                return sample
    return None


def _unit(sample: Sample, design: Design) -> Sample:
    """The index sample as the design sees it (behaviour samples hold one answer a person)."""
    if not design.answer_as_unit:
        return sample
    return [(p,) for person in sample for p in person]


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
        _index_shift(weeks[: end + 1], min_people=min_people, design=design) == "towards_favourable"
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
