"""Fresh databases for a run: SQLite files in the scratch folder, PostgreSQL databases made
from an administrative URL and dropped again afterwards."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from storage.database import Database, normalise_url
from storage.migrate import upgrade

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


def migrated(url: str) -> Database:
    """Open a database and bring its schema to the latest revision, as the bot does on start."""
    db = Database.from_url(url)
    upgrade(db.engine)
    return db


def postgres_version(admin_url: str | None) -> str | None:
    """The server's version, or None when there is no server to talk to."""
    if not admin_url:
        return None
    try:
        engine = create_engine(normalise_url(admin_url))
        with engine.connect() as connection:
            version = connection.execute(text("SHOW server_version")).scalar_one()
        engine.dispose()
    except Exception:
        return None
    return str(version)


@contextmanager
def postgres_database(admin_url: str, label: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for the block's duration; its URL is yielded."""
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    name = f"pulse_bench_{label}_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            make_url(normalise_url(admin_url))
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
