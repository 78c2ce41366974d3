"""The migrations and the models describe one schema: a column, index or constraint added
to one and not the other fails here, on each database, rather than in production."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from storage.database import normalise_url
from storage.migrate import upgrade
from storage.models import Base

# Tables other libraries own and create themselves: slack_sdk's installation and OAuth
# state stores, APScheduler's job store.
FOREIGN_TABLES = ("slack_", "apscheduler_")


def _ours(difference: Any) -> bool:
    change = difference[0] if isinstance(difference, list) else difference
    table = next((part for part in change if hasattr(part, "columns")), None)
    index = next((part for part in change if hasattr(part, "table")), None)
    name = getattr(table, "name", None) or getattr(getattr(index, "table", None), "name", "")
    return not str(name).startswith(FOREIGN_TABLES)


def test_migrating_to_head_gives_exactly_the_models_schema(database_url: str) -> None:
    engine = create_engine(normalise_url(database_url))
    try:
        upgrade(engine)
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert [d for d in differences if _ours(d)] == []
