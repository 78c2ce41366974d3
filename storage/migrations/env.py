"""Alembic environment: migrations run on the engine the bot hands over."""

from __future__ import annotations

from alembic import context

from storage.models import Base

config = context.config
engine = config.attributes["engine"]

# Tables whose rows belong to libraries (APScheduler's job store, slack_sdk's installation
# and OAuth state stores): versioned by hand, never compared with the bot's models.
LIBRARY_TABLES = frozenset(
    {"apscheduler_jobs", "slack_installations", "slack_bots", "slack_oauth_states"}
)

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_name=lambda name, type_, _parent: not (type_ == "table" and name in LIBRARY_TABLES),
    )
    context.run_migrations()
