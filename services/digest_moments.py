"""Teams' weeks of answers as moments, summed by the database rather than read answer by answer.

A year of a thousand teams is three million answers; every figure of their digests needs only
a few sums per round and behaviour (`surveys.moments.Moments`). The database adds them up
as fast as it can count the rows, and no one's answers leave it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace

from storage import digest_queries as digest_store
from storage.database import UnitOfWork
from storage.digest_queries import AnswerSource, RoundMoments
from surveys.digest import TeamAnswers
from surveys.moments import NO_ONE, Moments
from surveys.week_answers import WeekAnswers, index_pool


def team_answers(
    session: UnitOfWork,
    *,
    rounds: Mapping[int, tuple[int, str]],
    thresholds: Mapping[int, int],
    up_to_week: str,
) -> dict[int, TeamAnswers]:
    """The teams' rounds up to a week as moments, by team id; ``rounds`` gives each round's
    (team, week), ``thresholds`` each team's anonymity threshold."""
    team_ids = thresholds.keys()
    sources = (
        digest_store.closed_answers(team_ids, up_to_week),
        digest_store.open_answers(team_ids, up_to_week),
    )
    by_round: dict[int, WeekAnswers] = {}
    for source in sources:
        for round_id, answers in _rounds_of(session, source).items():
            earlier = by_round.get(round_id)
            by_round[round_id] = answers if earlier is None else _merged(earlier, answers)
    pools = _pools_needed(by_round, rounds, thresholds)
    pooled = _pooled(session, sources, pools)
    teams: dict[int, dict[str, WeekAnswers]] = {}
    for round_id, answers in by_round.items():
        if round_id in pools:
            answers = replace(answers, pools={pools[round_id]: pooled.get(round_id, NO_ONE)})
        team_id, week = rounds[round_id]
        teams.setdefault(team_id, {})[week] = answers
    return {team_id: TeamAnswers(weeks) for team_id, weeks in teams.items()}


def _rounds_of(session: UnitOfWork, source: AnswerSource) -> dict[int, WeekAnswers]:
    behaviours: dict[int, dict[str, Moments]] = {}
    for row in digest_store.behaviour_moments(session, source):
        if row.people:
            by_behaviour = behaviours.setdefault(row.round_id, {})
            by_behaviour[row.behaviour_id] = Moments.of_single_answers(
                row.people, row.total, row.total_squares
            )
    return {
        row.round_id: WeekAnswers(row.responded, _moments(row), behaviours.get(row.round_id, {}))
        for row in digest_store.round_moments(session, source)
    }


def _moments(row: RoundMoments) -> Moments:
    return Moments(
        row.people, row.answers, row.total, row.total_squares, row.cross, row.size_squares
    )


def _merged(first: WeekAnswers, second: WeekAnswers) -> WeekAnswers:
    """One round's answers from two sources (a round is normally closed or open, not both)."""
    behaviours = dict(first.behaviours)
    for behaviour, moments in second.behaviours.items():
        behaviours[behaviour] = behaviours.get(behaviour, NO_ONE) + moments
    return WeekAnswers(
        first.responded + second.responded, first.everything + second.everything, behaviours
    )


def _pools_needed(
    by_round: Mapping[int, WeekAnswers],
    rounds: Mapping[int, tuple[int, str]],
    thresholds: Mapping[int, int],
) -> dict[int, frozenset[str]]:
    """Rounds whose index pools only some of their behaviours, at their team's threshold."""
    needed = {}
    for round_id, answers in by_round.items():
        pool = index_pool(answers.behaviours, thresholds[rounds[round_id][0]])
        if pool is not None:
            needed[round_id] = pool
    return needed


def _pooled(
    session: UnitOfWork, sources: Collection[AnswerSource], pools: Mapping[int, frozenset[str]]
) -> dict[int, Moments]:
    pairs = [(round_id, b) for round_id, pool in pools.items() for b in sorted(pool)]
    pooled: dict[int, Moments] = {}
    for source in sources:
        for row in digest_store.pool_moments(session, source, pairs):
            pooled[row.round_id] = pooled.get(row.round_id, NO_ONE) + _moments(row)
    return pooled
