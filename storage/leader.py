"""Which process runs the schedule: the one holding a lock for as long as it lives.

Web workers are forked alike; each may offer to run the scheduler, and the lock makes
sure exactly one does. The lock dies with its holder (a PostgreSQL session advisory lock
ends with its connection; an flock ends with its process), so when the worker holding it
stops, another takes over at its next try.

A lock can also be lost while its holder lives: PostgreSQL ends a session whose connection
is cut (`pg_terminate_backend`, a network fault, a failover), and another process then
takes the lock. So the holder asks `Lead.confirm` before each piece of the schedule's
work: a process that lost the lock takes it again if it is free, and does nothing while
another holds it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.database import Database

LEADER_LOCK = 0x50554C5345 + 1  # beside the tick's lock ("PULSE")


class Leadership:
    """A held lock; `release` gives it up (exiting the process does too)."""

    def __init__(
        self, handle: Any, release: Any, check: Callable[[Any], bool] = lambda _: True
    ) -> None:
        self._handle = handle
        self._release = release
        self._check = check

    def holds(self) -> bool:
        """Whether the lock is still this process's: its connection may have been cut."""
        return self._handle is not None and self._check(self._handle)

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


def _session_holds(connection: Any) -> bool:
    """The connection answers, and its session still holds the lock (pg_locks shows a
    bigint key as its high and low halves)."""
    try:
        held = connection.execute(
            text(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
                " AND pid = pg_backend_pid() AND granted AND objsubid = 1"
                " AND classid::bigint = :high AND objid::bigint = :low)"
            ),
            {"high": LEADER_LOCK >> 32, "low": LEADER_LOCK & 0xFFFFFFFF},
        ).scalar()
        connection.commit()
    except Exception:
        return False
    return bool(held)


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
    return Leadership(connection, _release_session, _session_holds)


class Lead:
    """The schedule's leadership, confirmed before each piece of its work (see above)."""

    def __init__(self, db: Database, held: Leadership | None) -> None:
        self._db = db
        self._held = held
        self._guard = threading.Lock()

    def confirm(self) -> bool:
        """Whether this process leads now: the lock still held, or taken again."""
        with self._guard:
            if self._held is not None and self._held.holds():
                return True
            self._drop()
            try:
                self._held = try_lead(self._db)
            except Exception:
                self._held = None
            return self._held is not None

    def release(self) -> None:
        """Let another process lead."""
        with self._guard:
            self._drop()

    def _drop(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            with contextlib.suppress(Exception):  # a cut connection has nothing to unlock
                held.release()
