"""Alembic migrations run from code, so `bot.py` can apply them on start.

Alembic (with Mako and Pygments, some 10 MB) is imported when a migration runs or the
schema is read, not with this module: `serve` migrates in a child process of its own, so
the process its workers are forked from never holds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    """An Alembic config bound to an engine rather than to an ini file."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision``."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


@dataclass(frozen=True)
class SchemaState:
    """Where a database's schema stands against the code's migrations."""

    current: str | None  # None: no migration has run yet (a new, empty database)
    head: str
    known: bool  # False: a revision this code does not have (a newer version migrated it)

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def schema_state(engine: Engine) -> SchemaState:
    """Read the database's Alembic revision, changing nothing."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    script = ScriptDirectory.from_config(alembic_config(engine))
    head = script.get_current_head() or ""
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    known = True
    if current is not None:
        try:
            known = script.get_revision(current) is not None
        except CommandError:
            known = False
    return SchemaState(current=current, head=head, known=known)
