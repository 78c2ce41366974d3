"""The digest is the same, field for field, as the pandas version it replaced.

`tests/reference_digest.py` keeps that version. Both are given the same random histories:
small teams, thresholds from 3 to 7, "didn't come up" answers, suppressed behaviours and
weeks, missing weeks, archived figures with and without their raw answers, and a round
still open.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from surveys.behaviours import BEHAVIOURS
from surveys.digest import INDEX, AnswerRow, ArchivedFigure, RoundFacts, compute_digest
from surveys.weeks import parse_week
from tests import reference_digest

IDS = [b.id for b in BEHAVIOURS]


def _week_answers(
    rng: random.Random, week: str, asked: list[str], members: int, *, open_round: bool
) -> list[AnswerRow]:
    """One week's answers: some members answer some questions, a few "didn't come up"."""
    numbers = rng.sample(range(1, 40), members)
    keep = rng.uniform(0.3, 1.0)
    skip = rng.choice([0.0, 0.05, 0.3])
    rows = []
    for number in numbers:
        if rng.random() > keep:
            continue
        respondent = f"o{number * 7}" if open_round else f"c{number}"
        extra = [rng.choice(IDS)] if rng.random() < 0.05 else []
        for behaviour in asked + extra:
            if rng.random() < 0.1:
                continue
            point = None if rng.random() < skip else rng.randint(1, 5)
            rows.append(AnswerRow(week, respondent, behaviour, point))
    return rows


def _history(seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    members = rng.randint(2, 12)
    first = parse_week("2024-W40").shifted(rng.randint(0, 30))
    span = rng.randint(1, 40)
    weeks = [str(first.shifted(i)) for i in range(span) if i == 0 or rng.random() > 0.15]
    open_last = rng.random() < 0.3
    per_week = rng.randint(1, 5)
    rounds, answers = [], []
    for i, week in enumerate(weeks):
        asked = rng.sample(IDS, per_week)
        rounds.append(RoundFacts(week, tuple(asked), members + rng.randint(0, 3)))
        is_open = open_last and i == len(weeks) - 1
        answers += _week_answers(rng, week, asked, members, open_round=is_open)
    if rng.random() < 0.3:
        rng.shuffle(answers)
    archived = []
    if rng.random() < 0.5:
        purged = set(weeks[: rng.randint(0, len(weeks) // 2)])
        for week in sorted(purged | set(rng.sample(weeks, min(3, len(weeks))))):
            for figure in [*rng.sample(IDS, 3), INDEX]:
                archived.append(ArchivedFigure(week, figure, rng.randint(-4, 4) / 4))
        if archived and rng.random() < 0.3:
            archived.append(ArchivedFigure(archived[0].week, archived[0].figure, 0.5))
        if rng.random() < 0.5:
            answers = [a for a in answers if a.week not in purged]
    choices = [weeks[-1], weeks[-1], rng.choice(weeks), str(first.shifted(span + 1))]
    return {
        "team": f"C{seed}",
        "week": rng.choice(choices),
        "answers": answers,
        "rounds": rounds,
        "threshold": rng.randint(3, 7),
        "archived": archived,
    }


@pytest.mark.parametrize("block", range(4))
def test_digest_matches_the_pandas_version_on_random_histories(block: int) -> None:
    for seed in range(block * 75, block * 75 + 75):
        history = _history(seed)
        assert compute_digest(**history) == reference_digest.compute_digest(**history), seed


def test_digest_matches_on_a_long_history_of_a_large_team() -> None:
    rng = random.Random(5)
    weeks = [str(parse_week("2021-W01").shifted(i)) for i in range(120)]
    rounds = [RoundFacts(w, tuple(rng.sample(IDS, 3)), 20) for w in weeks]
    answers = [
        a
        for r in rounds
        for a in _week_answers(rng, r.week, list(r.behaviour_ids), 20, open_round=False)
    ]
    for week in (weeks[-1], weeks[60], weeks[0]):
        history: dict[str, Any] = {
            "week": week,
            "answers": answers,
            "rounds": rounds,
            "threshold": 5,
        }
        assert compute_digest(team="C1", **history) == reference_digest.compute_digest(
            team="C1", **history
        )


def test_digest_matches_with_no_answers_at_all() -> None:
    rounds = [RoundFacts("2025-W03", ("talk-of-us",), 4)]
    for week in ("2025-W03", "2025-W04"):
        history: dict[str, Any] = {
            "week": week,
            "answers": [],
            "rounds": rounds,
            "threshold": 3,
        }
        assert compute_digest(team="C1", **history) == reference_digest.compute_digest(
            team="C1", **history
        )
