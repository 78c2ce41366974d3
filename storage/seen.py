"""The record of signed requests already acted on. Queries take a session and never commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import SeenRequest


def note_request(session: Session, *, key: str, now: datetime) -> bool:
    """Record a request's key; False when it was recorded already (by any process).

    On a conflict the loser of two concurrent inserts waits for the winner to commit and
    then inserts nothing, so exactly one of them is told it is first.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(SeenRequest)
        .values(key=key, seen_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(SeenRequest.key)
    )
    return session.execute(statement).first() is not None


def forget_requests_before(session: Session, moment: datetime) -> int:
    """Delete the keys of requests seen before a moment; how many went."""
    result = session.execute(delete(SeenRequest).where(SeenRequest.seen_at < moment))
    return int(result.rowcount)  # type: ignore[attr-defined]
