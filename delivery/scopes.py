"""Every Slack Web API method the bot calls, and the bot scope each one needs.

This is the one list of what the bot asks a workspace for: the OAuth install requests
exactly `bot_scopes()`, and the tests check it against manifest.yml, against Slack's method
reference (`slack-methods/*.json`: its `scope.bot` lists the scopes any one of which
allows the method) and against the calls the code makes.
"""

from __future__ import annotations

# Method -> the bot scopes the bot is granted for it (empty: no scope needed).
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    # Prompts, reminders, digests; redrawing a prompt after a click.
    "chat.postMessage": ("chat:write",),
    "chat.update": ("chat:write",),
    # The reminder links to the member's prompt (Slack asks no scope for this one).
    "chat.getPermalink": (),
    "chat.delete": ("chat:write",),
    # A member of another organisation whom Slack will not let the bot DM gets the prompt
    # as an ephemeral message in the team channel (Slack Connect).
    "chat.postEphemeral": ("chat:write",),
    # A manager's export goes to their DM.
    "conversations.open": ("im:write",),
    # A team's members, in public and in private channels.
    "conversations.members": ("channels:read", "groups:read"),
    # `bot.py check`: whether the bot is still in each team's channel (`is_member`).
    "conversations.info": ("channels:read", "groups:read"),
    # Members' time zones; leaving out bots and deactivated accounts.
    "users.info": ("users:read",),
    # The name of a member's home workspace in a Slack Connect channel.
    "team.info": ("team:read",),
    # The digest chart and CSV exports (files_upload_v2 makes both calls).
    "files.getUploadURLExternal": ("files:write",),
    "files.completeUploadExternal": ("files:write",),
    # App Home and the settings modal need no scope.
    "views.publish": (),
    "views.open": (),
    # Bolt checks a new installation's token, and exchanges the install code; `bot.py
    # check` tests the token with auth.test and reads its granted scopes from the reply.
    "auth.test": (),
    "oauth.v2.access": (),
}

# Methods called with the app-level token (xapp-…), not the bot token: their scopes are the
# app-level token's, and are not among the bot scopes an install asks for.
APP_TOKEN_SCOPES: dict[str, tuple[str, ...]] = {
    # Socket Mode's WebSocket URL (Bolt's handler and `bot.py check` call it).
    "apps.connections.open": ("connections:write",),
}

# Scopes that widen what a method already called returns, rather than allow a method.
FIELD_SCOPES: dict[str, str] = {
    # users.info's profile.email: a member's organisation by email domain (SPEC §5).
    "users:read.email": "users.info",
}

# A slash command needs its own scope, whatever it calls.
COMMAND_SCOPES: tuple[str, ...] = ("commands",)


def bot_scopes() -> list[str]:
    """The bot scopes an install asks for, each once, in a stable order."""
    needed = {scope for scopes in METHOD_SCOPES.values() for scope in scopes}
    return sorted(needed | set(COMMAND_SCOPES) | set(FIELD_SCOPES))
