"""A bot client per workspace, for jobs that send with no Slack request to answer.

A request from Slack carries its workspace and Bolt finds the token for it; the scheduler
and the CLI have only a team, so they ask here for the client of the team's workspace.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

from delivery.client import RateLimited, make_client
from services.errors import WorkspaceNotInstalled
from storage.installations import latest_bot


class InstalledClients:
    """Clients built from the installation store, one per bot token."""

    def __init__(
        self,
        store: SQLAlchemyInstallationStore,
        *,
        api_url: str,
        on_rate_limited: Callable[[str], RateLimited] | None = None,
    ) -> None:
        self.store = store
        self._api_url = api_url
        self._on_rate_limited = on_rate_limited
        self._clients: dict[str, WebClient] = {}
        self._lock = threading.Lock()

    def client_for(self, workspace_id: str) -> WebClient:
        """The client holding the workspace's current bot token, or WorkspaceNotInstalled."""
        bot = latest_bot(self.store, workspace_id=workspace_id)
        if bot is None or not bot.bot_token:
            raise WorkspaceNotInstalled()
        with self._lock:
            client = self._clients.get(bot.bot_token)
            if client is None:
                hook = self._on_rate_limited
                client = make_client(
                    bot.bot_token,
                    api_url=self._api_url,
                    on_rate_limited=None if hook is None else hook(workspace_id),
                )
                self._clients = {bot.bot_token: client, **self._clients}
                if len(self._clients) > 1000:
                    self._clients = dict(list(self._clients.items())[:500])
            return client
