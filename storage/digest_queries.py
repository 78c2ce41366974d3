"""Reads behind digests: a few queries for any number of teams, rather than a few per team.

When rounds close, every team whose round closed needs its digest at once; one query per
team and table would spend most of the time on round trips and per-query overhead.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, Select, Subquery, cast, func, select, tuple_
from sqlalchemy.orm import Session, aliased

from storage.models import Answer, ArchivedFigure, PendingAnswer, Prompt, Round, Team


@dataclass(frozen=True)
class DigestTeam:
    """What a digest needs to know of its team."""

    id: int
    channel_id: str
    anonymity_threshold: int
    digest_channel_id: str | None
    target: float | None
    workspace_id: str
    channel_name: str | None


def teams_by_channel(session: Session, channel_ids: Collection[str]) -> dict[str, DigestTeam]:
    """The team each channel is; the first one set up if a shared channel is several."""
    found: dict[str, DigestTeam] = {}
    for team in session.scalars(
        select(Team).where(Team.channel_id.in_(channel_ids)).order_by(Team.id)
    ):
        if team.channel_id not in found:
            found[team.channel_id] = DigestTeam(
                id=team.id,
                channel_id=team.channel_id,
                anonymity_threshold=team.anonymity_threshold,
                digest_channel_id=team.digest_channel_id,
                target=team.target,
                workspace_id=team.workspace_id,
                channel_name=team.channel_name,
            )
    return found


class RoundWeek(NamedTuple):
    """A round's team and week."""

    round_id: int
    team_id: int
    week: str


class RoundFactsRow(NamedTuple):
    """What a round asked and of how many people."""

    team_id: int
    week: str
    behaviour_ids: tuple[str, ...]
    invited: int


class ArchivedRow(NamedTuple):
    """A figure kept after its answers were purged."""

    team_id: int
    week: str
    figure: str
    score: float


def round_weeks(session: Session, *, team_ids: Collection[int], up_to_week: str) -> list[RoundWeek]:
    """The teams' rounds up to a week."""
    query = select(Round.id, Round.team_id, Round.week).where(
        Round.team_id.in_(team_ids), Round.week <= up_to_week
    )
    return [RoundWeek._make(row) for row in _plain_rows(session, query)]


def round_facts(
    session: Session, *, team_ids: Collection[int], weeks: Collection[str]
) -> list[RoundFactsRow]:
    """What the teams' rounds in some weeks asked, and of how many people."""
    rows = session.execute(
        select(Round.team_id, Round.week, Round.behaviour_ids, Round.invited).where(
            Round.team_id.in_(team_ids), Round.week.in_(weeks)
        )
    )
    return [RoundFactsRow(t, w, tuple(b), i) for t, w, b, i in rows]


def closed_answers(team_ids: Collection[int], up_to_week: str) -> AnswerSource:
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


def open_answers(team_ids: Collection[int], up_to_week: str) -> AnswerSource:
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


AnswerSource = Subquery
"""Answers to sum (`closed_answers`, `open_answers`): pass it back to the sums below."""


class RoundMoments(NamedTuple):
    """A round's sums, where k is a person's count of counted answers and t their sum of
    (point − 3)."""

    round_id: int
    responded: int  # people who answered anything
    people: int  # people with a counted answer
    answers: int  # Σk
    total: int  # Σt
    total_squares: int  # Σt²
    cross: int  # Σt·k
    size_squares: int  # Σk²


class BehaviourMoments(NamedTuple):
    """A round's sums for one behaviour: one answer a person, so k = 1."""

    round_id: int
    behaviour_id: str
    people: int
    total: int
    total_squares: int


def round_moments(session: Session, answers: AnswerSource) -> list[RoundMoments]:
    """Each round's moments, summed per person and then over people, in the database."""
    return [RoundMoments._make(row) for row in _plain_rows(session, _moments_query(answers))]


def behaviour_moments(session: Session, answers: AnswerSource) -> list[BehaviourMoments]:
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
    return [BehaviourMoments._make(row) for row in _plain_rows(session, query)]


def pool_moments(
    session: Session, answers: AnswerSource, pools: Collection[tuple[int, str]]
) -> list[RoundMoments]:
    """Round moments of only some of each round's behaviours, given as (round, behaviour)."""
    if not pools:
        return []
    chosen = (
        select(answers)
        .where(tuple_(answers.c.round_id, answers.c.behaviour_id).in_(list(pools)))
        .subquery()
    )
    return [RoundMoments._make(row) for row in _plain_rows(session, _moments_query(chosen))]


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


def archived_figures(session: Session, *, team_ids: Collection[int]) -> list[ArchivedRow]:
    """The figures kept for the teams."""
    rows = session.execute(
        select(
            ArchivedFigure.team_id, ArchivedFigure.week, ArchivedFigure.figure, ArchivedFigure.score
        ).where(ArchivedFigure.team_id.in_(team_ids))
    )
    return [ArchivedRow(t, w, f, s) for t, w, f, s in rows]


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


class OrganisationAnswer(NamedTuple):
    """A closed answer of a round in which some organisation kept its name."""

    team_id: int
    week: str
    organisation: str | None  # None: "Other partners"
    respondent: int
    behaviour_id: str
    point: int | None


def organisation_answers(
    session: Session, *, team_ids: Collection[int], up_to_week: str
) -> list[OrganisationAnswer]:
    """Every answer of the teams' closed rounds up to a week in which an organisation kept
    its name (storage.closing): only partnerships' rounds, and only those, are read."""
    named = aliased(Answer)
    query = (
        select(
            Round.team_id,
            Round.week,
            Answer.organisation,
            Answer.respondent,
            Answer.behaviour_id,
            Answer.point,
        )
        .join(Round, Round.id == Answer.round_id)
        .where(
            Round.team_id.in_(team_ids),
            Round.week <= up_to_week,
            # Per round, a probe of the partial index ix_answers_named_round: never a scan
            # of every team's answers.
            select(named.id)
            .where(named.round_id == Round.id, named.organisation.is_not(None))
            .exists(),
        )
    )
    return [OrganisationAnswer._make(row) for row in _plain_rows(session, query)]
