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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import make_url

from config.settings import Settings
from delivery.client import make_client
from delivery.installations import InstalledClients
from delivery.scopes import bot_scopes
from services import teams as team_service
from services.errors import WorkspaceNotInstalled
from services.teams import TeamRef
from storage.database import Database, normalise_url
from storage.installations import installation_store
from storage.migrate import schema_state

APPS_PAGE = "api.slack.com/apps → your app"
REINSTALL = "then reinstall it (Install App → Reinstall to Workspace)"


@dataclass(frozen=True)
class Finding:
    """One line of the report: what was checked, and OK or the fix."""

    ok: bool
    subject: str
    text: str

    def render(self) -> str:
        return f"{'OK ' if self.ok else 'FIX'}  {self.subject}: {self.text}"


def _ok(subject: str, text: str) -> Finding:
    return Finding(True, subject, text)


def _fix(subject: str, text: str) -> Finding:
    return Finding(False, subject, text)


def _slack_error(error: Exception) -> str:
    """Slack's error code, or what kept the request from reaching Slack."""
    if isinstance(error, SlackApiError) and error.response is not None:
        return str(error.response.get("error") or f"HTTP {error.response.status_code}")
    return f"unreachable: {type(error).__name__}: {error}"


def _client(token: str | None, settings: Settings) -> WebClient:
    """A Web API client that says at once when Slack cannot be reached."""
    return make_client(token, api_url=settings.api_url, max_retries=1, patient=False)


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
                _fix(
                    "Mode",
                    f"installs into many workspaces (SLACK_CLIENT_ID is set), but "
                    f"{' and '.join(missing)} not set: copy them from {APPS_PAGE} → Basic "
                    "Information → App Credentials.",
                )
            ]
        return [_ok("Mode", "installs into many workspaces through /slack/install (`serve`).")]
    if settings.socket_mode:
        return [
            _ok("Mode", "Socket Mode (`python bot.py socket`): SLACK_APP_TOKEN is set."),
            app_token_finding(settings),
        ]
    if not settings.signing_secret:
        return [
            _fix(
                "Mode",
                "HTTP (`python bot.py serve`), but SLACK_SIGNING_SECRET is not set: copy the "
                f"Signing Secret from {APPS_PAGE} → Basic Information → App Credentials. No "
                "public URL? Use Socket Mode instead: set SLACK_APP_TOKEN (README, quick path).",
            )
        ]
    return [_ok("Mode", "HTTP (`python bot.py serve`): SLACK_SIGNING_SECRET is set.")]


def app_token_finding(settings: Settings) -> Finding:
    """Socket Mode's app-level token opens a connection (apps.connections.open)."""
    subject = "App-level token"
    token = settings.app_token.value
    generate = (
        f"generate one at {APPS_PAGE} → Basic Information → App-Level Tokens → Generate "
        "Token and Scopes, with the scope connections:write, and set SLACK_APP_TOKEN to it"
    )
    if token.startswith("xoxb-"):
        return _fix(subject, f"SLACK_APP_TOKEN holds a bot token (xoxb-…): {generate}.")
    try:
        _client(None, settings).apps_connections_open(app_token=token)
    except Exception as error:
        code = _slack_error(error)
        if code in {"invalid_auth", "not_allowed_token_type", "missing_args", "not_authed"}:
            return _fix(subject, f"Slack refused SLACK_APP_TOKEN ({code}): {generate}.")
        if code.startswith("unreachable"):
            return _fix(subject, f"Slack could not be reached ({code}): check the network.")
        return _fix(
            subject,
            f"apps.connections.open failed ({code}): check that Socket Mode is on ({APPS_PAGE} "
            "→ Socket Mode → Enable Socket Mode).",
        )
    return _ok(subject, "opens Socket Mode connections (apps.connections.open).")


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
        return [_fix(subject, f"DATABASE_URL is not a database URL ({error}).")], None
    if new_file is not None:
        if not new_file.parent.is_dir():
            return [_fix(subject, f"{shown}: the folder {new_file.parent} does not exist.")], None
        return [
            _ok(subject, f"{shown} does not exist yet; the bot creates it when it starts.")
        ], None
    try:
        db = Database.from_url(settings.database_url)
    except Exception as error:
        return [_fix(subject, f"DATABASE_URL is not a database URL ({error}).")], None
    try:
        state = schema_state(db.engine)  # connects, so an unreachable database fails here
    except Exception as error:
        db.dispose()
        return [
            _fix(
                subject,
                f"cannot reach {shown} ({type(error).__name__}): check DATABASE_URL, and that "
                "the database server is running and accepts this user.",
            )
        ], None
    if state.current is None:
        return [_ok(subject, f"{shown} is empty; the bot creates its tables when it starts.")], db
    if not state.known:
        return [
            _fix(
                subject,
                f"{shown} is at schema {state.current}, which this code does not know: a newer "
                "version of the bot upgraded it. Run that version.",
            )
        ], db
    if not state.up_to_date:
        return [
            _fix(
                subject,
                f"{shown} is at schema {state.current}, this code needs {state.head}: run "
                "`python bot.py db upgrade` (serve and socket also do it when they start).",
            )
        ], db
    return [_ok(subject, f"{shown} is reachable and at the latest schema ({state.head}).")], db


# ------------------------------------------------------------ workspaces and teams


@dataclass(frozen=True)
class Identity:
    """Who the bot token speaks as."""

    workspace_id: str
    workspace_name: str
    bot_user_id: str
    bot_name: str


def token_findings(client: WebClient, subject: str) -> tuple[list[Finding], Identity | None]:
    """auth.test: the token works, and its granted scopes cover what the code calls."""
    try:
        reply = client.auth_test()
    except Exception as error:
        return [_fix(subject, _token_fix(_slack_error(error)))], None
    identity = Identity(
        workspace_id=str(reply.get("team_id") or ""),
        workspace_name=str(reply.get("team") or ""),
        bot_user_id=str(reply.get("user_id") or ""),
        bot_name=str(reply.get("user") or ""),
    )
    found = [
        _ok(
            subject,
            f"works in {identity.workspace_name} ({identity.workspace_id}) as "
            f"@{identity.bot_name}.",
        ),
        _scope_finding(reply.headers),
    ]
    return found, identity


def _token_fix(code: str) -> str:
    copy = (
        f"copy the Bot User OAuth Token (xoxb-…) from {APPS_PAGE} → Install App (or OAuth & "
        "Permissions) into SLACK_BOT_TOKEN"
    )
    fixes = {
        "invalid_auth": f"Slack does not know this token (invalid_auth): {copy}.",
        "not_authed": f"no token reached Slack (not_authed): {copy}.",
        "token_revoked": (
            "the token was revoked (token_revoked): the app was uninstalled, or its token "
            f"replaced. Install it again ({APPS_PAGE} → Install App → Install to Workspace), "
            f"then {copy}."
        ),
        "account_inactive": (
            "the token belongs to a deactivated bot or a deleted workspace (account_inactive): "
            f"install the app again, then {copy}."
        ),
        "not_allowed_token_type": f"this is not a bot token (not_allowed_token_type): {copy}.",
    }
    if code.startswith("unreachable"):
        return f"Slack could not be reached ({code}): check the network and SLACK_API_URL."
    return fixes.get(code, f"auth.test failed ({code}): check SLACK_BOT_TOKEN.")


def _header(headers: Any, name: str) -> str | None:
    for key, value in dict(headers or {}).items():
        if str(key).lower() == name:
            return str(value[0] if isinstance(value, list) else value)
    return None


def _scope_finding(headers: Any) -> Finding:
    subject = "Scopes"
    granted_header = _header(headers, "x-oauth-scopes")
    if granted_header is None:
        return _ok(subject, "Slack did not name the granted scopes; not checked.")
    granted = {s.strip() for s in granted_header.split(",") if s.strip()}
    missing = [scope for scope in bot_scopes() if scope not in granted]
    if missing:
        return _fix(
            subject,
            f"the app lacks {', '.join(missing)}: add them at {APPS_PAGE} → OAuth & "
            f"Permissions → Bot Token Scopes → Add an OAuth Scope (or paste the manifest again "
            f"under App Manifest), {REINSTALL}.",
        )
    return _ok(subject, f"every scope the bot uses is granted ({', '.join(bot_scopes())}).")


def _display_name(client: WebClient, identity: Identity) -> str:
    """The bot's name as people type it after @ (its real name, e.g. Partnership Pulse)."""
    try:
        user = client.users_info(user=identity.bot_user_id)["user"]
    except Exception:
        return identity.bot_name
    profile = user.get("profile") or {}
    return str(profile.get("display_name") or user.get("real_name") or identity.bot_name)


def channel_finding(client: WebClient, team: TeamRef, bot: str) -> Finding:
    """The bot is still in the team's channel."""
    try:
        channel = client.conversations_info(channel=team.channel_id)["channel"]
    except Exception as error:
        code = _slack_error(error)
        if code == "channel_not_found":
            return _fix(
                f"Team {team.channel_id}",
                f"Slack cannot find the channel: if it is private, the bot was removed from it: "
                f"invite it back with /invite @{bot} in the channel; if it was deleted, run "
                "/pulse setup in the team's new channel.",
            )
        return _fix(f"Team {team.channel_id}", f"conversations.info failed ({code}).")
    name = f"#{channel.get('name') or team.channel_id}"
    subject = f"Team {name}"
    if channel.get("is_archived"):
        return _fix(
            subject, "the channel is archived: unarchive it, or run /pulse setup in a new one."
        )
    if not channel.get("is_member", True):
        return _fix(
            subject,
            f"the bot is not in the channel, so no digest can be posted there: invite the bot "
            f"with /invite @{bot} in {name}.",
        )
    return _ok(subject, "the bot is in the channel.")


def workspace_findings(
    client: WebClient, teams: list[TeamRef], *, subject: str = "Bot token"
) -> list[Finding]:
    """One workspace: its token and scopes, then each of its teams' channels."""
    found, identity = token_findings(client, subject)
    if identity is None:
        if teams:
            found.append(_fix("Teams", "not checked until the bot token works."))
        return found
    bot = _display_name(client, identity)
    found += [channel_finding(client, team, bot) for team in teams]
    if not teams:
        found.append(
            _ok(
                "Teams",
                f"none yet: invite the bot to a channel (/invite @{bot}) and run /pulse setup "
                "there.",
            )
        )
    return found


def _installed_findings(settings: Settings, db: Database, teams: list[TeamRef]) -> list[Finding]:
    """Installs into many workspaces: each workspace's stored token, then its teams."""
    store = installation_store(db, client_id=settings.client_id)
    clients = InstalledClients(store, api_url=settings.api_url)
    found: list[Finding] = []
    for workspace_id in sorted({team.workspace_id for team in teams}):
        subject = f"Bot token of {workspace_id}"
        try:
            client = clients.client_for(workspace_id)
        except WorkspaceNotInstalled:
            found.append(
                _fix(subject, "no token is stored: install the app there through /slack/install.")
            )
            continue
        in_workspace = [team for team in teams if team.workspace_id == workspace_id]
        found += workspace_findings(client, in_workspace, subject=subject)
    if not teams:
        found.append(_ok("Teams", "none yet: install the app and run /pulse setup in a channel."))
    return found


def slack_findings(settings: Settings, db: Database | None) -> list[Finding]:
    """The tokens, scopes and channels, for the one workspace or each installed one."""
    teams = team_service.active_teams(db=db) if db is not None else []
    if settings.oauth_enabled:
        if db is None:
            return [_fix("Bot tokens", "not checked: the tokens are kept in the database.")]
        return _installed_findings(settings, db, teams)
    if not settings.bot_token:
        return [
            _fix(
                "Bot token",
                f"SLACK_BOT_TOKEN is not set: install the app ({APPS_PAGE} → Install App → "
                "Install to Workspace) and copy the Bot User OAuth Token (xoxb-…).",
            )
        ]
    if settings.bot_token.value.startswith("xapp-"):
        return [
            _fix(
                "Bot token",
                "SLACK_BOT_TOKEN holds an app-level token (xapp-…): that one goes in "
                "SLACK_APP_TOKEN; copy the Bot User OAuth Token (xoxb-…) from Install App.",
            )
        ]
    return workspace_findings(_client(settings.bot_token.value, settings), teams)


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
