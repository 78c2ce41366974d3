"""What each `python bot.py` command does, once its arguments are parsed."""

from __future__ import annotations

import json
import logging
import signal
import sys
from types import FrameType

from config.settings import Settings
from delivery.digests import post_digest
from jobs.scheduler import build_scheduler
from jobs.tick import open_and_send
from runtime.assembly import build_bot, open_database
from runtime.http import HttpServer
from services import digests as digest_service
from storage.migrate import upgrade
from storage.models import utc_now
from surveys.digest_format import digest_to_dict, digest_to_text
from surveys.export import export_csv, export_json
from surveys.weeks import parse_week, week_of

log = logging.getLogger("pulse")


def resolve_week(week: str | None) -> str:
    """The named week (validated), or the current ISO week."""
    return str(parse_week(week)) if week else str(week_of(utc_now()))


def db_upgrade(settings: Settings) -> int:
    """Apply migrations and say so."""
    db = open_database(settings, migrate=False)
    upgrade(db.engine)
    print("Database is up to date.")
    return 0


def pulse_send(settings: Settings, *, team: str, week: str | None) -> int:
    """Open (or resume) a round and DM the prompts not yet sent."""
    period = resolve_week(week)
    bot = build_bot(settings, with_app=False)
    sent = open_and_send(bot.outbound, channel_id=team, week=period, scheduled=False)
    print(f"Round {period} for {team}: {sent} prompt(s) sent.")
    return 0


def digest_show(settings: Settings, *, team: str, week: str | None, fmt: str) -> int:
    """Print a week's digest as SPEC §4 JSON or as text."""
    period = resolve_week(week)
    db = open_database(settings)
    bundle = digest_service.build_digest(db=db, channel_id=team, week=period)
    if fmt == "json":
        print(json.dumps(digest_to_dict(bundle.digest), indent=2, ensure_ascii=False))
    else:
        print(digest_to_text(bundle.digest, target=bundle.target))
    return 0


def digest_post(settings: Settings, *, team: str, week: str | None) -> int:
    """Post a week's digest to the team's channel."""
    period = resolve_week(week)
    bot = build_bot(settings, with_app=False)
    bundle = post_digest(bot.outbound, channel_id=team, week=period)
    print(f"Digest for {period} posted to {bundle.channel_id}.")
    return 0


def export(settings: Settings, *, team: str, fmt: str) -> int:
    """Print every published figure of a team (closed rounds only)."""
    db = open_database(settings)
    digests = digest_service.published_digests(db=db, channel_id=team)
    print(export_csv(digests) if fmt == "csv" else export_json(digests), end="")
    return 0


def serve(settings: Settings, *, port: int, host: str = "0.0.0.0") -> int:
    """HTTP mode: Slack's requests on /slack/events, health on /healthz."""
    bot = build_bot(settings)
    scheduler = (
        build_scheduler(bot.outbound, tick_seconds=settings.tick_seconds)
        if settings.run_scheduler
        else None
    )
    server = HttpServer(bot.wsgi(), host=host, port=port)
    if scheduler:
        scheduler.start()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    log.info("serving on %s (scheduler %s)", server.url, "on" if scheduler else "off")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        if scheduler:
            scheduler.shutdown(wait=False)
        server.stop()
    return 0


def socket(settings: Settings) -> int:
    """Socket Mode: no public URL needed."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    app_token = settings.require_app_token()
    bot = build_bot(settings, with_app=False)
    from handlers.app import build_app
    from handlers.context import HandlerContext

    app = build_app(
        HandlerContext(outbound=bot.outbound, command=settings.command_name),
        signing_secret=settings.signing_secret.value or "unused-in-socket-mode",
        process_before_response=False,
    )
    scheduler = (
        build_scheduler(bot.outbound, tick_seconds=settings.tick_seconds)
        if settings.run_scheduler
        else None
    )
    if scheduler:
        scheduler.start()
    try:
        SocketModeHandler(app, app_token).start()
    finally:
        if scheduler:
            scheduler.shutdown(wait=False)
    return 0


def fail(message: str) -> int:
    """Print an error for a person and return the exit status."""
    print(f"error: {message}", file=sys.stderr)
    return 2
