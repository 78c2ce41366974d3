"""Unit tests of the shift and trend statistics: published values, edge cases, symmetry, words."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as strat

from calibration.designs import detect_shift_in_favourable_share
from surveys.moments import NO_ONE, Moments, moments_of
from surveys.statistics import (
    PRIOR_ANSWER_VARIANCE,
    PRIOR_PEOPLE,
    ShiftTest,
    detect_index_shift,
    detect_shift,
    detect_shift_against_window,
    estimate_score,
    estimate_week_noise,
    family_confidence,
    favourable_share,
    newcombe_difference,
    people,
    score,
    wilson_interval,
)
from surveys.trend import index_trend

LOW = [(2,), (2,), (3,), (1,), (2,), (3,), (2,), (2,)]
HIGH = [(4,), (5,), (4,), (4,), (5,), (4,), (3,), (5,)]


def week_with_score(favourable: int, size: int = 10) -> list[tuple[int, int]]:
    """A week of `size` people answering twice: `favourable` of them 4s, the rest 3s."""
    return [(4, 4)] * favourable + [(3, 3)] * (size - favourable)


# Wilson and Newcombe against Newcombe (1998), Statistics in Medicine 17: 857–872 and 873–890.


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_newcombes_published_values(successes, n, low, high):
    assert wilson_interval(successes, n, confidence=0.95) == pytest.approx((low, high), abs=5e-5)


@pytest.mark.parametrize(
    ("s1", "n1", "s2", "n2", "low", "high"),
    [(48, 80, 56, 70, 0.0524, 0.3339), (3, 10, 9, 10, 0.1705, 0.8090)],
)
def test_newcombe_difference_matches_method_10_published_values(s1, n1, s2, n2, low, high):
    assert newcombe_difference(s1, n1, s2, n2, confidence=0.95) == pytest.approx(
        (low, high), abs=5e-5
    )


def test_newcombe_difference_mirrors_when_the_groups_swap():
    low, high = newcombe_difference(48, 80, 56, 70, confidence=0.95)
    assert newcombe_difference(56, 70, 48, 80, confidence=0.95) == pytest.approx((-high, -low))


def test_wilson_interval_of_all_successes_reaches_one():
    z = 2.5758293035489
    assert wilson_interval(10, 10, confidence=0.99) == (pytest.approx(10 / (10 + z * z)), 1.0)


@pytest.mark.parametrize(("successes", "n"), [(3, 0), (-1, 5), (6, 5)])
def test_wilson_interval_refuses_impossible_counts(successes, n):
    with pytest.raises(ValueError):
        wilson_interval(successes, n, confidence=0.95)


def test_family_confidence_spreads_the_error_rate_over_the_digests_tests():
    assert family_confidence(4) == pytest.approx(0.975)
    assert family_confidence(1, error_rate=0.05) == pytest.approx(0.95)


# Scores and samples.


def test_score_and_favourable_share_pool_every_counted_answer():
    sample = [(5, 4), (1,), ()]
    assert score(sample) == pytest.approx((1 + 0.5 - 1) / 3)
    assert favourable_share(sample) == pytest.approx(2 / 3)
    assert score([]) is None and favourable_share([()]) is None


def test_a_person_whose_answers_all_did_not_come_up_is_not_counted():
    assert people([(4,), (), (2, 3)]) == 2


@pytest.mark.parametrize("bad", [0, 6, 2.5, True])
def test_points_outside_the_scale_are_refused(bad):
    with pytest.raises(ValueError):
        score([(bad,)])


def test_the_person_is_the_unit_so_repeated_answers_do_not_shrink_the_noise():
    clustered = estimate_score([(5, 5, 5), (1, 1, 1), (4, 4, 4), (2, 2, 2), (3, 3, 3)])
    separate = estimate_score([(p,) for p in (5, 5, 5, 1, 1, 1, 4, 4, 4, 2, 2, 2, 3, 3, 3)])
    assert clustered.score == pytest.approx(separate.score)
    assert clustered.variance > 2.5 * separate.variance
    assert clustered.people == 5 and clustered.answers == 15


# Moments: a sample reduced to sums.

persons = strat.lists(
    strat.lists(strat.integers(1, 5), min_size=0, max_size=4), min_size=1, max_size=30
)


def _estimate_person_by_person(sample: list[list[int]]) -> tuple[float, float]:
    """The ratio estimator written out per person, as docs/METHOD.md states it."""
    kept = [[(p - 3) / 2 for p in person] for person in sample if person]
    n, answers = len(kept), sum(map(len, kept))
    mean = sum(map(sum, kept)) / answers
    size = answers / n
    squares = sum(((sum(person) - mean * len(person)) / size) ** 2 for person in kept)
    df = n - 1 + PRIOR_PEOPLE
    return mean, (squares + PRIOR_PEOPLE * PRIOR_ANSWER_VARIANCE / size) / df / n


@given(persons)
@settings(max_examples=300, deadline=None)
def test_the_estimate_from_moments_is_the_estimate_person_by_person(sample):
    if not people(sample):
        with pytest.raises(ValueError):
            estimate_score(sample)
        return
    mean, variance = _estimate_person_by_person(sample)
    estimate = estimate_score(moments_of(sample))
    assert estimate.score == mean
    assert estimate.variance == pytest.approx(variance, rel=1e-9, abs=1e-15)
    assert estimate == estimate_score(sample)


@given(persons, persons)
@settings(max_examples=200, deadline=None)
def test_pooling_two_samples_is_adding_their_moments(first, second):
    assert moments_of(first) + moments_of(second) == moments_of(first + second)
    assert moments_of(first) + NO_ONE == moments_of(first)


def test_a_behaviours_moments_from_single_answers_are_its_people_s():
    sample = [[5], [4], [1], [3], [3]]
    t = [p - 3 for (p,) in sample]
    single = Moments.of_single_answers(len(sample), sum(t), sum(x * x for x in t))
    assert single == moments_of(sample)


def test_moments_refuse_what_is_not_a_point():
    for bad in (0, 6, 2.5, True):
        with pytest.raises(ValueError):
            moments_of([[3], [bad]])


# detect_shift.


def test_no_previous_measurement_is_insufficient_data():
    assert detect_shift(HIGH, None, min_people=5) == ShiftTest(
        "insufficient_data", None, None, None
    )


@pytest.mark.parametrize(("current", "previous"), [(HIGH[:4], LOW), (HIGH, LOW[:4])])
def test_either_side_below_min_people_is_insufficient_data(current, previous):
    assert detect_shift(current, previous, min_people=5).shift == "insufficient_data"


def test_people_with_only_didnt_come_up_answers_do_not_make_up_the_numbers():
    assert detect_shift([*HIGH[:4], (), ()], LOW, min_people=5).shift == "insufficient_data"


def test_min_people_below_two_is_refused():
    with pytest.raises(ValueError):
        detect_shift(HIGH, LOW, min_people=1)


def test_a_clear_move_towards_us_is_named_with_the_change_in_score():
    result = detect_shift(HIGH, LOW, min_people=5)
    assert result.shift == "towards_favourable"
    assert result.difference == pytest.approx(score(HIGH) - score(LOW))
    assert 0 < result.low < result.difference < result.high


def test_a_clear_move_towards_them_is_named():
    assert detect_shift(LOW, HIGH, min_people=5).shift == "towards_unfavourable"


def test_the_same_answers_twice_are_no_shift():
    result = detect_shift(HIGH, list(reversed(HIGH)), min_people=5)
    assert result.shift == "none" and result.difference == 0
    assert result.low < 0 < result.high


def test_a_one_step_nudge_in_a_few_people_is_not_named():
    nudged = [(3,), (4,), (3,), (4,), (3,), (3,)]
    assert detect_shift(nudged, [(3,)] * 3 + [(4,)] * 2 + [(3,)], min_people=5).shift == "none"


def test_three_people_agreeing_twice_is_not_a_shift_but_five_is():
    assert detect_shift([(5,)] * 3, [(4,)] * 3, min_people=3).shift == "none"
    assert detect_shift([(5,)] * 5, [(4,)] * 5, min_people=3).shift == "towards_favourable"


def test_a_larger_family_of_tests_widens_the_interval():
    narrow = detect_shift(HIGH, LOW, min_people=5, family_size=1)
    wide = detect_shift(HIGH, LOW, min_people=5, family_size=8)
    assert wide.high - wide.low > narrow.high - narrow.low


def test_favourable_share_alternative_uses_person_shares_and_newcombe():
    result = detect_shift_in_favourable_share(HIGH, LOW, min_people=5)
    assert result.difference == pytest.approx(7 / 8)
    assert result.shift == "towards_favourable"


people_strategy = strat.lists(
    strat.lists(strat.integers(1, 5), min_size=0, max_size=3).map(tuple), min_size=0, max_size=12
)


@settings(max_examples=150, deadline=None)
@given(people_strategy, people_strategy)
def test_swapping_current_and_previous_mirrors_the_verdict(a, b):
    forward, backward = detect_shift(a, b, min_people=3), detect_shift(b, a, min_people=3)
    mirror = {
        "towards_favourable": "towards_unfavourable",
        "towards_unfavourable": "towards_favourable",
    }
    assert backward.shift == mirror.get(forward.shift, forward.shift)
    if forward.difference is not None:
        assert backward.difference == pytest.approx(-forward.difference)
        assert (backward.low, backward.high) == pytest.approx((-forward.high, -forward.low))


@settings(max_examples=100, deadline=None)
@given(people_strategy, people_strategy, strat.randoms(use_true_random=False))
def test_the_order_of_people_does_not_matter(a, b, shuffler):
    shuffled = list(a)
    shuffler.shuffle(shuffled)
    original, reordered = detect_shift(a, b, min_people=3), detect_shift(shuffled, b, min_people=3)
    assert reordered.shift == original.shift
    if original.difference is not None:
        figures = (reordered.difference, reordered.low, reordered.high)
        assert figures == pytest.approx((original.difference, original.low, original.high))


# Comparisons across several weeks.


def test_window_comparison_pools_recent_weeks_against_earlier_ones():
    result = detect_shift_against_window([HIGH, HIGH], [LOW, LOW, LOW], min_people=5)
    assert result.shift == "towards_favourable"
    assert result.difference == pytest.approx(score(HIGH) - score(LOW))


def test_window_comparison_leaves_out_suppressed_weeks():
    assert detect_shift_against_window([HIGH], [LOW[:3]], min_people=5).shift == "insufficient_data"


def test_week_noise_starts_from_the_prior_and_grows_with_a_wobbly_history():
    calm = estimate_week_noise([])
    wobbly = estimate_week_noise([week_with_score(0), week_with_score(10)] * 3)
    assert wobbly.variance > calm.variance
    assert wobbly.df > calm.df


def test_index_names_a_swing_once_it_lasts_into_a_second_week():
    before = [(w, week_with_score(1)) for w in range(1, 9)]
    history = [*before, (9, week_with_score(9)), (10, week_with_score(9))]
    first = detect_index_shift(history[:-1], min_people=5)
    second = detect_index_shift(history, min_people=5)
    assert first.week_on_week.shift == "towards_favourable"
    assert first.shift == "none"
    assert second.week_on_week.shift == "none"
    assert (second.shift, second.basis) == ("towards_favourable", "recent_weeks")


def test_index_does_not_name_one_bad_week_for_everyone():
    before = [(w, week_with_score(5)) for w in range(1, 9)]
    history = [*before, (9, week_with_score(0)), (10, week_with_score(5))]
    for end in (9, 10):
        verdict = detect_index_shift(history[:end], min_people=5)
        assert verdict.shift == "none"


def test_index_catches_a_smaller_swing_on_the_second_measurement():
    history = [(w, week_with_score(2)) for w in range(1, 9)]
    history += [(9, week_with_score(8)), (10, week_with_score(8))]
    assert detect_index_shift(history[:-1], min_people=5).shift == "none"
    assert detect_index_shift(history, min_people=5).shift == "towards_favourable"


def test_index_of_a_suppressed_week_is_insufficient_data():
    history = [(1, week_with_score(5)), (2, week_with_score(5)[:3])]
    assert detect_index_shift(history, min_people=5).shift == "insufficient_data"


def test_index_of_a_teams_first_week_is_insufficient_data():
    assert detect_index_shift([(1, week_with_score(5))], min_people=5).shift == "insufficient_data"


def test_index_skips_suppressed_weeks_when_finding_the_previous_measurement():
    history = [(1, week_with_score(1)), (2, week_with_score(9)[:2]), (3, week_with_score(9))]
    result = detect_index_shift(history, min_people=5)
    assert result.week_on_week.difference == pytest.approx(0.4)


def test_index_allows_for_a_team_whose_weeks_wobble():
    after = [(9, week_with_score(9)), (10, week_with_score(9))]
    calm = [(w, week_with_score(1)) for w in range(1, 9)] + after
    wobbly = [(w, week_with_score(1 if w % 2 else 9)) for w in range(1, 9)] + after
    assert detect_index_shift(calm, min_people=5).shift == "towards_favourable"
    assert detect_index_shift(wobbly, min_people=5).shift == "none"


# Trend.

JARGON = ("p-value", "confidence", "interval", "significan", "standard error", "regression")


def test_trend_with_too_few_weeks_says_too_early():
    trend = index_trend([(1, week_with_score(2)), (2, week_with_score(6))], min_people=5)
    assert trend.direction == "unclear" and trend.slope_per_week is None and trend.weeks == 2
    assert trend.wording == "Too early to tell which way things are going."


def test_trend_of_a_steady_climb_is_improving_in_plain_words():
    history = [
        (w, week_with_score(f)) for w, f in zip(range(1, 7), (1, 2, 4, 4, 6, 7), strict=True)
    ]
    trend = index_trend(history, min_people=5)
    assert trend.direction == "improving" and trend.weeks == 6
    assert 0 < trend.low < trend.slope_per_week < trend.high
    assert trend.wording.startswith("Improving: about +0.06 a week over the last 6 weeks (we're ")


def test_trend_of_a_decline_is_named_constructively():
    history = [
        (w, week_with_score(f)) for w, f in zip(range(1, 7), (8, 7, 7, 5, 4, 2), strict=True)
    ]
    trend = index_trend(history, min_people=5)
    assert trend.direction == "declining"
    assert trend.wording.startswith("Slipping back: about -0.06 a week over the last 6 weeks")
    assert "talk about" in trend.wording


def test_trend_of_a_flat_index_is_steady():
    history = [(w, week_with_score(5 + w % 2)) for w in range(1, 9)]
    trend = index_trend(history, min_people=5)
    assert trend.direction == "steady"
    assert trend.wording == "Holding steady over the last 8 weeks."


def test_trend_of_a_jumpy_index_has_no_clear_direction():
    history = [(w, week_with_score(1 if w % 2 else 9)) for w in range(1, 9)]
    trend = index_trend(history, min_people=5)
    assert trend.direction == "unclear" and trend.slope_per_week is not None
    assert trend.wording.startswith("No clear direction over the last 8 weeks")


def test_trend_leaves_out_suppressed_weeks_and_weeks_before_the_window():
    history = [(w, week_with_score(w % 10)) for w in range(1, 13)]
    history[-2] = (11, week_with_score(5)[:3])
    trend = index_trend(history, min_people=5, window=8)
    assert trend.weeks == 7


@pytest.mark.parametrize(
    "pattern",
    [(1, 2, 4, 4, 6, 7), (8, 7, 7, 5, 4, 2), (5, 6, 5, 6, 5, 6), (1, 9, 1, 9, 1, 9), (5,)],
)
def test_trend_wording_has_no_statistical_jargon(pattern):
    history = [(w, week_with_score(f)) for w, f in enumerate(pattern, start=1)]
    wording = index_trend(history, min_people=5).wording.lower()
    assert not any(term in wording for term in JARGON)
