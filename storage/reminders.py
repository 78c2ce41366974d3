"""A round's one reminder pass, as an outbox: the pass is taken on the round, the nudges it
owes are queued on their prompts ('due'), and each is taken ('sent') just before it goes.
They take a session and never commit."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import PendingAnswer, Prompt, Round

DUE = "due"
SENT = "sent"


@dataclass(frozen=True)
class Reminded:
    """A queued nudge: whom, in which round, and which prompt to point at."""

    round_id: int
    prompt_id: int
    user_id: str
    channel_id: str | None
    message_ts: str | None
    route: str | None


def claim_passes(session: Session, round_ids: Collection[int], now: datetime) -> list[int]:
    """Take open rounds' one reminder passes, in one statement: each round's pass goes to
    one caller only. The rounds taken, in id order."""
    claimed = session.execute(
        update(Round)
        .where(Round.id.in_(round_ids), Round.reminded_at.is_(None), Round.closed_at.is_(None))
        .values(reminded_at=now)
        .returning(Round.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(round_id for (round_id,) in claimed)


def queue(session: Session, round_ids: Collection[int]) -> None:
    """Queue a nudge for every sent, unanswered, unreminded prompt of rounds whose passes
    were just taken, in one statement."""
    session.execute(
        update(Prompt)
        .where(
            Prompt.round_id.in_(round_ids),
            Prompt.state == "sent",
            Prompt.reminder_state.is_(None),
            Prompt.id.not_in(select(PendingAnswer.prompt_id)),
        )
        .values(reminder_state=DUE)
        .execution_options(synchronize_session=False)
    )


def queued(session: Session) -> list[Reminded]:
    """Every nudge queued in an open round and not yet taken, by round then prompt (along
    the partial index of queued ones: nothing to read when none is owed)."""
    rows = session.execute(
        select(
            Prompt.round_id,
            Prompt.id,
            Prompt.user_id,
            Prompt.channel_id,
            Prompt.message_ts,
            Prompt.route,
        )
        .join(Round, Round.id == Prompt.round_id)
        .where(Prompt.reminder_state == DUE, Round.closed_at.is_(None))
        .order_by(Prompt.round_id, Prompt.id)
    )
    return [Reminded(*row) for row in rows]


def take(session: Session, prompt_id: int) -> bool:
    """Take a queued nudge to send it, in one statement: only one caller gets it."""
    taken = session.execute(
        update(Prompt)
        .where(Prompt.id == prompt_id, Prompt.reminder_state == DUE)
        .values(reminder_state=SENT)
        .execution_options(synchronize_session=False)
    )
    return bool(taken.rowcount)  # type: ignore[attr-defined]
