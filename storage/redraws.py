"""The closed-round redraw outbox: queued at close, claimed in batches, deleted when done."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, delete, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from storage.database import Database
from storage.models import ClosedRedraw, Prompt, Round, Team


@dataclass(frozen=True)
class RedrawToDo:
    """A claimed DM: redraw it as closed (a prompt), as withdrawn (the prompt of someone
    forgotten while its round was open) or delete it (a reminder)."""

    id: int
    kind: str
    channel_id: str
    message_ts: str
    week: str
    workspace_id: str
    team_channel: str
    team_name: str | None
    claimed_at: datetime


def queue_at_close(session: Session, round_ids: Collection[int]) -> None:
    """Make every sent prompt and every reminder of closing rounds due to be redrawn."""
    session.execute(
        insert(ClosedRedraw).from_select(
            ["round_id", "kind", "channel_id", "message_ts", "state"],
            select(
                Prompt.round_id,
                literal("prompt"),
                Prompt.channel_id,
                Prompt.message_ts,
                literal("due"),
            ).where(
                Prompt.round_id.in_(round_ids),
                Prompt.channel_id.is_not(None),
                Prompt.message_ts.is_not(None),
                # An ephemeral prompt cannot be chat.update'd: its own path hides it.
                Prompt.route.is_distinct_from("ephemeral"),
            ),
        )
    )
    session.execute(
        update(ClosedRedraw)
        .where(ClosedRedraw.round_id.in_(round_ids), ClosedRedraw.state == "waiting")
        .values(state="due")
        .execution_options(synchronize_session=False)
    )


def queue_forgotten_prompts(session: Session, *, user_id: str, rounds: Select[int]) -> None:
    """Before a forgotten person's prompts go, make their DMs in open rounds due to be redrawn
    without their choices: nothing of them is left to redraw once the round closes."""
    session.execute(
        insert(ClosedRedraw).from_select(
            ["round_id", "kind", "channel_id", "message_ts", "state"],
            select(
                Prompt.round_id,
                literal("forgotten"),
                Prompt.channel_id,
                Prompt.message_ts,
                literal("due"),
            )
            .join(Round, Round.id == Prompt.round_id)
            .where(
                Prompt.user_id == user_id,
                Prompt.round_id.in_(rounds),
                Round.closed_at.is_(None),
                Prompt.channel_id.is_not(None),
                Prompt.message_ts.is_not(None),
            ),
        )
    )


def record_reminder(session: Session, *, round_id: int, channel_id: str, message_ts: str) -> None:
    """Keep a sent reminder to delete at close (at once due if the round closed meanwhile)."""
    closed = session.scalar(
        select(Round.closed_at).where(Round.id == round_id).with_for_update(read=True)
    )
    session.add(
        ClosedRedraw(
            round_id=round_id,
            kind="reminder",
            channel_id=channel_id,
            message_ts=message_ts,
            state="waiting" if closed is None else "due",
        )
    )


def claim(session: Session, *, now: datetime, limit: int, lease: timedelta) -> list[RedrawToDo]:
    """Take up to ``limit`` due redraws (or ones whose claimant's lease ran out)."""
    claimable = or_(
        ClosedRedraw.state == "due",
        and_(ClosedRedraw.state == "sending", ClosedRedraw.claimed_at <= now - lease),
    )
    rows = session.execute(
        select(
            ClosedRedraw.id,
            ClosedRedraw.kind,
            ClosedRedraw.channel_id,
            ClosedRedraw.message_ts,
            Round.week,
            Team.workspace_id,
            Team.channel_id,
            Team.channel_name,
        )
        .join(Round, Round.id == ClosedRedraw.round_id)
        .join(Team, Team.id == Round.team_id)
        .where(claimable)
        .order_by(ClosedRedraw.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=ClosedRedraw)
    ).all()
    if not rows:
        return []
    session.execute(
        update(ClosedRedraw)
        .where(ClosedRedraw.id.in_([r.id for r in rows]))
        .values(state="sending", claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return [RedrawToDo(*row, claimed_at=now) for row in rows]


def finish(db: Database, redraw_id: int) -> None:
    """The message is done: forget which DM it was (committed at once, on the hot path's
    connection: one DM after another)."""
    with db.hot.writing() as connection:
        connection.execute(delete(ClosedRedraw).where(ClosedRedraw.id == redraw_id))


def release(db: Database, redraw_ids: list[int]) -> None:
    """Put claimed redraws back for a later pass."""
    if not redraw_ids:
        return
    with db.hot.writing() as connection:
        connection.execute(
            update(ClosedRedraw)
            .where(ClosedRedraw.id.in_(redraw_ids), ClosedRedraw.state == "sending")
            .values(state="due")
        )
