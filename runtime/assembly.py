"""Build the bot's parts from settings, in one place, for every command and every test."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from slack_bolt import App

from config.settings import BadSetting, Settings
from delivery.budgets import SharedBudget, allowances
from delivery.client import RateLimited, make_client
from delivery.context import SOLE_WORKSPACE, Outbound
from delivery.installations import InstalledClients
from delivery.pacing import Pacer
from handlers.app import build_app
from handlers.context import HandlerContext
from handlers.oauth import oauth_settings
from runtime.web import PulseWsgiApp
from storage.database import Database
from storage.installations import (
    STATE_EXPIRATION_SECONDS,
    installation_store,
    oauth_state_store,
)
from storage.migrate import upgrade
from storage.reach import DatabaseProblem, check_url, connect_or_explain


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


def open_database(
    settings: Settings, *, migrate: bool = True, must_exist: bool = False
) -> Database:
    """Connect and bring the schema up to date (migrations are applied on start).

    A URL that cannot work is refused before anything is created, in one line naming
    DATABASE_URL; ``must_exist`` refuses a SQLite file that is not there yet, for commands
    that only read.
    """
    try:
        check_url(settings.database_url, must_exist=must_exist)
        db = Database.from_url(settings.database_url)
        try:
            connect_or_explain(db.engine, settings.database_url)
        except DatabaseProblem:
            db.dispose()
            raise
    except DatabaseProblem as problem:
        raise BadSetting(str(problem)) from None
    if migrate:
        upgrade(db.engine)
    return db


def build_pacer(settings: Settings, db: Database) -> Pacer:
    """One process's pacing; on PostgreSQL, where several processes may send, it draws on
    each workspace's budget in the database and shares the 429s any sender meets."""
    if not db.is_postgresql:
        return Pacer()
    return Pacer(shared=SharedBudget(db, allowances(settings.posts_per_minute)))


def build_outbound(settings: Settings, db: Database, *, pacer: Pacer | None = None) -> Outbound:
    """The Slack clients and pacing every outbound path shares.

    Installed into many workspaces (SLACK_CLIENT_ID set), each workspace's token comes from
    the installation store; otherwise SLACK_BOT_TOKEN serves the one workspace. With a
    shared budget, each client tells it of every 429 it meets.
    """
    pacer = pacer or build_pacer(settings, db)
    shared = pacer.shared is not None

    def tell(workspace: str) -> RateLimited:
        return lambda method, seconds: pacer.rate_limited(workspace, method, seconds)

    installations = None
    if settings.oauth_enabled:
        store = installation_store(db, client_id=settings.client_id)
        installations = InstalledClients(
            store, api_url=settings.api_url, on_rate_limited=tell if shared else None
        )
        client = make_client(None, api_url=settings.api_url)
    else:
        client = make_client(
            settings.require_bot_token(),
            api_url=settings.api_url,
            on_rate_limited=tell(SOLE_WORKSPACE) if shared else None,
        )
    return Outbound(
        db=db,
        client=client,
        pacer=pacer,
        claim_lease=timedelta(seconds=settings.claim_lease_seconds),
        installations=installations,
        marking_secret=settings.marking_secret,
    )


def _require_secrets(settings: Settings, *, with_app: bool, socket_mode: bool) -> None:
    """Every secret the command will need, checked before the database is touched, so a
    missing one creates nothing."""
    if settings.oauth_enabled:
        settings.require_client_secret()
    else:
        settings.require_bot_token()
    if with_app and not socket_mode:
        settings.require_signing_secret()


def build_bot(
    settings: Settings,
    *,
    with_app: bool = True,
    pacer: Pacer | None = None,
    migrate: bool = True,
    socket_mode: bool = False,
) -> Bot:
    """Database, outbound clients and (for serving) the Bolt app.

    In Socket Mode Slack's requests come over the app's own connection, so no signing
    secret is needed; over HTTP it is required, and so is the client secret when installs
    go through OAuth.
    """
    if socket_mode and settings.oauth_enabled:
        raise BadSetting(
            "Socket Mode serves one workspace: unset SLACK_CLIENT_ID (and set SLACK_BOT_TOKEN), "
            "or use `serve` to install into many workspaces."
        )
    _require_secrets(settings, with_app=with_app, socket_mode=socket_mode)
    db = open_database(settings, migrate=migrate)
    outbound = build_outbound(settings, db, pacer=pacer)
    bot = Bot(settings=settings, db=db, outbound=outbound)
    if with_app:
        ctx = HandlerContext(outbound=outbound, command=settings.command_name)
        if socket_mode:
            # As over HTTP, the ack-time listener finishes before the lazy ones start (Bolt
            # runs it first only when processing before responding): `/pulse setup` creates
            # the team there, and its lazy listener opens the team's settings.
            bot.app = build_app(ctx, signing_secret=settings.signing_secret.value)
            return bot
        oauth = None
        if settings.oauth_enabled:
            oauth = oauth_settings(
                ctx,
                client_id=settings.client_id,
                client_secret=settings.require_client_secret(),
                state_store=oauth_state_store(db),
                state_expiration_seconds=STATE_EXPIRATION_SECONDS,
            )
        bot.app = build_app(ctx, signing_secret=settings.require_signing_secret(), oauth=oauth)
    return bot
