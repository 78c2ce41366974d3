"""Which behaviours a team is asked about in a given week.

Everyone in a team gets the same behaviours in a week, so each behaviour's sample is as
large as the team and no question points at one person; the cycle covers all 13 every
13 weeks when three are asked a week.
"""

from __future__ import annotations

import random

from surveys.behaviours import BEHAVIOUR_IDS
from surveys.weeks import Week

DEFAULT_QUESTIONS_PER_WEEK = 3


def behaviours_for_week(
    week: Week, *, questions_per_week: int = DEFAULT_QUESTIONS_PER_WEEK, seed: str = ""
) -> tuple[str, ...]:
    """Week w asks k·w … k·w+k−1 (mod 13), in an order shuffled stably per team and week."""
    count = len(BEHAVIOUR_IDS)
    k = max(1, min(questions_per_week, count))
    start = k * week.ordinal
    chosen = [BEHAVIOUR_IDS[(start + i) % count] for i in range(k)]
    random.Random(f"{seed}:{week}").shuffle(chosen)
    return tuple(chosen)
