"""Reads behind digests: a few queries for any number of teams, rather than a few per team.

When rounds close, every team whose round closed needs its digest at once; one query per
team and table would spend most of the time on round trips and per-query overhead.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from storage.models import Answer, ArchivedFigure, PendingAnswer, Prompt, Round, Team

AnswerTuple = tuple[int, int, str, int | None]
"""(round id, respondent number, behaviour, point); an open round's number is its prompt's."""


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


def closed_answers(
    session: Session, *, team_ids: Collection[int], up_to_week: str
) -> list[AnswerTuple]:
    """Unlinked answers of the teams' closed rounds up to a week."""
    query = (
        select(Answer.round_id, Answer.respondent, Answer.behaviour_id, Answer.point)
        .join(Round, Round.id == Answer.round_id)
        .where(Round.team_id.in_(team_ids), Round.week <= up_to_week)
    )
    return _plain_rows(session, query)


def open_answers(
    session: Session, *, team_ids: Collection[int], up_to_week: str
) -> list[AnswerTuple]:
    """Answers so far of the teams' open rounds up to a week, keyed by opaque prompt ids."""
    query = (
        select(
            Prompt.round_id,
            PendingAnswer.prompt_id,
            PendingAnswer.behaviour_id,
            PendingAnswer.point,
        )
        .join(Prompt, Prompt.id == PendingAnswer.prompt_id)
        .join(Round, Round.id == Prompt.round_id)
        .where(Round.team_id.in_(team_ids), Round.week <= up_to_week)
    )
    return _plain_rows(session, query)


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


def _plain_rows(session: Session, query: Select[Any]) -> list[Any]:
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
