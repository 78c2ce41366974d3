"""Alembic environment: migrations run on the engine the bot hands over."""

from __future__ import annotations

from alembic import context

from storage.models import Base

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_name=lambda name, type_, _parent: (
            not (type_ == "table" and name == "apscheduler_jobs")
        ),
    )
    context.run_migrations()
