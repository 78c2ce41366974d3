"""`python bot.py check`: what stands between this configuration and a working bot.

Each line says OK, or what is wrong and how to fix it, in the words of Slack's app
settings pages. Nothing is changed: no migration runs, no file is created, no message is
sent. The checks, in order:
- the mode the settings choose (Socket Mode, HTTP, or installs into many workspaces) and its
  secret: the signing secret for HTTP; for Socket Mode the app-level token, tried with
  apps.connections.open (which hands out a connection URL and nothing more);
- the database: reachable, and at the schema this code migrates to;
- per workspace, the bot token (auth.test) and its granted scopes, which Slack names in the
  `x-oauth-scopes` header of every reply, against `delivery.scopes.bot_scopes()`;
- per team, that the bot is still in the team's channel (conversations.info `is_member`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import make_url

from config.settings import Settings
from runtime.check_findings import APPS_PAGE, Finding, client_for, fix, ok, slack_error
from runtime.check_slack import slack_findings
from storage.database import Database, normalise_url
from storage.migrate import schema_state

# ------------------------------------------------------------------- mode and secrets


def mode_findings(settings: Settings) -> list[Finding]:
    """Which mode the settings choose, and whether its secret is there (and works)."""
    if settings.oauth_enabled:
        missing = [
            name
            for name, value in (
                ("SLACK_SIGNING_SECRET", settings.signing_secret),
                ("SLACK_CLIENT_SECRET", settings.client_secret),
            )
            if not value
        ]
        if missing:
            return [
                fix(
                    "Mode",
                    f"installs into many workspaces (SLACK_CLIENT_ID is set), but "
                    f"{' and '.join(missing)} not set: copy them from {APPS_PAGE} → Basic "
                    "Information → App Credentials.",
                )
            ]
        return [ok("Mode", "installs into many workspaces through /slack/install (`serve`).")]
    if settings.socket_mode:
        return [
            ok("Mode", "Socket Mode (`python bot.py socket`): SLACK_APP_TOKEN is set."),
            app_token_finding(settings),
        ]
    if not settings.signing_secret:
        return [
            fix(
                "Mode",
                "HTTP (`python bot.py serve`), but SLACK_SIGNING_SECRET is not set: copy the "
                f"Signing Secret from {APPS_PAGE} → Basic Information → App Credentials. No "
                "public URL? Use Socket Mode instead: set SLACK_APP_TOKEN (README, quick path).",
            )
        ]
    return [ok("Mode", "HTTP (`python bot.py serve`): SLACK_SIGNING_SECRET is set.")]


def app_token_finding(settings: Settings) -> Finding:
    """Socket Mode's app-level token opens a connection (apps.connections.open)."""
    subject = "App-level token"
    token = settings.app_token.value
    generate = (
        f"generate one at {APPS_PAGE} → Basic Information → App-Level Tokens → Generate "
        "Token and Scopes, with the scope connections:write, and set SLACK_APP_TOKEN to it"
    )
    if token.startswith("xoxb-"):
        return fix(subject, f"SLACK_APP_TOKEN holds a bot token (xoxb-…): {generate}.")
    try:
        client_for(None, settings).apps_connections_open(app_token=token)
    except Exception as error:
        code = slack_error(error)
        if code in {"invalid_auth", "not_allowed_token_type", "missing_args", "not_authed"}:
            return fix(subject, f"Slack refused SLACK_APP_TOKEN ({code}): {generate}.")
        if code.startswith("unreachable"):
            return fix(subject, f"Slack could not be reached ({code}): check the network.")
        return fix(
            subject,
            f"apps.connections.open failed ({code}): check that Socket Mode is on ({APPS_PAGE} "
            "→ Socket Mode → Enable Socket Mode).",
        )
    return ok(subject, "opens Socket Mode connections (apps.connections.open).")


# ---------------------------------------------------------------------- database


def _shown(url: str) -> str:
    """The database URL without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "DATABASE_URL"


def _missing_sqlite_file(url: str) -> Path | None:
    """The SQLite file a URL names, if it does not exist yet."""
    parsed = make_url(normalise_url(url))
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database or "")
    return None if path.exists() else path


def database_findings(settings: Settings) -> tuple[list[Finding], Database | None]:
    """Reachable and migrated; the database, when its teams can be read."""
    subject, shown = "Database", _shown(settings.database_url)
    try:
        new_file = _missing_sqlite_file(settings.database_url)
    except Exception as error:
        return [fix(subject, f"DATABASE_URL is not a database URL ({error}).")], None
    if new_file is not None:
        if not new_file.parent.is_dir():
            return [fix(subject, f"{shown}: the folder {new_file.parent} does not exist.")], None
        return [
            ok(subject, f"{shown} does not exist yet; the bot creates it when it starts.")
        ], None
    try:
        db = Database.from_url(settings.database_url)
    except Exception as error:
        return [fix(subject, f"DATABASE_URL is not a database URL ({error}).")], None
    try:
        state = schema_state(db.engine)  # connects, so an unreachable database fails here
    except Exception as error:
        db.dispose()
        return [
            fix(
                subject,
                f"cannot reach {shown} ({type(error).__name__}): check DATABASE_URL, and that "
                "the database server is running and accepts this user.",
            )
        ], None
    if state.current is None:
        return [ok(subject, f"{shown} is empty; the bot creates its tables when it starts.")], db
    if not state.known:
        return [
            fix(
                subject,
                f"{shown} is at schema {state.current}, which this code does not know: a newer "
                "version of the bot upgraded it. Run that version.",
            )
        ], db
    if not state.up_to_date:
        return [
            fix(
                subject,
                f"{shown} is at schema {state.current}, this code needs {state.head}: run "
                "`python bot.py db upgrade` (serve and socket also do it when they start).",
            )
        ], db
    return [ok(subject, f"{shown} is reachable and at the latest schema ({state.head}).")], db


# --------------------------------------------------------------------------- report


def findings(settings: Settings) -> list[Finding]:
    """Every check, in the order a person would fix things."""
    found = mode_findings(settings)
    database, db = database_findings(settings)
    found += database
    try:
        found += slack_findings(settings, db)
    finally:
        if db is not None:
            db.dispose()
    return found


def check(settings: Settings, *, say: Callable[[str], None] = print) -> int:
    """Print the report; 0 when everything is ready, 1 when something needs fixing.

    The Slack libraries' own log lines about failed requests are kept out of it: the
    report says the same, with the fix.
    """
    logging.getLogger("slack_sdk").setLevel(logging.CRITICAL)
    say(f"Checking Partnership Pulse against Slack at {settings.api_url}")
    found = findings(settings)
    for finding in found:
        say(finding.render())
    problems = sum(not finding.ok for finding in found)
    if problems:
        say(f"{problems} thing(s) to fix; then run `python bot.py check` again.")
        return 1
    say("Everything is ready: start the bot (`python bot.py socket`, or `serve` over HTTP).")
    return 0
