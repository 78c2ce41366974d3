"""Where each workspace's bot token is kept: slack_sdk's stores, on the bot's own database.

Keeping installations beside the teams means one backup holds everything, and a workspace
that installs the app is known to every process (web workers and the scheduler) at once.
The tables are created by migration 0003.
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from storage.database import Database

# How long an install link stays valid: the installer has ten minutes to approve.
STATE_EXPIRATION_SECONDS = 600


def installation_store(db: Database, *, client_id: str) -> SQLAlchemyInstallationStore:
    """Installations and bot tokens of the app with this client id.

    The client id is part of every row and every lookup, so two apps (say staging and
    production) may share a database without ever reading each other's tokens.
    """
    return SQLAlchemyInstallationStore(client_id=client_id, engine=db.engine)


def oauth_state_store(db: Database) -> SQLAlchemyOAuthStateStore:
    """One-time states that tie an OAuth redirect to the install link that started it."""
    return SQLAlchemyOAuthStateStore(expiration_seconds=STATE_EXPIRATION_SECONDS, engine=db.engine)


def latest_bot(store: SQLAlchemyInstallationStore, *, workspace_id: str) -> Bot | None:
    """The newest bot installation of a workspace, whether or not it is part of an
    Enterprise Grid org (the store's own `find_bot` needs the org's id, which a team row
    does not keep)."""
    c = store.bots.c
    query = (
        store.bots.select()
        .where(
            c.client_id == store.client_id,
            c.team_id == workspace_id,
            c.bot_token.is_not(None),
        )
        .order_by(c.installed_at.desc(), c.id.desc())
        .limit(1)
    )
    with store.engine.connect() as connection:
        row = connection.execute(query).mappings().first()
    return None if row is None else store.build_bot_entity(row)
