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
