"""Calibration under real weeks: simulated teams fed through `compute_digest`.

`calibration.tidy_weeks` checks the statistics on tidy weeks. Real weeks are messier: a common
shock hits everyone some weeks, a topic is in the news, people leave and join, some always
give the same answer, fewer answer when things are worse, teams ask 1 to 13 questions and
set thresholds from 3 to 10, and now and then a bad week hits everyone. Each of those is a
named parameter of `Conditions`; rates are counted from week 8 on, once a team has history.
Run `python -m calibration` for the tables in docs/METHOD.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy import special

from calibration.tidy_team import CUTS
from calibration.tidy_weeks import Rate
from surveys.behaviours import BEHAVIOURS
from surveys.digest import AnswerRow, RoundFacts, TeamAnswers, compute_digest
from surveys.week_answers import weeks_of
from surveys.weeks import parse_week

FIRST_COUNTED_WEEK = 8
IDS = [b.id for b in BEHAVIOURS]


@dataclass(frozen=True)
class Conditions:
    """How one simulated team's weeks are generated (latent scale, answer noise spread 1)."""

    size: int = 12
    weeks: int = 16
    response: tuple[float, float] = (0.5, 0.9)  # weekly response rate drawn in this range
    unhappy_answer_less: float = 0.1  # response falls by this much per person-level spread
    person_spread: float = 0.6
    scale_use: float = 0.25  # spread of each person's own stretch of the scale (log scale)
    behaviour_spread: float = 0.5
    week_shock: float = 0.15  # a common shock each week
    topic_shock: float = 0.15  # a shock to each behaviour in each week
    turnover: float = 0.03  # share of people replaced each week
    fixed_responders: float = 0.1  # share who always give the same answer
    questions: int = 3
    threshold: int = 5
    bad_week: float = 0.0  # chance that a week is a bad one for everyone
    bad_week_drop: float = 0.6  # how far a bad week pulls everyone down
    not_come_up: float = 0.1
    swing: tuple[int, float] | None = None  # (behaviour index, latent rise from week 8 on)


def _levels(rng: np.random.Generator, c: Conditions) -> float:
    return float(CUTS[2] + rng.uniform(-1.0, 1.0))


def simulate(
    c: Conditions, rng: np.random.Generator
) -> tuple[list[AnswerRow], list[RoundFacts], list[bool]]:
    """One team's answers and rounds, and which weeks were bad ones."""
    level = _levels(rng, c)
    behaviour = rng.normal(0.0, c.behaviour_spread, len(IDS))
    person = rng.normal(0.0, c.person_spread, c.size)
    stretch = np.exp(rng.normal(0.0, c.scale_use, c.size))
    fixed = np.where(rng.random(c.size) < c.fixed_responders, rng.integers(1, 6, c.size), 0)
    first = parse_week("2026-W01")
    rows: list[AnswerRow] = []
    rounds: list[RoundFacts] = []
    bad: list[bool] = []
    for w in range(c.weeks):
        leaving = rng.random(c.size) < c.turnover
        person[leaving] = rng.normal(0.0, c.person_spread, int(leaving.sum()))
        stretch[leaving] = np.exp(rng.normal(0.0, c.scale_use, int(leaving.sum())))
        fixed[leaving] = np.where(
            rng.random(int(leaving.sum())) < c.fixed_responders,
            rng.integers(1, 6, int(leaving.sum())),
            0,
        )
        asked = [(c.questions * w + j) % len(IDS) for j in range(min(c.questions, len(IDS)))]
        is_bad = bool(rng.random() < c.bad_week)
        bad.append(is_bad)
        shock = rng.normal(0.0, c.week_shock) - (c.bad_week_drop if is_bad else 0.0)
        topic = rng.normal(0.0, c.topic_shock, len(asked))
        rate = rng.uniform(*c.response)
        answer_p = np.clip(rate + c.unhappy_answer_less * person / c.person_spread, 0.05, 0.98)
        answers = rng.random(c.size) < answer_p
        week = str(first.shifted(w))
        rounds.append(RoundFacts(week, tuple(IDS[b] for b in asked), c.size))
        for i in np.flatnonzero(answers):
            for j, b in enumerate(asked):
                rise = c.swing[1] if c.swing and c.swing[0] == b and w >= FIRST_COUNTED_WEEK else 0
                y = level + person[i] + behaviour[b] + shock + topic[j] + rise
                y = y + stretch[i] * rng.normal()
                point = int(fixed[i]) or int(1 + (y > CUTS).sum())
                skip = rng.random() < c.not_come_up
                rows.append(AnswerRow(week, f"{w}-{i}", IDS[b], None if skip else point))
    return rows, rounds, bad


def digest_verdicts(c: Conditions, rng: np.random.Generator) -> list[tuple[int, bool, bool, str]]:
    """Per digest from week 8 on: (week, any shift named, bad week, overall trend)."""
    rows, rounds, bad = simulate(c, rng)
    grouped = TeamAnswers(weeks_of(rows, c.threshold))
    out = []
    for w in range(FIRST_COUNTED_WEEK, c.weeks):
        d = compute_digest(
            team="C", week=rounds[w].week, answers=grouped, rounds=rounds, threshold=c.threshold
        )
        shifts = [b.figure.shift for b in d.asked] + [d.index.shift, d.index_recent_shift]
        shifts.append(d.overall.shift if d.overall else "none")
        named = any(s.startswith("towards") for s in shifts)
        trend = d.overall.trend.direction if d.overall else "unclear"
        out.append((w, named, bad[w], str(trend)))
    return out


@dataclass(frozen=True)
class FalseRates:
    """Stable teams from week 8 on: digests naming any shift; in bad weeks; trend directions."""

    any_shift: Rate
    bad_week: Rate | None
    trend_direction: Rate


def false_rates(c: Conditions, *, teams: int, seed: int = 0) -> FalseRates:
    rng = np.random.default_rng(seed)
    named, trended, in_bad = [], [], []
    for _ in range(teams):
        verdicts = digest_verdicts(c, rng)
        named.append(sum(v[1] for v in verdicts) / len(verdicts))
        trended.append(sum(v[3] in ("improving", "declining") for v in verdicts) / len(verdicts))
        in_bad += [float(v[1]) for v in verdicts if v[2]]
    return FalseRates(_rate(named), _rate(in_bad) if in_bad else None, _rate(trended))


def _rate(values: list[float]) -> Rate:
    a = np.asarray(values, dtype=float)
    se = float(a.std(ddof=1)) / math.sqrt(len(a)) if len(a) > 1 else 0.0
    return Rate(float(a.mean()), se, len(a))


def behaviour_power(
    size: int, before: float, after: float, *, trials: int, response: float = 0.7, seed: int = 3
) -> Rate:
    """Share of swings of one behaviour (favourable share before → after) named
    towards_favourable at one of its first two published readings from the swing on."""
    c = Conditions(size=size, response=(response, response), weeks=20)
    spread = math.sqrt(1 + c.person_spread**2 + c.behaviour_spread**2)
    rise = float((special.ndtri(after) - special.ndtri(before)) * spread)
    rng = np.random.default_rng(seed)
    hits = []
    for _ in range(trials):
        target = int(rng.integers(0, len(IDS)))
        run = replace(c, swing=(target, rise))
        rows, rounds, _ = simulate(run, rng)
        grouped = TeamAnswers(weeks_of(rows, c.threshold))
        seen, hit = 0, False
        for w in range(FIRST_COUNTED_WEEK, c.weeks):
            if IDS[target] not in rounds[w].behaviour_ids:
                continue
            d = compute_digest(
                team="C", week=rounds[w].week, answers=grouped, rounds=rounds, threshold=5
            )
            figure = next(b.figure for b in d.behaviours if b.behaviour.id == IDS[target])
            if figure.suppressed:
                continue
            seen += 1
            hit = hit or figure.shift == "towards_favourable"
            if seen == 2:
                break
        hits.append(float(hit))
    return _rate(hits)


SIZES = (5, 8, 12, 20, 30)
SWINGS = (0.4, 0.6, 0.8)


def stable_rows(teams: int) -> list[tuple[str, Conditions]]:
    """The conditions METHOD reports: every team size by default, then each harder case."""
    rows = [(f"{size}, default", Conditions(size=size)) for size in SIZES]
    for size in (12, 30):
        rows += [
            (f"{size}, one question a week", Conditions(size=size, questions=1)),
            (f"{size}, thirteen questions a week", Conditions(size=size, questions=13)),
            (f"{size}, threshold 3", Conditions(size=size, threshold=3)),
            (f"{size}, threshold 10", Conditions(size=size, threshold=10)),
            (f"{size}, a bad week in 10", Conditions(size=size, bad_week=0.1)),
        ]
    return rows


def _percent(rate: Rate | None) -> str:
    if rate is None:
        return "—"
    return f"{100 * rate.rate:.1f}% ± {100 * rate.standard_error:.1f}"


def main(argv: list[str] | None = None) -> None:
    """Print METHOD's tables: false shifts of stable teams from week 8 on, and the power curve
    of one behaviour. ``--quick`` uses fewer teams (wider Monte Carlo error)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m calibration")
    parser.add_argument("--quick", action="store_true", help="fewer teams, about a minute")
    args = parser.parse_args(argv)
    teams, trials = (60, 60) if args.quick else (300, 300)
    print(f"Stable teams, {teams} each, digests from week {FIRST_COUNTED_WEEK} on\n")
    print(
        "| team, conditions | digests naming any shift | in the bad week itself "
        "| overall trend gives a direction |"
    )
    print("| --- | --- | --- | --- |")
    for name, conditions in stable_rows(teams):
        rates = false_rates(conditions, teams=teams)
        print(
            f"| {name} | {_percent(rates.any_shift)} | {_percent(rates.bad_week)} "
            f"| {_percent(rates.trend_direction)} |"
        )
    print(f"\nOne behaviour swings at 70% response, {trials} teams each: named within two asks\n")
    print("| team | " + " | ".join(f"20% → {round(100 * a)}%" for a in SWINGS) + " |")
    print("| --- |" + " --- |" * len(SWINGS))
    for size in SIZES:
        cells = [_percent(behaviour_power(size, 0.2, a, trials=trials)) for a in SWINGS]
        print(f"| {size} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
