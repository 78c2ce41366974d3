"""Which token belongs to which workspace, and pending OAuth installs.

A multi-workspace bot is handed a different bot token per team. Keeping
token -> team routing separate from the workspaces themselves lets one
server host several teams and mint new tokens through oauth.v2.access.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from dataclasses import dataclass

from standin.workspace import Workspace


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

    def add_token(self, token: str, team_id: str | None = None) -> Workspace:
        workspace = self.ensure_workspace(team_id or self.primary.team_id)
        with self._lock:
            self._tokens[token] = workspace.team_id
        return workspace

    def workspace_for_token(self, token: str | None) -> Workspace | None:
        if token is None:
            return None
        with self._lock:
            team_id = self._tokens.get(token)
            return self._workspaces.get(team_id) if team_id else None

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
        self.add_token(token, grant.team_id)
        return grant, token
