"""Finding what a request names, or saying politely that it is not there."""

from __future__ import annotations

from services.errors import TeamNotFound
from storage import teams as team_store
from storage.database import UnitOfWork
from storage.records import TeamRecord


def team_of_channel(
    session: UnitOfWork, channel_id: str, workspace_id: str | None = None
) -> TeamRecord:
    """The team a channel is (within a workspace when it is known), or `TeamNotFound`, which
    every surface turns into the same reply."""
    team = team_store.team_by_channel(session, channel_id, workspace_id)
    if team is None:
        raise TeamNotFound()
    return team
