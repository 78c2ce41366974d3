"""What each `python bot.py` command does, once its arguments are parsed."""

from __future__ import annotations

import json
import logging
import math
import multiprocessing
import sys
from multiprocessing.connection import Connection

from config.settings import BadSetting, Settings
from delivery.digests import close_and_post
from delivery.prompts import finish_round
from delivery.rounds import open_for_sending
from runtime.assembly import build_bot, open_database
from services import digests as digest_service
from services import reviews as review_service
from services import rounds as round_service
from services import teams as team_service
from storage.migrate import upgrade
from storage.models import utc_now
from surveys.digest_format import digest_to_dict, digest_to_text
from surveys.export import export_csv, export_json
from surveys.review import parse_quarter
from surveys.review_format import review_to_dict, review_to_text
from surveys.weeks import parse_week, week_of, week_words

log = logging.getLogger(__name__)


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
    round_ = open_for_sending(bot.outbound, channel_id=team, week=period, scheduled=False)
    report = finish_round(bot.outbound, round_id=round_.id)
    print(f"Round {period} for {team}: {report.sent} prompt(s) sent.")
    if not report.owed:
        return 0
    if report.slack_failed:
        return fail(
            f"{report.owed} member(s) are still owed a prompt: Slack did not accept them. "
            "Run `pulse send` again to send them."
        )
    wait = 1
    if report.claims_free_at is not None:
        wait = max(1, math.ceil((report.claims_free_at - utc_now()).total_seconds()))
    return fail(
        f"{report.owed} member(s) are still owed a prompt: another sender that is still "
        f"running holds them. Run `pulse send` again in {wait} second(s) if they have not "
        "had it by then."
    )


def _no_round(team: str, week: str) -> str:
    return f"{team} had no round in the {week_words(week)} ({week}), so there is no digest."


def digest_show(settings: Settings, *, team: str, week: str | None, fmt: str) -> int:
    """Print a week's digest as SPEC §4 JSON or as text; a week without a round is said so
    (nothing was asked, so "0 of 0 answered" would mislead)."""
    period = resolve_week(week)
    db = open_database(settings, must_exist=True)
    round_ = round_service.round_of_week(db=db, channel_id=team, week=period)
    if round_ is None:
        return fail(_no_round(team, period))
    bundle = digest_service.build_digest(db=db, channel_id=team, week=period)
    if fmt == "json":
        print(json.dumps(digest_to_dict(bundle.digest), indent=2, ensure_ascii=False))
    else:
        text = digest_to_text(
            bundle.digest,
            target=bundle.target,
            team_name=bundle.team_name,
            preview=not round_.closed,
        )
        print(text)
    return 0


def digest_post(settings: Settings, *, team: str, week: str | None) -> int:
    """Post a week's digest to the team's channel, closing its round first if it is open;
    nothing for a week without a round."""
    period = resolve_week(week)
    bot = build_bot(settings, with_app=False)
    round_ = round_service.round_of_week(db=bot.outbound.db, channel_id=team, week=period)
    if round_ is None:
        return fail(_no_round(team, period) + " Nothing was posted.")
    if close_and_post(bot.outbound, round_=round_):
        print(f"Round {period} closed; its digest is posted to {round_.channel_id}.")
    else:
        print(f"Digest for {period} posted to {round_.channel_id}.")
    return 0


def export(settings: Settings, *, team: str, fmt: str) -> int:
    """Print every published figure of a team (closed rounds only)."""
    db = open_database(settings, must_exist=True)
    digests = digest_service.published_digests(db=db, channel_id=team)
    print(export_csv(digests) if fmt == "csv" else export_json(digests), end="")
    return 0


def review_show(settings: Settings, *, team: str, quarter: str | None, fmt: str) -> int:
    """Print a team's partnership review (the latest, or the quarter's) per SPEC §6: each
    question's spread beside the previous review's, never one total."""
    db = open_database(settings, must_exist=True)
    results = review_service.results(
        db=db, channel_id=team, quarter=parse_quarter(quarter) if quarter else None
    )
    if fmt == "json":
        print(json.dumps(review_to_dict(results), indent=2, ensure_ascii=False))
    else:
        name = team_service.find_team(db=db, channel_id=team).channel_name
        print(review_to_text(results, team_name=name))
    return 0


def report(settings: Settings, *, team: str, quarter: str, output: str | None) -> int:
    """Write the quarter's board report as a PDF, from published figures only."""
    from pathlib import Path

    from charts.report_pdf import render_report
    from services.reports import quarter_report

    period = parse_quarter(quarter)
    db = open_database(settings, must_exist=True)
    data = quarter_report(db=db, channel_id=team, quarter=period)
    path = Path(output or f"partnership-report-{team}-{period}.pdf")
    path.write_bytes(render_report(data))
    print(f"Report for {team}, {period}: {path} ({len(data.weeks)} weeks published).")
    return 0


def serve(
    settings: Settings,
    *,
    port: int,
    host: str = "0.0.0.0",
    workers: int | None = None,
    threads: int | None = None,
) -> int:
    """HTTP mode under gunicorn: Slack's requests on /slack/events, /healthz, /metrics and,
    when installing into many workspaces, /slack/install and /slack/oauth_redirect.

    Settings are checked and migrations applied here, once, before any worker starts.
    """
    from runtime.server import DEFAULT_THREADS
    from runtime.server import serve as run_server

    settings.require_signing_secret()
    if settings.oauth_enabled:
        settings.require_client_secret()
    else:
        settings.require_bot_token()
    _migrate_apart(settings)
    return run_server(
        settings,
        host=host,
        port=port,
        workers=workers or settings.workers,
        threads=threads or DEFAULT_THREADS,
    )


def _migrate_apart(settings: Settings) -> None:
    """Check the database and apply the migrations in a forked child that then exits.

    Every gunicorn worker is forked from this process and holds what it imported; Alembic,
    needed once here, would cost each of them some 10 MB. A setting the child refuses is
    refused here with the same words.
    """
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_migrate_and_tell, args=(settings, sending))
    child.start()
    sending.close()
    try:
        problem = receiving.recv()
    except EOFError:
        problem = "the migrations did not finish (the error is above)"
    child.join()
    if problem is not None:
        raise BadSetting(problem)


def _migrate_and_tell(settings: Settings, sending: Connection) -> None:
    """In the child: connect, migrate, and say what went wrong (None: nothing)."""
    try:
        open_database(settings).dispose()
    except BadSetting as problem:
        sending.send(str(problem))
        return
    sending.send(None)


def socket(settings: Settings) -> int:
    """Socket Mode: no public URL and no signing secret needed; one workspace."""
    from runtime.socket_mode import run

    return run(settings)


def fail(message: str) -> int:
    """Print an error for a person and return the exit status."""
    print(f"error: {message}", file=sys.stderr)
    return 2
