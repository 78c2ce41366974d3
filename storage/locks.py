"""A database-wide lock so that only one process runs the schedule at a time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from storage.database import Database

SCHEDULER_LOCK = 0x50554C5345  # "PULSE"


@contextmanager
def schedule_lock(db: Database, key: int = SCHEDULER_LOCK) -> Iterator[bool]:
    """Yield True if this process holds the lock for the block's duration.

    On PostgreSQL it is a session advisory lock, released when the block ends or the
    connection dies; SQLite is one process's file, so the lock is always granted.
    """
    if not db.is_postgresql:
        yield True
        return
    with db.engine.connect() as connection:
        held = bool(
            connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
        )
        try:
            yield held
        finally:
            if held:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            connection.commit()
