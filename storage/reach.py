"""Whether a database URL can be used, said in one line before anything is created.

A command that names a database it cannot use should say so plainly and leave no trace:
no traceback, and no empty SQLite file made on the way to finding out.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from storage.database import normalise_url

EXAMPLES = "sqlite:///path/to/pulse.db or postgresql://user@host:5432/dbname"


class DatabaseProblem(RuntimeError):
    """The database a URL names cannot be used; the message says why and what to do."""


def shown(url: str) -> str:
    """A URL fit to print: its password hidden, or nothing of it when it does not parse."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "it"


def parsed_url(url: str) -> URL:
    """The URL, if it names a SQLite file or a PostgreSQL database this bot can drive."""
    try:
        parsed = make_url(normalise_url(url.strip()))
    except ArgumentError:
        raise DatabaseProblem(
            f"DATABASE_URL is not a database URL: set it to {EXAMPLES}."
        ) from None
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise DatabaseProblem(
            f"DATABASE_URL names a {parsed.get_backend_name()!r} database; the bot keeps its "
            f"data in SQLite or PostgreSQL: set it to {EXAMPLES}."
        )
    try:
        parsed.get_dialect()
    except NoSuchModuleError:
        raise DatabaseProblem(
            f"DATABASE_URL asks for the driver {parsed.drivername!r}, which is not installed: "
            f"set it to {EXAMPLES}."
        ) from None
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, ""):
        raise DatabaseProblem(f"DATABASE_URL names no SQLite file: set it to {EXAMPLES}.")
    return parsed


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (None for PostgreSQL and in-memory databases)."""
    parsed = parsed_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database == ":memory:":
        return None
    return Path(parsed.database or "")


def check_url(url: str, *, must_exist: bool) -> None:
    """Refuse a URL that cannot work before anything is created: a malformed one, an
    unknown engine, a SQLite file in a folder that does not exist, or (for a command that
    only reads) a SQLite file that does not exist."""
    path = sqlite_file(url)
    if path is None:
        return
    if not path.parent.is_dir():
        raise DatabaseProblem(
            f"DATABASE_URL points into {path.parent}, a folder that does not exist: create the "
            "folder or set DATABASE_URL to the bot's database."
        )
    if must_exist and not path.exists():
        raise DatabaseProblem(
            f"DATABASE_URL: there is no database at {path}: set DATABASE_URL to the bot's "
            "database (or run from the folder that holds it)."
        )


def connect_or_explain(engine: Engine, url: str) -> None:
    """Open one connection, turning a refusal into a one-line reason."""
    try:
        with engine.connect():
            pass
    except DBAPIError as error:
        reason = " ".join(str(error.orig).split()) or type(error.orig).__name__
        if len(reason) > 200:
            reason = reason[:197] + "…"
        raise DatabaseProblem(
            f"DATABASE_URL: cannot reach {shown(url)} ({reason}): check the host, port, "
            "database name and credentials, and that the server is running."
        ) from None
