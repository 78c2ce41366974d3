"""What every outbound job needs: the database, a Slack client, the pacer and the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk import WebClient

from delivery.pacing import Pacer
from storage.database import Database
from storage.models import utc_now


@dataclass
class Outbound:
    """Shared by the scheduler, the CLI and the handlers that send on a manager's behalf."""

    db: Database
    client: WebClient
    pacer: Pacer = field(default_factory=Pacer)
    clock: Callable[[], datetime] = utc_now
    claim_lease: timedelta = timedelta(seconds=60)
