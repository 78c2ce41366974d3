"""The convergence measure: how far apart the organisations are, and whether they draw together.

Unit cases pin the formula and the rules for missing figures; hypothesis properties check that
the measure does not depend on the organisations' order and, on expectation, is zero for
organisations that see things alike however small they are.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as strat

from surveys.convergence import (
    CONVERGENCE_MIN_WEEKS,
    Convergence,
    measure_convergence,
    sampling_variance,
    week_gap,
)
from surveys.moments import Moments, moments_of

LOW = [(2,), (2,), (3,), (1,), (2,), (3,)]
MIDDLE = [(3,), (3,), (4,), (2,), (3,), (3,)]
HIGH = [(4,), (5,), (4,), (4,), (5,), (3,)]


def orgs(*samples: Sequence[tuple[int, ...]]) -> list[Moments]:
    return [moments_of(s) for s in samples]


def _by_hand(first: list[tuple[int, ...]], second: list[tuple[int, ...]]) -> float:
    """(r₁ − r₂)² − v₁ − v₂ for one answer a person, written out as METHOD states it."""

    def mean_and_variance(sample: list[tuple[int, ...]]) -> tuple[float, float]:
        scores = [(p - 3) / 2 for (p,) in sample]
        n = len(scores)
        mean = sum(scores) / n
        return mean, sum((x - mean) ** 2 for x in scores) / (n - 1) / n

    (r1, v1), (r2, v2) = mean_and_variance(first), mean_and_variance(second)
    return (r1 - r2) ** 2 - v1 - v2


def test_two_organisations_spread_is_their_gap_less_what_chance_explains():
    gap = week_gap(1, orgs(LOW, HIGH), min_people=5)
    assert gap is not None
    assert gap.squared_gap == pytest.approx(_by_hand(LOW, HIGH), rel=1e-12)
    assert gap.spread == pytest.approx(math.sqrt(_by_hand(LOW, HIGH)), rel=1e-12)
    assert gap.spread < abs(moments_of(HIGH).total - moments_of(LOW).total) / 2 / len(LOW)


def test_three_organisations_average_their_three_pairs():
    gap = week_gap(1, orgs(LOW, MIDDLE, HIGH), min_people=5)
    pairs = [_by_hand(LOW, MIDDLE), _by_hand(LOW, HIGH), _by_hand(MIDDLE, HIGH)]
    assert gap is not None and gap.organisations == 3
    assert gap.squared_gap == pytest.approx(sum(pairs) / 3, rel=1e-12)


def test_organisations_alike_by_chance_have_no_spread_rather_than_a_negative_one():
    gap = week_gap(1, orgs(MIDDLE, list(reversed(MIDDLE))), min_people=5)
    assert gap is not None and gap.squared_gap < 0
    assert gap.spread == 0.0


def test_the_sampling_variance_adds_no_imaginary_person():
    sample = moments_of(LOW)
    scores = [(p - 3) / 2 for (p,) in LOW]
    mean = sum(scores) / len(scores)
    unbiased = sum((x - mean) ** 2 for x in scores) / (len(scores) - 1) / len(scores)
    assert sampling_variance(sample) == pytest.approx(unbiased, rel=1e-12)
    with pytest.raises(ValueError):
        sampling_variance(moments_of([(3,)]))


def test_fewer_than_two_shown_organisations_give_null_figures():
    history = [(w, orgs(LOW, HIGH)) for w in range(6)]
    assert measure_convergence([*history, (6, orgs(LOW))], min_people=5) == Convergence(
        None, None, None, "insufficient_data", 0, 0, None, None, None
    )
    too_few = measure_convergence([*history, (6, orgs(LOW, HIGH[:4]))], min_people=5)
    assert too_few.spread is None and too_few.shift == "insufficient_data"
    assert measure_convergence([], min_people=5).to_json() == {
        "spread": None, "previous": None, "baseline": None, "shift": "insufficient_data",
    }  # fmt: skip


def test_too_few_weeks_give_figures_but_no_verdict():
    history = [(w, orgs(LOW, HIGH)) for w in range(CONVERGENCE_MIN_WEEKS - 1)]
    result = measure_convergence(history, min_people=5)
    assert result.spread is not None and result.previous == result.baseline == result.spread
    assert result.shift == "insufficient_data"


def test_previous_and_baseline_skip_weeks_without_two_organisations():
    history = [
        (1, orgs(LOW, HIGH)),
        (2, orgs(MIDDLE, HIGH)),
        (3, orgs(HIGH)),
        (4, orgs(LOW, MIDDLE, HIGH)),
    ]
    result = measure_convergence(history, min_people=5)
    spreads = [week_gap(w, s, min_people=5) for w, s in history]
    assert result.baseline == pytest.approx(spreads[0].spread)
    assert result.previous == pytest.approx(spreads[1].spread)
    assert result.spread == pytest.approx(spreads[3].spread)
    assert result.organisations == 3 and result.weeks == 3
    assert result.shift == "insufficient_data"


def _two_organisations(gap_points: int, size: int = 40) -> list[Moments]:
    """Two organisations of `size`, half at 3 and half at 3 ± something that sets their gap."""
    low = [(3,)] * (size // 2) + [(3 - gap_points // 2,)] * (size // 2)
    high = [(3,)] * (size // 2) + [(3 + (gap_points + 1) // 2,)] * (size // 2)
    return orgs(low, high)


def test_a_gap_that_closes_week_after_week_is_converging_and_one_that_opens_diverging():
    closing = [(w, _two_organisations(4 - w // 2)) for w in range(8)]
    assert measure_convergence(closing, min_people=5).shift == "converging"
    opening = [(w, _two_organisations(w // 2)) for w in range(8)]
    assert measure_convergence(opening, min_people=5).shift == "diverging"
    steady = [(w, _two_organisations(2 + w % 2)) for w in range(8)]
    assert measure_convergence(steady, min_people=5).shift == "none"


def test_the_verdict_reads_only_the_last_eight_weeks():
    closed_long_ago = [(w, _two_organisations(max(0, 4 - w))) for w in range(5)]
    since = [(w, _two_organisations(w % 2)) for w in range(5, 13)]
    result = measure_convergence(closed_long_ago + since, min_people=5)
    assert result.weeks == 8 and result.shift == "none"


def test_a_threshold_below_two_is_refused():
    with pytest.raises(ValueError):
        measure_convergence([(1, orgs(LOW, HIGH))], min_people=1)


# --- properties ----------------------------------------------------------------------------

person = strat.lists(strat.integers(1, 5), min_size=1, max_size=3).map(tuple)
organisation = strat.lists(person, min_size=5, max_size=12)
week_of_orgs = strat.lists(organisation, min_size=2, max_size=5)


@given(strat.lists(week_of_orgs, min_size=1, max_size=9), strat.randoms(use_true_random=False))
@settings(max_examples=150, deadline=None)
def test_the_order_of_the_organisations_changes_nothing(weeks, random):
    history = [(w, orgs(*samples)) for w, samples in enumerate(weeks)]
    shuffled = [(w, random.sample(samples, len(samples))) for w, samples in history]
    first = measure_convergence(history, min_people=5)
    second = measure_convergence(shuffled, min_people=5)
    assert first.shift == second.shift or _on_the_edge(first)
    for name in ("spread", "previous", "baseline", "slope_per_week"):
        expected = getattr(first, name)
        if expected is None:
            assert getattr(second, name) is None
        else:
            assert getattr(second, name) == pytest.approx(expected, rel=1e-9, abs=1e-12)


def _on_the_edge(result: Convergence) -> bool:
    """An interval ending within rounding of zero may fall either side of it."""
    return any(abs(end) < 1e-12 for end in (result.low, result.high) if end is not None)


@given(strat.lists(week_of_orgs, min_size=1, max_size=9))
@settings(max_examples=150, deadline=None)
def test_the_spread_is_never_negative_and_null_only_without_two_organisations(weeks):
    history = [(w, orgs(*samples)) for w, samples in enumerate(weeks)]
    result = measure_convergence(history, min_people=5)
    assert result.spread is not None and result.spread >= 0
    assert result.organisations == len(weeks[-1])


distribution = strat.lists(strat.integers(0, 6), min_size=5, max_size=5).filter(lambda w: sum(w))


@given(distribution, strat.lists(strat.integers(5, 9), min_size=2, max_size=4))
@settings(max_examples=15, deadline=None)
def test_organisations_that_see_alike_have_no_spread_on_expectation_however_small(weights, sizes):
    chances = np.asarray(weights, dtype=float) / sum(weights)
    rng = np.random.default_rng(sum(weights) * 31 + sum(sizes))
    squared = _squared_gaps(rng, [chances] * len(sizes), sizes, repeats=1500)
    assert abs(squared.mean()) <= 4 * squared.std(ddof=1) / math.sqrt(len(squared)) + 1e-12


@given(distribution, distribution, strat.integers(5, 9), strat.integers(5, 9))
@settings(max_examples=15, deadline=None)
def test_the_squared_gap_is_unbiased_for_organisations_that_differ(first, second, n1, n2):
    chances = [np.asarray(w, dtype=float) / sum(w) for w in (first, second)]
    scores = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
    truth = float((chances[0] @ scores - chances[1] @ scores) ** 2)
    rng = np.random.default_rng(sum(first) * 7 + sum(second) + n1 * n2)
    squared = _squared_gaps(rng, chances, [n1, n2], repeats=1500)
    assert abs(squared.mean() - truth) <= 4 * squared.std(ddof=1) / math.sqrt(len(squared)) + 1e-12


def _squared_gaps(
    rng: np.random.Generator, chances: list[np.ndarray], sizes: list[int], *, repeats: int
) -> np.ndarray:
    """Squared gaps of organisations whose people each give one answer drawn from `chances`."""
    values = []
    for _ in range(repeats):
        samples = [
            [(int(p),) for p in rng.choice([1, 2, 3, 4, 5], size=n, p=c)]
            for c, n in zip(chances, sizes, strict=True)
        ]
        gap = week_gap(0, orgs(*samples), min_people=2)
        assert gap is not None
        values.append(gap.squared_gap)
    return np.asarray(values)
