"""What every outbound job needs: the database, a Slack client, the pacer and the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient

from delivery.installations import InstalledClients
from delivery.pacing import Pacer
from services.errors import WorkspaceNotInstalled
from storage.database import Database

SOLE_WORKSPACE = "*"
"""The budget key of a bot with one token: it speaks for one workspace, whichever it is."""


@dataclass
class Outbound:
    """Shared by the scheduler, the CLI and the handlers that send on a manager's behalf.

    With one workspace, `client` holds SLACK_BOT_TOKEN and serves every team. Installed
    into many workspaces, each team is sent to with its own workspace's token, found by
    `client_for`; `client` then has no token and only exchanges OAuth codes.
    """

    db: Database
    client: WebClient
    pacer: Pacer = field(default_factory=Pacer)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))  # tests pass theirs
    claim_lease: timedelta = timedelta(seconds=60)
    installations: InstalledClients | None = None
    marking_secret: bytes = field(default=b"", repr=False)

    def client_for(self, workspace_id: str | None) -> WebClient:
        """The client that may speak for a team of this workspace."""
        if self.installations is None:
            return self.client
        if not workspace_id:
            raise WorkspaceNotInstalled()
        return self.installations.client_for(workspace_id)

    def wait_turn(
        self, channel: str, workspace_id: str | None, method: str = "chat.postMessage"
    ) -> None:
        """Wait until a call to ``channel`` may go, within the workspace's Slack budget."""
        self.pacer.wait_turn(channel, workspace=budget_key(self, workspace_id), method=method)

    def try_turn(
        self, channel: str, workspace_id: str | None, method: str = "chat.postMessage"
    ) -> float:
        """0 when a call to ``channel`` may go now (its turn is then taken), else the
        seconds until the workspace's budget may allow one: the caller can serve another
        workspace meanwhile."""
        return self.pacer.try_turn(channel, workspace=budget_key(self, workspace_id), method=method)


def budget_key(out: Outbound, workspace_id: str | None) -> str:
    """Whose budget a call spends: the team's workspace when each has its own token, else
    the one workspace the bot's token speaks for."""
    if out.installations is None or not workspace_id:
        return SOLE_WORKSPACE
    return workspace_id
