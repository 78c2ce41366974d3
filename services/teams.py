"""Setting up teams and keeping their membership and preferences current."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from services.errors import NotAManager
from services.lookup import team_of_channel
from storage import teams as team_store
from storage.database import Database
from storage.errors import AlreadyExists
from storage.records import TeamRecord


@dataclass(frozen=True)
class TeamRef:
    """The few facts about a team that callers outside the core need."""

    id: int
    workspace_id: str
    channel_id: str
    threshold: int
    target: float | None
    channel_name: str | None = None


@dataclass(frozen=True)
class SetupResult:
    """A team after setup, whether this call created it, and whether the caller took on a
    team that had no manager left."""

    team: TeamRef
    created: bool
    adopted: bool = False


@dataclass(frozen=True)
class MemberInfo:
    """What Slack says about a person in a team's channel."""

    user_id: str
    is_bot: bool
    deactivated: bool
    timezone: str | None
    # The workspace Slack names as their home (another organisation's, in a Slack Connect
    # channel); None when Slack would not say.
    home_team_id: str | None = None
    email_domain: str = ""  # the domain of their email only, for organisations by domain


def _ref(team: TeamRecord) -> TeamRef:
    return TeamRef(
        id=team.id,
        workspace_id=team.workspace_id,
        channel_id=team.channel_id,
        threshold=team.anonymity_threshold,
        target=team.target,
        channel_name=team.channel_name,
    )


CHANNEL_NAME_LIMIT = 80
"""Slack's longest channel name; anything longer is not a name Slack gave."""


def record_channel_name(
    *, db: Database, channel_id: str, name: str, workspace_id: str | None = None
) -> bool:
    """Keep the name a team's channel goes by, so messages name the team as people know it;
    returns False when the channel is not a team or the name is not one Slack would give."""
    name = name.strip().lstrip("#")
    if not name or len(name) > CHANNEL_NAME_LIMIT or not name.isprintable():
        return False
    if any(c in name for c in " <>&*~`"):  # never a Slack name; would read as markup
        return False
    with db.transaction() as session:
        named = team_store.name_channel(
            session, channel_id=channel_id, name=name, workspace_id=workspace_id
        )
        return named > 0


def setup_team(
    *, db: Database, workspace_id: str, channel_id: str, user_id: str, now: datetime
) -> SetupResult:
    """Make a channel a team with the default settings; the caller becomes a manager.

    Running it again in a team's channel is harmless; a non-manager cannot take over a team
    that still has a manager in its channel. A team whose managers have all gone (left the
    channel, or asked to be forgotten) would otherwise be out of everyone's reach, so the
    caller takes it on.
    """
    with db.transaction() as session:
        team = team_store.team_by_channel(session, channel_id, workspace_id, for_update=True)
        created, adopted = team is None, False
        if team is None:
            team = team_store.add_team(
                session, workspace_id=workspace_id, channel_id=channel_id, now=now
            )
        elif not team_store.is_manager(session, team_id=team.id, user_id=user_id):
            if team_store.present_managers(session, team.id):
                raise NotAManager(
                    "This channel is already a team. Ask one of its managers to add you."
                )
            adopted = True
        team_store.add_manager(session, team_id=team.id, user_id=user_id)
        team_store.set_in_channel(session, team_id=team.id, user_id=user_id, in_channel=True)
        return SetupResult(team=_ref(team), created=created, adopted=adopted)


def active_teams(*, db: Database) -> list[TeamRef]:
    """Every team still running rounds, in every workspace."""
    with db.transaction() as session:
        return [_ref(team) for team in team_store.active_teams(session)]


def find_team(*, db: Database, channel_id: str, workspace_id: str | None = None) -> TeamRef:
    """The team a channel is (in the workspace, when known), or TeamNotFound."""
    with db.transaction() as session:
        team = team_of_channel(session, channel_id, workspace_id)
        return _ref(team)


def team_for_manager(
    *, db: Database, channel_id: str, user_id: str, workspace_id: str | None = None
) -> TeamRef:
    """The team, if the user manages it; otherwise a refusal that reveals nothing.

    A request names its workspace, so a team of another workspace is never found for it.
    """
    with db.transaction() as session:
        team = team_of_channel(session, channel_id, workspace_id)
        if not team_store.is_manager(session, team_id=team.id, user_id=user_id):
            raise NotAManager()
        return _ref(team)


def managed_teams(*, db: Database, workspace_id: str, user_id: str) -> list[TeamRef]:
    """Teams the user manages in the workspace."""
    with db.transaction() as session:
        teams = team_store.managed_teams(session, workspace_id=workspace_id, user_id=user_id)
        return [_ref(t) for t in teams]


def set_opt_out(*, db: Database, workspace_id: str, user_id: str, opted_out: bool) -> None:
    """Pause or resume a person's prompts everywhere in the workspace."""
    with db.transaction() as session:
        team_store.set_opted_out(
            session, workspace_id=workspace_id, user_id=user_id, opted_out=opted_out
        )


def is_opted_out(*, db: Database, workspace_id: str, user_id: str) -> bool:
    """Whether a person has paused their prompts."""
    with db.transaction() as session:
        return team_store.is_opted_out(session, workspace_id=workspace_id, user_id=user_id)


def record_membership(
    *, db: Database, channel_id: str, user_id: str, joined: bool, workspace_id: str
) -> bool:
    """Follow a join or leave event in one workspace; False when the channel is not a team
    there."""
    with db.transaction() as session:
        team = team_store.team_by_channel(session, channel_id, workspace_id)
        if team is None:
            return False
        team_store.set_in_channel(session, team_id=team.id, user_id=user_id, in_channel=joined)
        return True


def known_member_ids(*, db: Database, team_id: int) -> set[str]:
    """Members whose details are already on record (bots and deactivated people included);
    a member recorded before email domains were kept is looked up once more."""
    with db.transaction() as session:
        return {
            m.user_id for m in team_store.members_of(session, team_id) if m.email_domain is not None
        }


def sync_members(
    *, db: Database, team_id: int, present: Sequence[str], details: Sequence[MemberInfo]
) -> None:
    """Make the team's membership match the channel, adding what Slack said about newcomers.

    Two processes may refresh the same team at once; the loser of the race for a new row
    simply tries again and finds it there.
    """
    try:
        _sync_members(db=db, team_id=team_id, present=present, details=details)
    except AlreadyExists:
        _sync_members(db=db, team_id=team_id, present=present, details=details)


def _sync_members(
    *, db: Database, team_id: int, present: Sequence[str], details: Sequence[MemberInfo]
) -> None:
    """Make the team's membership match the channel, adding what Slack said about newcomers."""
    facts = {
        d.user_id: team_store.MemberFacts(
            d.is_bot, d.deactivated, d.timezone, d.email_domain, d.home_team_id
        )
        for d in details
    }
    with db.transaction() as session:
        team_store.sync_members(session, team_id=team_id, present=set(present), facts=facts)


def set_target(
    *, db: Database, channel_id: str, user_id: str, target: float, workspace_id: str | None = None
) -> TeamRef:
    """Set the team's own target index (how will we know we've got there)."""
    with db.transaction() as session:
        team = team_of_channel(session, channel_id, workspace_id)
        if not team_store.is_manager(session, team_id=team.id, user_id=user_id):
            raise NotAManager()
        return _ref(team_store.set_target(session, team.id, target))
