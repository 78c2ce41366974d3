"""A workspace installing, or removing, the app: when its teams are looked after."""

from __future__ import annotations

from datetime import datetime

from services import digests as digest_service
from services import rounds as round_service
from storage import rounds as round_store
from storage import teams as team_store
from storage.database import Database


def workspace_installed(*, db: Database, workspace_id: str) -> int:
    """A (re)install: the workspace's teams are surveyed again from their next round."""
    with db.transaction() as session:
        teams = team_store.teams_of_workspace(session, workspace_id)
        team_store.set_active(session, [team.id for team in teams], True)
        return len(teams)


def workspace_uninstalled(*, db: Database, workspace_id: str, now: datetime) -> int:
    """The app was removed (or its bot token revoked): stop everything for the workspace.

    Its teams are set inactive, so the schedule opens no more rounds. Open rounds close now,
    which unlinks their answers from people at once, and no digest is owed for them: with
    no token, none could be posted, and retrying every minute would only fill the logs.
    The teams and their published figures stay, for a reinstall to carry on from.
    """
    with db.transaction() as session:
        teams = team_store.teams_of_workspace(session, workspace_id)
        team_ids = {team.id for team in teams}
        team_store.set_active(session, team_ids, False)
        open_ids = [r.id for r in round_store.open_rounds(session) if r.team_id in team_ids]
    for round_id in open_ids:
        round_service.close_round(db=db, round_id=round_id, now=now)
    for round_ in round_service.closed_without_digest(db=db):
        if round_.team_id in team_ids:
            digest_service.claim_digest_post(db=db, round_id=round_.id, now=now)
    return len(team_ids)
