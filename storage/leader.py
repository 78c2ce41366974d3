"""Which process runs the schedule: the one holding a lock for as long as it lives.

Web workers are forked alike; each may offer to run the scheduler, and the lock makes
sure exactly one does. The lock dies with its holder (a PostgreSQL session advisory lock
ends with its connection; an flock ends with its process), so when the worker holding it
stops, another takes over at its next try.
"""

from __future__ import annotations

import fcntl
import hashlib
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.database import Database

LEADER_LOCK = 0x50554C5345 + 1  # beside the tick's lock ("PULSE")


class Leadership:
    """A held lock; `release` gives it up (exiting the process does too)."""

    def __init__(self, handle: Any, release: Any) -> None:
        self._handle = handle
        self._release = release

    def release(self) -> None:
        """Let another process lead."""
        if self._handle is not None:
            self._release(self._handle)
            self._handle = None


def _lock_file(db: Database) -> Path:
    database = make_url(str(db.engine.url)).database or ""
    if database and database != ":memory:":
        return Path(database).with_name(Path(database).name + ".scheduler.lock")
    digest = hashlib.sha256(str(db.engine.url).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"partnership-pulse-{digest}.scheduler.lock"


def _release_file(handle: Any) -> None:
    fcntl.flock(handle, fcntl.LOCK_UN)
    handle.close()


def _release_session(connection: Any) -> None:
    try:
        connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LEADER_LOCK})
        connection.commit()
    finally:
        connection.close()


def try_lead(db: Database) -> Leadership | None:
    """Take the scheduler's lock if no other process holds it."""
    if not db.is_postgresql:
        path = _lock_file(db)
        handle = path.open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return None
        return Leadership(handle, _release_file)
    connection = db.engine.connect()
    try:
        held = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LEADER_LOCK})
        taken = bool(held.scalar())
        connection.commit()
    except Exception:
        connection.close()
        raise
    if not taken:
        connection.close()
        return None
    return Leadership(connection, _release_session)
