"""Reads behind digests: a few queries for any number of teams, rather than a few per team.

When rounds close, every team whose round closed needs its digest at once; one query per
team and table would spend most of the time on round trips and per-query overhead.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import BigInteger, Select, Subquery, cast, func, select, tuple_
from sqlalchemy.orm import Session

from storage.models import Answer, ArchivedFigure, PendingAnswer, Prompt, Round, Team


def teams_by_channel(session: Session, channel_ids: Collection[str]) -> dict[str, Team]:
    """The team each channel is; the first one set up if a shared channel is several."""
    found: dict[str, Team] = {}
    for team in session.scalars(
        select(Team).where(Team.channel_id.in_(channel_ids)).order_by(Team.id)
    ):
        found.setdefault(team.channel_id, team)
    return found


def round_weeks(
    session: Session, *, team_ids: Collection[int], up_to_week: str
) -> list[tuple[int, int, str]]:
    """(round, team, week) of the teams' rounds up to a week."""
    query = select(Round.id, Round.team_id, Round.week).where(
        Round.team_id.in_(team_ids), Round.week <= up_to_week
    )
    return _plain_rows(session, query)


def round_facts(
    session: Session, *, team_ids: Collection[int], weeks: Collection[str]
) -> list[tuple[int, str, tuple[str, ...], int]]:
    """(team, week, behaviours asked, people invited) of the teams' rounds in some weeks."""
    rows = session.execute(
        select(Round.team_id, Round.week, Round.behaviour_ids, Round.invited).where(
            Round.team_id.in_(team_ids), Round.week.in_(weeks)
        )
    )
    return [(t, w, tuple(b), i) for t, w, b, i in rows]


def closed_answers(team_ids: Collection[int], up_to_week: str) -> Subquery:
    """Answers of the teams' closed rounds up to a week, by unlinked respondent number."""
    return (
        select(
            Answer.round_id.label("round_id"),
            Answer.respondent.label("respondent"),
            Answer.behaviour_id.label("behaviour_id"),
            Answer.point.label("point"),
        )
        .join(Round, Round.id == Answer.round_id)
        .where(Round.team_id.in_(team_ids), Round.week <= up_to_week)
        .subquery()
    )


def open_answers(team_ids: Collection[int], up_to_week: str) -> Subquery:
    """Answers so far of the teams' open rounds up to a week, keyed by opaque prompt ids.
    A closed round's answers are counted from their unlinked copies only."""
    return (
        select(
            Prompt.round_id.label("round_id"),
            PendingAnswer.prompt_id.label("respondent"),
            PendingAnswer.behaviour_id.label("behaviour_id"),
            PendingAnswer.point.label("point"),
        )
        .join(Prompt, Prompt.id == PendingAnswer.prompt_id)
        .join(Round, Round.id == Prompt.round_id)
        .where(Round.team_id.in_(team_ids), Round.week <= up_to_week, Round.closed_at.is_(None))
        .subquery()
    )


RoundMoments = tuple[int, int, int, int, int, int, int, int]
"""(round, people who answered anything, people with a counted answer, Σk, Σt, Σt², Σt·k, Σk²),
where k is a person's count of counted answers and t their sum of (point − 3)."""

BehaviourMoments = tuple[int, str, int, int, int]
"""(round, behaviour, people with a counted answer, Σt, Σt²): one answer a person, so k = 1."""


def round_moments(session: Session, answers: Subquery) -> list[RoundMoments]:
    """Each round's moments, summed per person and then over people, in the database."""
    return _plain_rows(session, _moments_query(answers))


def behaviour_moments(session: Session, answers: Subquery) -> list[BehaviourMoments]:
    """Each round's moments per behaviour. A person answers a behaviour at most once a round
    (pending answers are unique per prompt and behaviour, and closed ones are copied from
    them), so these need no grouping by person."""
    step = answers.c.point - 3
    query = select(
        answers.c.round_id,
        answers.c.behaviour_id,
        func.count(answers.c.point),
        _whole(func.coalesce(func.sum(step), 0)),
        _whole(func.coalesce(func.sum(step * step), 0)),
    ).group_by(answers.c.round_id, answers.c.behaviour_id)
    return _plain_rows(session, query)


def pool_moments(
    session: Session, answers: Subquery, pools: Collection[tuple[int, str]]
) -> list[RoundMoments]:
    """Round moments of only some of each round's behaviours, given as (round, behaviour)."""
    if not pools:
        return []
    chosen = (
        select(answers)
        .where(tuple_(answers.c.round_id, answers.c.behaviour_id).in_(list(pools)))
        .subquery()
    )
    return _plain_rows(session, _moments_query(chosen))


def _moments_query(answers: Subquery) -> Select[Any]:
    per_person = (
        select(
            answers.c.round_id.label("round_id"),
            func.count(answers.c.point).label("k"),
            func.coalesce(func.sum(answers.c.point - 3), 0).label("t"),
        )
        .group_by(answers.c.round_id, answers.c.respondent)
        .subquery()
    )
    k, t = per_person.c.k, per_person.c.t
    return select(
        per_person.c.round_id,
        func.count(),
        func.count().filter(k > 0),
        _whole(func.sum(k)),
        _whole(func.sum(t)),
        _whole(func.sum(t * t)),
        _whole(func.sum(t * k)),
        _whole(func.sum(k * k)),
    ).group_by(per_person.c.round_id)


def _whole(total: Any) -> Any:
    """A sum as a plain integer: PostgreSQL sums big integers as numeric."""
    return cast(total, BigInteger)


def archived_figures(
    session: Session, *, team_ids: Collection[int]
) -> list[tuple[int, str, str, float]]:
    """(team, week, figure, score) kept for the teams."""
    rows = session.execute(
        select(
            ArchivedFigure.team_id, ArchivedFigure.week, ArchivedFigure.figure, ArchivedFigure.score
        ).where(ArchivedFigure.team_id.in_(team_ids))
    )
    return [(t, w, f, s) for t, w, f, s in rows]


def _plain_rows(session: Session, query: Select[*tuple[Any, ...]]) -> list[Any]:
    """The query's rows as the driver's own tuples.

    A digest run reads millions of answers; wrapping each in a SQLAlchemy Row cost as much
    as reading it. The statement is still compiled by SQLAlchemy for the session's dialect,
    and runs on the session's connection, inside its transaction.
    """
    connection = session.connection()
    compiled = query.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    params: Any = compiled.params
    if compiled.positional and compiled.positiontup is not None:
        params = tuple(compiled.params[name] for name in compiled.positiontup)
    cursor = connection.connection.cursor()
    try:
        cursor.execute(compiled.string, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()
