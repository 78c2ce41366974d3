"""Which token belongs to which workspace, what it was granted, and pending OAuth installs.

A multi-workspace bot is handed a different bot token per team. Keeping
token -> team routing separate from the workspaces themselves lets one
server host several teams and mint new tokens through oauth.v2.access.
Each bot token carries the scopes it was granted, which Slack reports on
every Web API response in the `x-oauth-scopes` header; a revoked token
answers `token_revoked`. App-level tokens (xapp-…) only open Socket Mode
connections.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from dataclasses import dataclass

from standin.workspace import Workspace

# What an app installed from a manifest asking for these bot scopes is granted.
DEFAULT_SCOPES = (
    "channels:read",
    "chat:write",
    "commands",
    "files:write",
    "groups:read",
    "im:write",
    "team:read",
    "users:read",
    "users:read.email",
)


@dataclass(frozen=True)
class OAuthGrant:
    """What an authorization code will be exchanged for."""

    code: str
    team_id: str
    team_name: str
    bot_user_id: str
    installer_user_id: str
    scope: str


class Tenancy:
    """Thread-safe registry of workspaces, bot tokens and OAuth codes."""

    def __init__(self, primary: Workspace) -> None:
        self.primary = primary
        self._lock = threading.Lock()
        self._workspaces: dict[str, Workspace] = {primary.team_id: primary}
        self._tokens: dict[str, str] = {}
        self._scopes: dict[str, tuple[str, ...]] = {}
        self._revoked: set[str] = set()
        self._app_tokens: dict[str, str] = {}
        self._grants: dict[str, OAuthGrant] = {}
        self._token_counter = itertools.count(1)

    def add_workspace(self, workspace: Workspace) -> Workspace:
        with self._lock:
            self._workspaces[workspace.team_id] = workspace
        return workspace

    def workspace_for(self, team_id: str) -> Workspace | None:
        with self._lock:
            return self._workspaces.get(team_id)

    def workspaces(self) -> list[Workspace]:
        with self._lock:
            return list(self._workspaces.values())

    def ensure_workspace(self, team_id: str, **kwargs: str) -> Workspace:
        """The team's workspace, created empty (apart from the bot) if unknown."""
        with self._lock:
            if team_id not in self._workspaces:
                self._workspaces[team_id] = Workspace(team_id, **kwargs)
            return self._workspaces[team_id]

    def add_token(
        self, token: str, team_id: str | None = None, *, scopes: tuple[str, ...] = DEFAULT_SCOPES
    ) -> Workspace:
        workspace = self.ensure_workspace(team_id or self.primary.team_id)
        with self._lock:
            self._tokens[token] = workspace.team_id
            self._scopes[token] = tuple(scopes)
            self._revoked.discard(token)
        return workspace

    def set_scopes(self, token: str, scopes: tuple[str, ...]) -> None:
        """Change what a bot token was granted (as a reinstall with other scopes would)."""
        with self._lock:
            if token not in self._tokens:
                raise KeyError("unknown bot token")
            self._scopes[token] = tuple(scopes)

    def scopes_of(self, token: str) -> tuple[str, ...]:
        with self._lock:
            return self._scopes.get(token, ())

    def revoke(self, token: str) -> None:
        """Revoke a token: a bot token then answers token_revoked, an app token invalid_auth."""
        with self._lock:
            if token in self._tokens:
                self._revoked.add(token)
            self._app_tokens.pop(token, None)

    def is_revoked(self, token: str) -> bool:
        with self._lock:
            return token in self._revoked

    def add_app_token(self, token: str, team_id: str | None = None) -> None:
        """Accept an app-level token for opening Socket Mode connections."""
        with self._lock:
            self._app_tokens[token] = team_id or self.primary.team_id

    def is_app_token(self, token: str | None) -> bool:
        with self._lock:
            return token is not None and token in self._app_tokens

    def workspace_for_token(self, token: str | None) -> Workspace | None:
        if token is None:
            return None
        with self._lock:
            team_id = self._tokens.get(token)
            if team_id is None or token in self._revoked:
                return None
            return self._workspaces.get(team_id)

    def register_grant(self, grant: OAuthGrant) -> None:
        with self._lock:
            self._grants[grant.code] = grant

    def redeem(self, code: str) -> tuple[OAuthGrant, str] | None:
        """Exchange a code (once, like Slack) for its grant and a fresh bot token."""
        with self._lock:
            grant = self._grants.pop(code, None)
        if grant is None:
            return None
        self.ensure_workspace(
            grant.team_id, team_name=grant.team_name, bot_user_id=grant.bot_user_id
        )
        token = f"xoxb-{grant.team_id}-{next(self._token_counter)}-{secrets.token_hex(12)}"
        scopes = tuple(s.strip() for s in grant.scope.split(",") if s.strip())
        self.add_token(token, grant.team_id, scopes=scopes)
        return grant, token
