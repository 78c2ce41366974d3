"""Calibration of the convergence verdict on simulated partnerships (docs/METHOD.md).

A partnership is a few organisations, each simulated as a team by `tidy_team.simulate_team`
(five-point answers on a latent scale with answer noise of spread 1, people who differ, people
who skip a week, "didn't come up"), asked the same behaviours each week. The organisations
share how good the partnership is at each behaviour, each differs a little on its own
(`own_behaviour_spread`), each has weeks of its own (`own_week_shock`), and their levels sit
`gap` apart on the latent scale, evenly spaced. Every organisation below the threshold in a
week is left out of that week, as the digest leaves it out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from calibration.tidy_team import BEHAVIOUR_COUNT, CUTS, TeamModel, simulate_team
from calibration.tidy_weeks import Rate
from surveys.convergence import OrganisationWeek, measure_convergence, week_gap
from surveys.moments import moments_of

NAMED = ("converging", "diverging")


@dataclass(frozen=True)
class Partnership:
    """How one simulated partnership's organisations answer (latent scale)."""

    organisations: int = 3
    sizes: tuple[int, int] = (6, 10)  # each organisation's headcount, drawn in this range
    response: tuple[float, float] = (0.6, 0.9)  # each organisation's response rate
    gap: float = 1.0  # latent distance between the two organisations farthest apart
    behaviour_spread: float = 0.5  # shared by the organisations
    own_behaviour_spread: float = 0.3  # each organisation's own difference per behaviour
    own_week_shock: float = 0.1  # each organisation's own wobble each week
    weeks: int = 16
    threshold: int = 5


def simulate_partnership(
    p: Partnership, gaps: Sequence[float], rng: np.random.Generator
) -> list[OrganisationWeek]:
    """Each week's organisation samples; gaps[w] is the latent gap in week w."""
    level = float(CUTS[2] + rng.uniform(-1.0, 1.0))
    shared = rng.normal(0.0, p.behaviour_spread, BEHAVIOUR_COUNT)
    place = np.linspace(-0.5, 0.5, p.organisations)
    rng.shuffle(place)
    organisations = []
    for g in range(p.organisations):
        size = int(rng.integers(p.sizes[0], p.sizes[1] + 1))
        model = TeamModel(size, float(rng.uniform(*p.response)), level)
        own = rng.normal(0.0, p.own_behaviour_spread, BEHAVIOUR_COUNT)
        shocks = rng.normal(0.0, p.own_week_shock, len(gaps))
        levels = [level + place[g] * gap + shock for gap, shock in zip(gaps, shocks, strict=True)]
        organisations.append(simulate_team(model, levels, rng, behaviour=shared + own))
    return [(w, [moments_of(weeks[w].index) for weeks in organisations]) for w in range(len(gaps))]


@dataclass(frozen=True)
class StableConvergence:
    """Digests of partnerships whose organisations did not change."""

    named: Rate  # converging or diverging
    tested: Rate  # a verdict other than insufficient_data
    true_spread: float  # √(mean squared gap): the spread that the latent gap amounts to


def stable_rates(p: Partnership, *, partnerships: int, seed: int = 0) -> StableConvergence:
    """How often a digest of a stable partnership says converging or diverging.

    Every digest from the second week to the last counts; one without a verdict counts as
    not misled. A partnership is the unit of the standard error, since its digests share
    people. The squared gaps, unbiased, average to the true spread's square.
    """
    rng = np.random.default_rng(seed)
    named, tested, squared = [], [], []
    for _ in range(partnerships):
        history = simulate_partnership(p, [p.gap] * p.weeks, rng)
        verdicts = [
            measure_convergence(history[:end], min_people=p.threshold)
            for end in range(2, p.weeks + 1)
        ]
        named.append(sum(v.shift in NAMED for v in verdicts) / len(verdicts))
        tested.append(sum(v.shift != "insufficient_data" for v in verdicts) / len(verdicts))
        gaps = [week_gap(w, samples, min_people=p.threshold) for w, samples in history]
        squared += [g.squared_gap for g in gaps if g is not None]
    true_spread = float(np.sqrt(max(0.0, float(np.mean(squared)))))
    return StableConvergence(_rate(named), _rate(tested), true_spread)


def halving_power(p: Partnership, *, trials: int, seed: int = 1) -> Rate:
    """Share of partnerships whose gap halves steadily over eight weeks that hear
    `converging` in the eighth week's digest."""
    rng = np.random.default_rng(seed)
    gaps = np.linspace(p.gap, p.gap / 2, 8).tolist()
    hits = []
    for _ in range(trials):
        history = simulate_partnership(p, gaps, rng)
        verdict = measure_convergence(history, min_people=p.threshold)
        hits.append(float(verdict.shift == "converging"))
    return _rate(hits)


def _rate(values: Sequence[float]) -> Rate:
    a = np.asarray(values, dtype=float)
    se = float(a.std(ddof=1)) / np.sqrt(len(a)) if len(a) > 1 else 0.0
    return Rate(float(a.mean()), se, len(a))


STABLE_CASES = {
    "no gap": Partnership(gap=0.0),
    "gap 1.0": Partnership(gap=1.0),
    "gap 2.0": Partnership(gap=2.0),
    "gap 3.0": Partnership(gap=3.0),
    "gap 1.0, two organisations": Partnership(organisations=2),
    "gap 1.0, four organisations": Partnership(organisations=4),
    "gap 1.0, response 50–90%": Partnership(response=(0.5, 0.9)),
    "gap 1.0, each organisation's own weeks 0.3": Partnership(own_week_shock=0.3),
    "gap 1.0, each organisation's own behaviours 0.6": Partnership(own_behaviour_spread=0.6),
    "gap 1.0, threshold 3": Partnership(threshold=3),
    "gap 1.0, organisations of 15–25": Partnership(sizes=(15, 25)),
}
"""METHOD's rows: three organisations of 6–10 people with 60–90% response unless named."""

HALVING_GAPS = (1.0, 2.0, 3.0)
HALVING_SIZES = ((6, 10), (15, 25))


def main(argv: list[str] | None = None) -> None:
    """Print METHOD's convergence tables. ``--quick`` uses fewer partnerships."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m calibration.convergence")
    parser.add_argument("--quick", action="store_true", help="fewer partnerships")
    args, _ = parser.parse_known_args(argv)
    partnerships = 200 if args.quick else 1000
    print(
        f"\nStable partnerships, {partnerships} each x 15 digests (weeks 2–16): "
        "converging or diverging said\n"
    )
    print("| partnership | true spread | named | digests with a verdict |")
    print("| --- | --- | --- | --- |")
    for name, p in STABLE_CASES.items():
        r = stable_rates(p, partnerships=partnerships)
        print(f"| {name} | {r.true_spread:.2f} | {r.named} | {r.tested} |")
    print(f"\nGap halving steadily over eight weeks, {partnerships} partnerships each: ")
    print("converging said in the eighth week's digest\n")
    print("| three organisations of | " + " | ".join(f"gap {g}" for g in HALVING_GAPS) + " |")
    print("| --- |" + " --- |" * len(HALVING_GAPS))
    for sizes in HALVING_SIZES:
        cells = [
            str(halving_power(Partnership(gap=g, sizes=sizes), trials=partnerships))
            for g in HALVING_GAPS
        ]
        print(f"| {sizes[0]}–{sizes[1]} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
