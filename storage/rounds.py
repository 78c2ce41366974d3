"""Queries about rounds and the prompts they hold; the outbox's claims and records are in
`storage.prompt_outbox`. They take a session and never commit."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime

from sqlalchemy import (
    case,
    func,
    select,
    update,
)
from sqlalchemy.orm import Session

from storage.models import PendingAnswer, Prompt, Round
from storage.prompt_outbox import INVITED_STATES
from storage.records import PromptRecord, RoundRecord, record


def _round(row: Round | None) -> RoundRecord | None:
    return None if row is None else record(RoundRecord, row)


def _rounds(rows: Iterable[Round]) -> list[RoundRecord]:
    return [record(RoundRecord, row) for row in rows]


def round_for_week(session: Session, *, team_id: int, week: str) -> RoundRecord | None:
    """A team's round for a week, if it was opened."""
    return _round(
        session.scalars(select(Round).where(Round.team_id == team_id, Round.week == week)).first()
    )


def round_by_id(session: Session, round_id: int) -> RoundRecord | None:
    """A round by its primary key."""
    return _round(session.get(Round, round_id))


def locked_round_row(session: Session, round_id: int) -> Round | None:
    """A round's row, locked for closing (`lock_round`), for `storage.closing` to change."""
    return session.scalars(
        select(Round)
        .where(Round.id == round_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def lock_round(session: Session, round_id: int) -> RoundRecord | None:
    """A round, locked for closing: clicks on it (which lock it shared) finish first, and
    those that come after wait, then find it closed."""
    return _round(locked_round_row(session, round_id))


def lock_rounds(session: Session, round_ids: Iterable[int]) -> None:
    """Lock rounds shared, in id order, before touching their prompts: the order clicks and
    closes keep, so no two of them wait on each other in a circle."""
    ids = sorted(set(round_ids))
    if ids:
        session.execute(
            select(Round.id).where(Round.id.in_(ids)).order_by(Round.id).with_for_update(read=True)
        ).all()


def open_round_rows(session: Session, *, team_id: int | None = None) -> Sequence[Round]:
    """The rows of rounds that have not closed, oldest first (for storage to change)."""
    query = select(Round).where(Round.closed_at.is_(None))
    if team_id is not None:
        query = query.where(Round.team_id == team_id)
    return session.scalars(query.order_by(Round.opened_at)).all()


def open_rounds(session: Session, *, team_id: int | None = None) -> list[RoundRecord]:
    """Rounds that have not closed, oldest first."""
    return _rounds(open_round_rows(session, team_id=team_id))


def rounds_of_team(session: Session, team_id: int) -> list[RoundRecord]:
    """Every round of a team, oldest week first."""
    return _rounds(
        session.scalars(select(Round).where(Round.team_id == team_id).order_by(Round.week))
    )


def latest_round(session: Session, team_id: int) -> RoundRecord | None:
    """The team's most recent round."""
    return _round(
        session.scalars(
            select(Round).where(Round.team_id == team_id).order_by(Round.week.desc())
        ).first()
    )


def rounds_due_to_close(session: Session, *, now: datetime) -> list[RoundRecord]:
    """Open rounds whose time is up, locked for closing, in id order; a round another
    process closed meanwhile is not among them. Read (and locked) in the order of the
    partial index of open rounds by close: ordered by id, SQLite's planner would rather walk
    every round in the table than sort the few due ones."""
    rows = session.scalars(
        select(Round)
        .where(Round.closed_at.is_(None), Round.closes_at <= now)
        .order_by(Round.closes_at, Round.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return sorted(_rounds(rows), key=lambda r: r.id)


def prompt_by_id(
    session: Session, prompt_id: int, *, for_update: bool = False
) -> PromptRecord | None:
    """A prompt by its primary key, optionally locked for the rest of the transaction."""
    query = select(Prompt).where(Prompt.id == prompt_id)
    if for_update:
        query = query.with_for_update()
    prompt = session.scalars(query).first()
    return None if prompt is None else record(PromptRecord, prompt)


def prompted_users(session: Session, round_id: int) -> set[str]:
    """Who already has a prompt row for the round."""
    return set(session.scalars(select(Prompt.user_id).where(Prompt.round_id == round_id)))


def pending_answers_of(session: Session, prompt_id: int) -> dict[str, int | None]:
    """A prompt's answers so far, by behaviour."""
    rows = session.execute(
        select(PendingAnswer.behaviour_id, PendingAnswer.point).where(
            PendingAnswer.prompt_id == prompt_id
        )
    )
    return {behaviour: point for behaviour, point in rows}


def clear_reminder_marks(session: Session, round_ids: Collection[int]) -> None:
    """Forget who was reminded: at close it would tell who had not answered."""
    session.execute(
        update(Prompt)
        .where(Prompt.round_id.in_(round_ids), Prompt.reminder_state.is_not(None))
        .values(reminder_state=None)
        .execution_options(synchronize_session=False)
    )


def expire_unsent(session: Session, round_ids: Collection[int]) -> None:
    """Closing rounds' prompts never sent (queued, or claimed and unposted) will never be."""
    session.execute(
        update(Prompt)
        .where(Prompt.round_id.in_(round_ids), Prompt.state.in_(("pending", "sending")))
        .values(state="expired")
        .execution_options(synchronize_session=False)
    )


def mark_closed(session: Session, round_ids: Collection[int], now: datetime) -> list[RoundRecord]:
    """Close these rounds now, each counting who was invited, in one statement; the rounds
    as they now are, in id order. A round closed before its time ends now."""
    invited = (
        select(func.count())
        .where(Prompt.round_id == Round.id, Prompt.state.in_(INVITED_STATES))
        .scalar_subquery()
    )
    session.execute(
        update(Round)
        .where(Round.id.in_(round_ids))
        .values(
            invited=invited,
            closed_at=now,
            closes_at=case((Round.closes_at > now, now), else_=Round.closes_at),
        )
        .execution_options(synchronize_session=False)
    )
    return rounds_by_ids(session, round_ids)


def rounds_by_ids(session: Session, round_ids: Collection[int]) -> list[RoundRecord]:
    """These rounds as stored now (not as this session last saw them), in id order."""
    return _rounds(
        session.scalars(
            select(Round)
            .where(Round.id.in_(round_ids))
            .order_by(Round.id)
            .execution_options(populate_existing=True)
        )
    )


def prompt_of_user(session: Session, *, round_id: int, user_id: str) -> PromptRecord | None:
    """A member's prompt in a round."""
    prompt = session.scalars(
        select(Prompt).where(Prompt.round_id == round_id, Prompt.user_id == user_id)
    ).first()
    return None if prompt is None else record(PromptRecord, prompt)
