"""`python bot.py check`, the Slack side: per workspace, the bot token (auth.test) and its
granted scopes (Slack names them in the `x-oauth-scopes` header of every reply) against
`delivery.scopes.bot_scopes()`; per team, that the bot is still in the team's channel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

from config.settings import Settings
from delivery.installations import InstalledClients
from delivery.scopes import bot_scopes
from runtime.check_findings import APPS_PAGE, REINSTALL, Finding, client_for, fix, ok, slack_error
from services import teams as team_service
from services.errors import WorkspaceNotInstalled
from services.teams import TeamRef
from storage.database import Database
from storage.installations import installation_store


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
        return [fix(subject, _token_fix(slack_error(error)))], None
    identity = Identity(
        workspace_id=str(reply.get("team_id") or ""),
        workspace_name=str(reply.get("team") or ""),
        bot_user_id=str(reply.get("user_id") or ""),
        bot_name=str(reply.get("user") or ""),
    )
    found = [
        ok(
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
        return ok(subject, "Slack did not name the granted scopes; not checked.")
    granted = {s.strip() for s in granted_header.split(",") if s.strip()}
    missing = [scope for scope in bot_scopes() if scope not in granted]
    if missing:
        return fix(
            subject,
            f"the app lacks {', '.join(missing)}: add them at {APPS_PAGE} → OAuth & "
            f"Permissions → Bot Token Scopes → Add an OAuth Scope (or paste the manifest again "
            f"under App Manifest), {REINSTALL}.",
        )
    return ok(subject, f"every scope the bot uses is granted ({', '.join(bot_scopes())}).")


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
        code = slack_error(error)
        if code == "channel_not_found":
            return fix(
                f"Team {team.channel_id}",
                f"Slack cannot find the channel: if it is private, the bot was removed from it: "
                f"invite it back with /invite @{bot} in the channel; if it was deleted, run "
                "/pulse setup in the team's new channel.",
            )
        return fix(f"Team {team.channel_id}", f"conversations.info failed ({code}).")
    name = f"#{channel.get('name') or team.channel_id}"
    subject = f"Team {name}"
    if channel.get("is_archived"):
        return fix(
            subject, "the channel is archived: unarchive it, or run /pulse setup in a new one."
        )
    if not channel.get("is_member", True):
        return fix(
            subject,
            f"the bot is not in the channel, so no digest can be posted there: invite the bot "
            f"with /invite @{bot} in {name}.",
        )
    return ok(subject, "the bot is in the channel.")


def workspace_findings(
    client: WebClient, teams: list[TeamRef], *, subject: str = "Bot token"
) -> list[Finding]:
    """One workspace: its token and scopes, then each of its teams' channels."""
    found, identity = token_findings(client, subject)
    if identity is None:
        if teams:
            found.append(fix("Teams", "not checked until the bot token works."))
        return found
    bot = _display_name(client, identity)
    found += [channel_finding(client, team, bot) for team in teams]
    if not teams:
        found.append(
            ok(
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
                fix(subject, "no token is stored: install the app there through /slack/install.")
            )
            continue
        in_workspace = [team for team in teams if team.workspace_id == workspace_id]
        found += workspace_findings(client, in_workspace, subject=subject)
    if not teams:
        found.append(ok("Teams", "none yet: install the app and run /pulse setup in a channel."))
    return found


def slack_findings(settings: Settings, db: Database | None) -> list[Finding]:
    """The tokens, scopes and channels, for the one workspace or each installed one."""
    teams = team_service.active_teams(db=db) if db is not None else []
    if settings.oauth_enabled:
        if db is None:
            return [fix("Bot tokens", "not checked: the tokens are kept in the database.")]
        return _installed_findings(settings, db, teams)
    if not settings.bot_token:
        return [
            fix(
                "Bot token",
                f"SLACK_BOT_TOKEN is not set: install the app ({APPS_PAGE} → Install App → "
                "Install to Workspace) and copy the Bot User OAuth Token (xoxb-…).",
            )
        ]
    if settings.bot_token.value.startswith("xapp-"):
        return [
            fix(
                "Bot token",
                "SLACK_BOT_TOKEN holds an app-level token (xapp-…): that one goes in "
                "SLACK_APP_TOKEN; copy the Bot User OAuth Token (xoxb-…) from Install App.",
            )
        ]
    return workspace_findings(client_for(settings.bot_token.value, settings), teams)
