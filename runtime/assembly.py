"""Build the bot's parts from settings, in one place, for every command and every test."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from slack_bolt import App

from config.settings import Settings
from delivery.client import make_client
from delivery.context import Outbound
from delivery.pacing import Pacer
from handlers.app import build_app
from handlers.context import HandlerContext
from handlers.web import PulseWsgiApp
from storage.database import Database
from storage.migrate import upgrade


@dataclass
class Bot:
    """The assembled bot."""

    settings: Settings
    db: Database
    outbound: Outbound
    app: App | None = field(default=None)

    def wsgi(self) -> PulseWsgiApp:
        """The HTTP entrypoint for a WSGI server."""
        assert self.app is not None
        return PulseWsgiApp(
            self.app, self.db, signing_secret=self.settings.require_signing_secret()
        )


def open_database(settings: Settings, *, migrate: bool = True) -> Database:
    """Connect and bring the schema up to date (migrations are applied on start)."""
    db = Database.from_url(settings.database_url)
    if migrate:
        upgrade(db.engine)
    return db


def build_outbound(settings: Settings, db: Database, *, pacer: Pacer | None = None) -> Outbound:
    """The Slack client and pacing every outbound path shares."""
    client = make_client(settings.require_bot_token(), api_url=settings.api_url)
    return Outbound(
        db=db,
        client=client,
        pacer=pacer or Pacer(),
        claim_lease=timedelta(seconds=settings.claim_lease_seconds),
    )


def build_bot(settings: Settings, *, with_app: bool = True, pacer: Pacer | None = None) -> Bot:
    """Database, outbound client and (for serving) the Bolt app."""
    db = open_database(settings)
    outbound = build_outbound(settings, db, pacer=pacer)
    bot = Bot(settings=settings, db=db, outbound=outbound)
    if with_app:
        ctx = HandlerContext(outbound=outbound, command=settings.command_name)
        bot.app = build_app(
            ctx,
            signing_secret=settings.require_signing_secret(),
        )
    return bot
