"""Who holds a claimed prompt, and whether that sender is still alive.

A claim records its sender's owner key, a key the sender holds a lock on for as long as it
lives: on PostgreSQL a session advisory lock on a connection it keeps open, on SQLite an
flock on a file of its own beside the database. Both locks end with their holder. So a
sender that finds a claim whose lock it can take knows the claimant is dead and may take
its prompts at once, rather than waiting out their lease; a live sender's claims are left
alone. A dead sender can have left at most the one DM it was posting unrecorded, so
taking its claims repeats at most one message per crash, as the lease did.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import os
import re
import secrets
import tempfile
import threading
import weakref
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from storage.database import Database
from storage.models import Prompt

_FILE_KEY = re.compile(r"^[0-9a-f]{32}\.lock$")
_PG_KEY = re.compile(r"^[0-9]{1,19}$")


class Claimant:
    """This process as a sender: the key its claims carry and the lock that keeps it."""

    def __init__(self, key: str, handle: Any, pid: int) -> None:
        self.key = key
        self._handle = handle
        self.pid = pid
        self._guard = threading.Lock()

    def holds(self) -> bool:
        """Whether the lock is still ours: a PostgreSQL connection can be cut under us."""
        if isinstance(self._handle, Path):
            return True
        with self._guard:
            try:
                self._handle.execute(text("SELECT 1"))
                self._handle.commit()
            except Exception:
                return False
        return True

    def release(self) -> None:
        """Give the key up (exiting the process does too)."""
        if self.pid != os.getpid():  # a forked child's copy: the parent's to give up
            return
        with self._guard:
            handle, self._handle = self._handle, None
        if handle is None:
            return
        if isinstance(handle, Path):
            handle.unlink(missing_ok=True)
            held = _HELD.pop(self.key, None)
            if held is not None:
                held.close()
            return
        with contextlib.suppress(Exception):  # a connection already cut has nothing to close
            handle.close()


_HELD: dict[str, IO[str]] = {}  # SQLite lock files this process holds open
_CURRENT: weakref.WeakKeyDictionary[Database, Claimant] = weakref.WeakKeyDictionary()
_CURRENT_GUARD = threading.Lock()


def claims_folder(db: Database) -> Path:
    """Where a SQLite database's senders keep their lock files."""
    database = make_url(str(db.engine.url)).database or ""
    if database and database != ":memory:":
        return Path(database).with_name(Path(database).name + ".senders")
    digest = hashlib.sha256(str(db.engine.url).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"partnership-pulse-{digest}.senders"


def _new_claimant(db: Database) -> Claimant:
    if db.is_postgresql:
        key = secrets.randbits(62) + 1
        connection = db.engine.connect()
        try:
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            connection.commit()
        except Exception:
            connection.close()
            raise
        return Claimant(str(key), connection, os.getpid())
    folder = claims_folder(db)
    folder.mkdir(exist_ok=True)
    name = f"{secrets.token_hex(16)}.lock"
    path = folder / name
    handle = path.open("a")
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    _HELD[name] = handle
    claimant = Claimant(name, path, os.getpid())
    atexit.register(claimant.release)  # a sender that ends well leaves no lock file behind
    return claimant


def current(db: Database) -> Claimant:
    """This process's claimant for the database, made on first use.

    A forked child gets its own (its parent's lock is not its to hold), and one whose
    PostgreSQL connection was cut gets a new key: claims made under the old one may then
    be taken by others, as a dead sender's are.
    """
    with _CURRENT_GUARD:
        claimant = _CURRENT.get(db)
        if claimant is not None and claimant.pid == os.getpid() and claimant.holds():
            return claimant
        if claimant is not None and claimant.pid == os.getpid():
            claimant.release()
        claimant = _new_claimant(db)
        _CURRENT[db] = claimant
        db.release_on_dispose(claimant.release)
        return claimant


def _dead_on_postgresql(session: Session, key: str) -> bool:
    """The owner's advisory lock can be taken: its session has ended. The lock taken to
    find out lasts only until this transaction ends."""
    if not _PG_KEY.match(key):
        return True
    taken = session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": int(key)})
    return bool(taken.scalar())


def _dead_on_sqlite(folder: Path, key: str) -> bool:
    """The owner's lock file is gone, or its flock can be taken: its process has ended."""
    if not _FILE_KEY.match(key):
        return True
    path = folder / key
    try:
        handle = path.open("r")
    except FileNotFoundError:
        return True
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        path.unlink(missing_ok=True)
        return True


def free_dead_claims(
    session: Session, db: Database, *, own_key: str, round_id: int | None = None
) -> int:
    """Put back the prompts claimed by senders that have died, so they are sent now; how
    many. Claims of live senders, and this one's, are left as they are."""
    owners = (
        select(Prompt.claim_owner)
        .distinct()
        .where(
            Prompt.state == "sending",
            Prompt.claim_owner.is_not(None),
            Prompt.claim_owner != own_key,
        )
    )
    if round_id is not None:
        owners = owners.where(Prompt.round_id == round_id)
    keys = [key for key in session.scalars(owners) if key]
    if not keys:
        return 0
    if db.is_postgresql:
        dead = [key for key in keys if _dead_on_postgresql(session, key)]
    else:
        folder = claims_folder(db)
        dead = [key for key in keys if _dead_on_sqlite(folder, key)]
    if not dead:
        return 0
    result = session.execute(
        update(Prompt)
        .where(Prompt.state == "sending", Prompt.claim_owner.in_(dead))
        .values(state="pending", claim_owner=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
