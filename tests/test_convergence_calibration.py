"""Calibration of the convergence verdict on simulated partnerships (calibration.convergence).

Seeded and small, so it runs in seconds: the full tables in docs/METHOD.md come from
`python -m calibration.convergence`. The false rate must stay under its bar by three Monte
Carlo standard errors (the partnership as the unit), so a pass is not a lucky draw.
"""

from __future__ import annotations

import pytest

from calibration.convergence import Partnership, halving_power, stable_rates

MAX_FALSE_CONVERGENCE = 0.10
PARTNERSHIPS = 250  # x 15 digests each: a standard error of about 0.5 points

CASES = {
    "three organisations of 6-10, gap 1.0": Partnership(gap=1.0),
    "three organisations of 6-10, no gap": Partnership(gap=0.0),
    "four organisations of 6-10, gap 2.0": Partnership(organisations=4, gap=2.0),
}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_partnerships_that_do_not_change_rarely_hear_of_convergence(case):
    rates = stable_rates(CASES[case], partnerships=PARTNERSHIPS, seed=11)
    upper = rates.named.rate + 3 * rates.named.standard_error
    assert upper <= MAX_FALSE_CONVERGENCE, f"{case}: {rates.named}"


def test_a_halving_gap_is_named_converging_more_often_than_a_stable_one_is_named_at_all():
    stable = stable_rates(Partnership(gap=3.0), partnerships=150, seed=12).named
    halving = halving_power(Partnership(gap=3.0), trials=300, seed=13)
    assert halving.rate - 3 * halving.standard_error > stable.rate, f"{halving} vs {stable}"
    assert halving.rate >= 0.25, str(halving)  # METHOD: 35.9% ± 1.5 on 1000
