"""Deleting what identifies a person, and raw answers past their retention."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from storage.models import Answer, ArchivedFigure, Member, Prompt, Round, Team, Withdrawal
from storage.redraws import queue_forgotten_prompts
from storage.rounds import lock_rounds


def delete_prompts_of(session: Session, *, workspace_id: str, user_id: str) -> int:
    """Every prompt sent to the person in the workspace; open answers go with them.

    Their open rounds are locked first (shared), as a click locks them, so a round closing
    meanwhile either goes first or waits, and never waits in a circle with this."""
    rounds = select(Round.id).join(Team, Team.id == Round.team_id)
    rounds = rounds.where(Team.workspace_id == workspace_id)
    lock_rounds(
        session,
        session.scalars(
            select(Prompt.round_id)
            .join(Round, Round.id == Prompt.round_id)
            .where(Prompt.user_id == user_id, Prompt.round_id.in_(rounds))
            .where(Round.closed_at.is_(None))
        ),
    )
    queue_forgotten_prompts(session, user_id=user_id, rounds=rounds)
    result = session.execute(
        delete(Prompt)
        .where(Prompt.user_id == user_id, Prompt.round_id.in_(rounds))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def open_rounds_of(session: Session, *, workspace_id: str, user_id: str) -> list[int]:
    """Open rounds of the workspace that asked the person, or whose team they are in."""
    teams = select(Team.id).where(Team.workspace_id == workspace_id)
    asked = select(Prompt.round_id).where(Prompt.user_id == user_id)
    member_of = select(Member.team_id).where(Member.user_id == user_id)
    return list(
        session.scalars(
            select(Round.id)
            .where(Round.closed_at.is_(None), Round.team_id.in_(teams))
            .where(or_(Round.id.in_(asked), Round.team_id.in_(member_of)))
            .order_by(Round.id)
        )
    )


def add_withdrawals(session: Session, marks: list[tuple[int, str]]) -> None:
    """Keep (round, mark) pairs; one already kept is left alone."""
    for round_id, mark in marks:
        kept = session.scalar(
            select(Withdrawal.id).where(Withdrawal.round_id == round_id, Withdrawal.mark == mark)
        )
        if kept is None:
            session.add(Withdrawal(round_id=round_id, mark=mark))
    session.flush()


def withdrawal_marks(session: Session, round_id: int) -> set[str]:
    """The marks kept for a round."""
    return set(session.scalars(select(Withdrawal.mark).where(Withdrawal.round_id == round_id)))


def clear_withdrawals(session: Session, round_ids: Collection[int]) -> None:
    """Closed rounds ask nobody again: their marks go."""
    session.execute(
        delete(Withdrawal)
        .where(Withdrawal.round_id.in_(round_ids))
        .execution_options(synchronize_session=False)
    )


def delete_answers_of(session: Session, round_ids: list[int]) -> int:
    """Remove the unlinked raw answers of some rounds."""
    if not round_ids:
        return 0
    result = session.execute(
        delete(Answer)
        .where(Answer.round_id.in_(round_ids))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


class RoundToPurge(NamedTuple):
    """A closed round whose raw answers are past keeping."""

    round_id: int
    team_id: int
    week: str


def rounds_to_purge(session: Session, cutoff: datetime) -> list[RoundToPurge]:
    """Rounds closed before the cutoff that still hold raw answers."""
    with_answers = select(Answer.round_id).distinct()
    return [
        RoundToPurge(r, t, w)
        for r, t, w in session.execute(
            select(Round.id, Round.team_id, Round.week)
            .where(Round.closed_at.is_not(None), Round.closed_at < cutoff)
            .where(Round.id.in_(with_answers))
            .order_by(Round.team_id, Round.week)
        )
    ]


def archive_figure(
    session: Session, *, team_id: int, week: str, figure: str, n: int, score: float
) -> None:
    """Keep one published figure (idempotent: a figure already kept is left alone)."""
    exists = session.scalar(
        select(ArchivedFigure.id).where(
            ArchivedFigure.team_id == team_id,
            ArchivedFigure.week == week,
            ArchivedFigure.figure == figure,
        )
    )
    if exists is None:
        session.add(ArchivedFigure(team_id=team_id, week=week, figure=figure, n=n, score=score))


def archived_figures(session: Session, team_id: int) -> list[tuple[str, str, float]]:
    """(week, figure, score) kept for a team."""
    return [
        (w, f, s)
        for w, f, s in session.execute(
            select(ArchivedFigure.week, ArchivedFigure.figure, ArchivedFigure.score).where(
                ArchivedFigure.team_id == team_id
            )
        )
    ]
