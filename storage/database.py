"""Engine and unit of work: the one place that knows how a session begins and ends."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any, TypeAlias, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.errors import AlreadyExists, StorageError, TransientConflict
from storage.schedule import forget_changed_moments

UnitOfWork: TypeAlias = Session
"""What `Database.transaction` and `Database.reading` hand out, and services pass to the
functions of `storage/` as it is: they never call it themselves (cosmicpython's unit of
work; here SQLAlchemy's session, begun and ended only by `Database`)."""


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whichever way the URL names it."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers and one writer share the file; foreign keys are off by default."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    # Deleted rows are overwritten with zeros, not left on free pages to be carved back.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()
    dbapi_connection.isolation_level = None


READ_ONLY = "pulse_read_only"  # an execution option: this transaction only reads
ONE_STATEMENT = "pulse_one_statement"  # an execution option: each transaction is one statement


def _begin_immediate(connection: Any) -> None:
    """Take SQLite's write lock when a transaction starts, not when it first writes.

    A transaction that read a snapshot and then tries to write after another process
    committed fails at once in WAL mode; starting with the lock makes concurrent claims
    queue politely (up to busy_timeout) instead. A transaction that only reads takes no
    lock: in WAL mode it reads its snapshot while a writer goes on. A transaction of one
    statement needs no BEGIN at all: SQLite runs a lone statement as its own transaction,
    and a write statement takes the write lock before it reads anything.
    """
    options = connection.get_execution_options()
    if options.get(ONE_STATEMENT, False):
        return
    connection.exec_driver_sql("BEGIN" if options.get(READ_ONLY, False) else "BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    """An engine for SQLite (the embedded default) or PostgreSQL.

    Statement parameters are kept out of error messages: they can hold an answer.
    """
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}, hide_parameters=True
        )
        event.listen(engine, "connect", _tune_sqlite)
        event.listen(engine, "begin", _begin_immediate)
        return engine
    # A host that drops packets would otherwise leave a command waiting for minutes.
    connect_args = {} if "connect_timeout" in url else {"connect_timeout": 10}
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=20,
        hide_parameters=True,
        connect_args=connect_args,
    )


class HotPath:
    """The one exception to `Database.reading` and `Database.transaction`: bare connections
    for the few statements that run thousands of times in a row.

    A click stores its answer and redraws its message; the outbox records each DM before
    the next goes. For those few Core statements (compiled once, `storage.prepared`) a
    Session costs more than the statements it would run. Only modules of `storage/` open
    these; everything else reads with `reading` and writes with `transaction`.
    """

    def __init__(self, engine: Engine, read_engine: Engine, one_writer: Any) -> None:
        self._engine = engine
        self._read_engine = read_engine
        self._one_writer = one_writer

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A connection inside one transaction, as `Database.transaction` but without a
        Session; writers queue as they do there."""
        with self._one_writer or nullcontext(), self._engine.begin() as connection:
            yield connection

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for reading only, as `Database.reading` but without a Session."""
        with self._read_engine.connect() as connection:
            yield connection

    @contextmanager
    def reading_one(self) -> Iterator[Connection]:
        """A connection for one read statement: on SQLite no BEGIN goes before it, since a
        lone statement reads one snapshot on its own (a redraw reads twice per click)."""
        with self._read_engine.connect() as connection:
            yield connection.execution_options(**{ONE_STATEMENT: True})

    @contextmanager
    def statements(self) -> Iterator[Connection]:
        """A connection held for many tiny writes, each one statement in its own transaction.

        For a loop that must commit one small write at a time (the outbox records each DM
        before the next goes): a session per write would cost more than the write. Every
        transaction on it must be begun with `one_statement` and hold a single statement;
        on SQLite a second statement would not share the first one's transaction.
        """
        with self._engine.connect() as connection:
            yield connection.execution_options(**{ONE_STATEMENT: True})

    @contextmanager
    def one_statement(self, connection: Connection) -> Iterator[Connection]:
        """A transaction on a connection from `statements`; writers queue as in `writing`."""
        with self._one_writer or nullcontext(), connection.begin():
            yield connection


class Database:
    """The unit of work factory that services are given: `reading` to read, `transaction`
    to write. The hot path's bare connections (`hot`) stay inside `storage/`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        event.listen(self._sessions, "before_flush", forget_changed_moments)
        reading: dict[str, Any] = {READ_ONLY: True}
        if engine.dialect.name == "postgresql":
            # One snapshot for the whole transaction, as SQLite's WAL gives a reader; a
            # transaction that only reads never fails to serialise.
            reading["isolation_level"] = "REPEATABLE READ"
        read_engine = engine.execution_options(**reading)
        self._read_sessions = sessionmaker(read_engine, expire_on_commit=False)
        # SQLite has one writer at a time. Threads of this process queue for it here, and
        # are woken the moment it is free, rather than polling in SQLite's busy handler,
        # whose sleeps grow to 100 ms; other processes still meet the busy handler.
        self._one_writer = threading.RLock() if engine.dialect.name == "sqlite" else None
        self.hot = HotPath(engine, read_engine, self._one_writer)
        self._on_dispose: list[Callable[[], None]] = []

    def release_on_dispose(self, release: Callable[[], None]) -> None:
        """Run ``release`` when the database is disposed: a connection held outside the pool
        (a sender's advisory lock) is not closed by disposing the pool."""
        self._on_dispose.append(release)

    @classmethod
    def from_url(cls, url: str) -> Database:
        """Build the engine and the session factory for a URL."""
        return cls(make_engine(url))

    @property
    def is_postgresql(self) -> bool:
        """Whether row locks and advisory locks are available."""
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def transaction(self) -> Iterator[UnitOfWork]:
        """The way to write: a unit of work inside one transaction, committed on success,
        rolled back on error (a database's error raised as a `storage.errors` one)."""
        with translated(), self._one_writer or nullcontext(), self._sessions.begin() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[UnitOfWork]:
        """The way to read: one consistent snapshot, holding no write lock."""
        with translated(), self._read_sessions.begin() as session:
            yield session

    def reachable(self) -> bool:
        """Whether the database answers a trivial query (for /healthz)."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def erase_deleted(self, *tables: str) -> None:
        """Make rows just deleted from these tables unreadable from the database's files.

        SQLite zeroes deleted rows itself (secure_delete), but earlier copies of their
        pages stay in the -wal file until a checkpoint copies the pages back and truncates
        it. PostgreSQL leaves dead tuples in the table's files until VACUUM removes them;
        VACUUM cannot run inside a transaction, so this runs after the deleting one has
        committed. Neither reaches backups or archived WAL: README says what remains.
        """
        if self.engine.dialect.name == "sqlite":
            with self._one_writer or nullcontext(), self.engine.connect() as connection:
                outside = connection.execution_options(**{ONE_STATEMENT: True})
                outside.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                outside.commit()
            return
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in tables:
                connection.exec_driver_sql(f'VACUUM FULL "{table}"')

    def dispose(self) -> None:
        """Close pooled connections, and those held outside the pool."""
        while self._on_dispose:
            self._on_dispose.pop()()
        self.engine.dispose()


T = TypeVar("T")

# PostgreSQL's "deadlock detected" and "could not serialize": the transaction was rolled
# back whole, and running it again is the documented remedy.
_RETRYABLE = frozenset({"40P01", "40001"})


def conflicted(error: BaseException) -> bool:
    """Whether PostgreSQL rolled a transaction back because of another one."""
    return isinstance(error, DBAPIError) and getattr(error.orig, "sqlstate", None) in _RETRYABLE


@contextmanager
def translated() -> Iterator[None]:
    """Raise the driver's errors as storage's own, once the transaction has ended: a
    duplicate row as `AlreadyExists`, a conflict worth retrying as `TransientConflict`,
    anything else (the database unreachable, locked too long) as `StorageError`."""
    try:
        yield
    except IntegrityError as error:
        raise AlreadyExists("a row with this key already exists") from error
    except DBAPIError as error:
        if conflicted(error):
            raise TransientConflict("rolled back for a concurrent transaction") from error
        raise StorageError("the database refused or could not be reached") from error


def retrying(work: Callable[[], T], *, attempts: int = 4) -> T:
    """Run a unit of work again if the database rolled it back for a conflict; any other
    error, or the last conflict, is raised for the caller to report."""
    for _ in range(attempts - 1):
        try:
            return work()
        except TransientConflict:
            pass
    return work()
