"""Which workspace each member of a team comes from, and what each workspace is called.

In a Slack Connect channel a member's home workspace is the one `users.info` names in
`user.team_id`; its name comes from `team.info`. Other code reads them through
`home_workspaces` to count a member in their home organisation. Functions take a session
and never commit; what they return is a frozen record, never a model row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import Member, WorkspaceName


@dataclass(frozen=True)
class HomeWorkspace:
    """A member's home workspace: its Slack id, and its name once `team.info` gave it."""

    workspace_id: str
    name: str | None


def home_workspaces(session: Session, team_id: int) -> dict[str, HomeWorkspace]:
    """Every current member of a team whose home workspace Slack has named, by user id.

    Members in the channel only; a member Slack has said nothing about is left out (the
    caller counts them in the installing workspace).
    """
    rows = session.execute(
        select(Member.user_id, Member.home_team_id, WorkspaceName.name)
        .outerjoin(WorkspaceName, WorkspaceName.workspace_id == Member.home_team_id)
        .where(
            Member.team_id == team_id,
            Member.in_channel.is_(True),
            Member.home_team_id.is_not(None),
        )
        .order_by(Member.user_id)
    ).all()
    return {
        user_id: HomeWorkspace(workspace_id=home, name=name)
        for user_id, home, name in rows
        if home is not None
    }


def record_home(session: Session, *, team_id: int, user_id: str, home_team_id: str) -> bool:
    """Keep the workspace Slack names as a member's home; False when they are not a member."""
    result = session.execute(
        update(Member)
        .where(Member.team_id == team_id, Member.user_id == user_id)
        .values(home_team_id=home_team_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def workspace_name(session: Session, workspace_id: str) -> str | None:
    """The name `team.info` gave a workspace, if it has been asked."""
    return session.scalar(
        select(WorkspaceName.name).where(WorkspaceName.workspace_id == workspace_id)
    )


def name_workspace(session: Session, *, workspace_id: str, name: str, now: datetime) -> None:
    """Keep (or refresh) a workspace's name.

    An upsert: two refreshes of members (setup's and the tick's, or two processes') may
    learn the same workspace at once, and the second must not fail on the first's row.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(WorkspaceName).values(
        workspace_id=workspace_id, name=name, learned_at=now
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["workspace_id"],
            set_={"name": statement.excluded.name, "learned_at": statement.excluded.learned_at},
        )
    )


def unnamed_workspaces(session: Session, team_id: int) -> list[str]:
    """Home workspaces of a team's members whose names are not known yet."""
    named = select(WorkspaceName.workspace_id)
    found = session.scalars(
        select(Member.home_team_id)
        .where(
            Member.team_id == team_id,
            Member.home_team_id.is_not(None),
            Member.home_team_id.not_in(named),
        )
        .distinct()
        .order_by(Member.home_team_id)
    ).all()
    return [workspace_id for workspace_id in found if workspace_id is not None]


def members_without_home(session: Session, team_id: int) -> set[str]:
    """Members (bots aside) whose home workspace Slack has not named yet: asked about again
    at the next refresh, which also mends members an older version wrongly took for
    deactivated when Slack would not describe them."""
    return set(
        session.scalars(
            select(Member.user_id).where(
                Member.team_id == team_id,
                Member.home_team_id.is_(None),
                Member.is_bot.is_(False),
            )
        )
    )
