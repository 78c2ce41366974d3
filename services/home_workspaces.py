"""Members' home workspaces in a Slack Connect channel, and what each workspace is called.

The delivery layer learns them from Slack (`users.info`, `team.info`); whoever counts a
member in their organisation reads them back through `storage.home_workspaces`.
"""

from __future__ import annotations

from datetime import datetime

from storage import home_workspaces as home_store
from storage.database import Database

WORKSPACE_NAME_LIMIT = 255


def unnamed_workspaces(*, db: Database, team_id: int) -> list[str]:
    """Home workspaces of the team's members whose names are not known yet."""
    with db.reading() as session:
        return home_store.unnamed_workspaces(session, team_id)


def members_without_home(*, db: Database, team_id: int) -> set[str]:
    """Members whose home workspace Slack has not named yet (to ask Slack again)."""
    with db.reading() as session:
        return home_store.members_without_home(session, team_id)


def name_workspace(*, db: Database, workspace_id: str, name: str, now: datetime) -> bool:
    """Keep a workspace's name as Slack gave it; False (nothing kept) for a name Slack
    would not give: empty, too long or unprintable."""
    name = name.strip()
    if not name or len(name) > WORKSPACE_NAME_LIMIT or not name.isprintable():
        return False
    with db.transaction() as session:
        home_store.name_workspace(session, workspace_id=workspace_id, name=name, now=now)
    return True
