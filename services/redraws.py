"""The closed-round redraw outbox as the delivery side sees it: claim, finish, release."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage import redraws as redraw_store
from storage.database import Database
from storage.redraws import RedrawToDo


def claim_redraws(*, db: Database, now: datetime, limit: int, lease: timedelta) -> list[RedrawToDo]:
    """Claim a batch of closed rounds' DMs to redraw, in one transaction."""
    with db.transaction() as session:
        return redraw_store.claim(session, now=now, limit=limit, lease=lease)


def finish_redraw(*, db: Database, redraw_id: int) -> None:
    """Record one DM as redrawn before the next goes."""
    redraw_store.finish(db, redraw_id)


def release_redraws(*, db: Database, redraw_ids: list[int]) -> None:
    """Give back claimed DMs that were not redrawn."""
    redraw_store.release(db, redraw_ids)


def reminder_sent(*, db: Database, round_id: int, channel_id: str, message_ts: str) -> None:
    """Keep a reminder to delete when its round closes."""
    with db.transaction() as session:
        redraw_store.record_reminder(
            session, round_id=round_id, channel_id=channel_id, message_ts=message_ts
        )
