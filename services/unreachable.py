"""Telling a team's managers, once, about members the bot cannot reach at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage import rounds as round_store
from storage import teams as team_store
from storage import unreachable as unreachable_store
from storage.database import Database, UnitOfWork


@dataclass(frozen=True)
class UnreachableNotice:
    """Who to tell (the team's present managers) about whom, in which team."""

    workspace_id: str
    channel_id: str
    channel_name: str | None
    managers: tuple[str, ...]
    members: tuple[str, ...]


def claim_notice(*, db: Database, round_id: int, now: datetime) -> UnreachableNotice | None:
    """The notice owed for a round's newly unreachable members, claimed (each member is
    told of once, whatever later rounds find); None when nobody new is unreachable."""
    with db.transaction() as session:
        members = unreachable_store.claim_untold(session, round_id=round_id, now=now)
        round_ = round_store.round_by_id(session, round_id) if members else None
        return notice_for(session, round_.team_id if round_ else None, members)


def notice_for(
    session: UnitOfWork, team_id: int | None, members: list[str]
) -> UnreachableNotice | None:
    """The notice to the team's present managers about ``members`` (a round's or a
    review's newly unreachable people); None when there is no one to tell of."""
    team = team_store.team_by_id(session, team_id) if team_id is not None and members else None
    if team is None:
        return None
    return UnreachableNotice(
        workspace_id=team.workspace_id,
        channel_id=team.channel_id,
        channel_name=team.channel_name,
        managers=tuple(team_store.present_managers(session, team.id)),
        members=tuple(members),
    )
