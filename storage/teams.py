"""Queries about teams, their managers and members. They take a session and never commit."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage import schedule as schedule_store
from storage.models import Manager, Member, OptOut, Team
from storage.records import MemberRecord, TeamRecord, record


class MemberFacts(NamedTuple):
    """What Slack says about a person, kept on their member row."""

    is_bot: bool
    deactivated: bool
    timezone: str | None
    email_domain: str = ""  # the domain of their email only
    home_team_id: str | None = None  # their home workspace; None when Slack would not say


def _teams(rows: Sequence[Team]) -> list[TeamRecord]:
    return [record(TeamRecord, row) for row in rows]


def team_by_channel(
    session: Session, channel_id: str, workspace_id: str | None = None, *, for_update: bool = False
) -> TeamRecord | None:
    """The team a channel is, if it has been set up; within one workspace when it is known
    (a channel shared between workspaces can be a team in each). `for_update` locks its row
    on PostgreSQL, so two callers deciding about its managers take turns."""
    query = select(Team).where(Team.channel_id == channel_id)
    if workspace_id is not None:
        query = query.where(Team.workspace_id == workspace_id)
    if for_update:
        query = query.with_for_update()
    team = session.scalars(query.order_by(Team.id)).first()
    return None if team is None else record(TeamRecord, team)


def team_by_id(session: Session, team_id: int) -> TeamRecord | None:
    """A team by its primary key."""
    team = session.get(Team, team_id)
    return None if team is None else record(TeamRecord, team)


def teams_by_ids(session: Session, team_ids: Collection[int]) -> dict[int, TeamRecord]:
    """These teams, by id (one query however many)."""
    return {
        t.id: t for t in _teams(session.scalars(select(Team).where(Team.id.in_(team_ids))).all())
    }


def active_teams(session: Session) -> list[TeamRecord]:
    """Every team the schedule looks after."""
    return _teams(
        session.scalars(select(Team).where(Team.active.is_(True)).order_by(Team.id)).all()
    )


def add_team(session: Session, *, workspace_id: str, channel_id: str, now: datetime) -> TeamRecord:
    """Create a team with the default settings."""
    team = Team(
        workspace_id=workspace_id,
        channel_id=channel_id,
        created_at=now,
        schedule_from=now,
        questions_per_week=3,
        anonymity_threshold=5,
        pulse_weekday=1,
        pulse_time="10:00",
        reminder_weekday=3,
        reminder_time="10:00",
        close_weekday=0,
        close_time="09:00",
        timezone="Europe/London",
        round_days=6,
        active=True,
    )
    session.add(team)
    session.flush()
    return record(TeamRecord, team)


def name_channel(
    session: Session, *, channel_id: str, name: str, workspace_id: str | None = None
) -> int:
    """Record a channel's current name on every team it is (in the workspace, when known);
    returns how many teams it names."""
    query = select(Team).where(Team.channel_id == channel_id)
    if workspace_id is not None:
        query = query.where(Team.workspace_id == workspace_id)
    teams = session.scalars(query).all()
    for team in teams:
        team.channel_name = name
    return len(teams)


def is_manager(session: Session, *, team_id: int, user_id: str) -> bool:
    """Whether the user manages the team."""
    found = session.scalar(
        select(Manager.id).where(Manager.team_id == team_id, Manager.user_id == user_id)
    )
    return found is not None


def present_managers(session: Session, team_id: int) -> list[str]:
    """The team's managers who have not left its channel nor had their account deactivated
    (a manager not seen in the channel yet counts as present)."""
    gone = select(Member.id).where(
        Member.team_id == team_id,
        Member.user_id == Manager.user_id,
        (Member.in_channel.is_(False)) | (Member.deactivated.is_(True)),
    )
    return list(
        session.scalars(
            select(Manager.user_id)
            .where(Manager.team_id == team_id, ~gone.exists())
            .order_by(Manager.user_id)
        )
    )


def add_manager(session: Session, *, team_id: int, user_id: str) -> None:
    """Make the user a manager of the team (idempotent)."""
    if not is_manager(session, team_id=team_id, user_id=user_id):
        session.add(Manager(team_id=team_id, user_id=user_id))
        session.flush()


def managers_of(session: Session, team_id: int) -> list[str]:
    """The user ids of a team's managers, in a stable order."""
    return list(
        session.scalars(
            select(Manager.user_id).where(Manager.team_id == team_id).order_by(Manager.user_id)
        )
    )


def replace_managers(session: Session, *, team_id: int, user_ids: Sequence[str]) -> None:
    """Make exactly these people the team's managers."""
    wanted = set(user_ids)
    session.execute(
        delete(Manager).where(Manager.team_id == team_id, Manager.user_id.not_in(wanted))
    )
    for user_id in sorted(wanted):
        add_manager(session, team_id=team_id, user_id=user_id)
    session.flush()


def teams_of_workspace(session: Session, workspace_id: str) -> list[TeamRecord]:
    """Every team set up in a workspace."""
    return _teams(
        session.scalars(
            select(Team).where(Team.workspace_id == workspace_id).order_by(Team.id)
        ).all()
    )


def managed_teams(session: Session, *, workspace_id: str, user_id: str) -> list[TeamRecord]:
    """The teams a user manages in a workspace."""
    return _teams(
        session.scalars(
            select(Team)
            .join(Manager, Manager.team_id == Team.id)
            .where(Team.workspace_id == workspace_id, Manager.user_id == user_id)
            .order_by(Team.id)
        ).all()
    )


def member(session: Session, *, team_id: int, user_id: str) -> MemberRecord | None:
    """A member of a team, present or gone."""
    row = _member(session, team_id=team_id, user_id=user_id)
    return None if row is None else record(MemberRecord, row)


def _member(session: Session, *, team_id: int, user_id: str) -> Member | None:
    """A member row of a team."""
    return session.scalars(
        select(Member).where(Member.team_id == team_id, Member.user_id == user_id)
    ).first()


def teams_of_user(session: Session, *, workspace_id: str, user_id: str) -> list[TeamRecord]:
    """The teams whose channel the user is currently in."""
    return _teams(
        session.scalars(
            select(Team)
            .join(Member, Member.team_id == Team.id)
            .where(
                Team.workspace_id == workspace_id,
                Member.user_id == user_id,
                Member.in_channel.is_(True),
            )
            .order_by(Team.id)
        ).all()
    )


def new_member(session: Session, *, team_id: int, user_id: str) -> MemberRecord:
    """Add a member who is in the channel and has not opted out."""
    row = _new_member(session, team_id=team_id, user_id=user_id)
    session.flush()
    return record(MemberRecord, row)


def _new_member(session: Session, *, team_id: int, user_id: str) -> Member:
    """Add a member who is in the channel and has not opted out."""
    row = Member(
        team_id=team_id,
        user_id=user_id,
        in_channel=True,
        is_bot=False,
        deactivated=False,
    )
    session.add(row)
    return row


def set_in_channel(session: Session, *, team_id: int, user_id: str, in_channel: bool) -> None:
    """Record a join or a leave, creating the member on first sight."""
    row = _member(session, team_id=team_id, user_id=user_id)
    if row is None:
        row = _new_member(session, team_id=team_id, user_id=user_id)
    row.in_channel = in_channel
    session.flush()


def set_opted_out(session: Session, *, workspace_id: str, user_id: str, opted_out: bool) -> None:
    """Pause or resume prompts for the user in every team of the workspace."""
    found = is_opted_out(session, workspace_id=workspace_id, user_id=user_id)
    if opted_out and not found:
        session.add(OptOut(workspace_id=workspace_id, user_id=user_id))
    elif not opted_out and found:
        session.execute(
            delete(OptOut).where(OptOut.workspace_id == workspace_id, OptOut.user_id == user_id)
        )
        schedule_store.forget_next_pulse_of_user(
            session, workspace_id=workspace_id, user_id=user_id
        )
    session.flush()


def is_opted_out(session: Session, *, workspace_id: str, user_id: str) -> bool:
    """Whether the user has paused their prompts."""
    found = session.scalar(
        select(OptOut.id).where(OptOut.workspace_id == workspace_id, OptOut.user_id == user_id)
    )
    return found is not None


def members_of(session: Session, team_id: int) -> list[MemberRecord]:
    """Every member of a team, present or gone."""
    rows = session.scalars(select(Member).where(Member.team_id == team_id)).all()
    return [record(MemberRecord, row) for row in rows]


def sync_members(
    session: Session, *, team_id: int, present: Collection[str], facts: Mapping[str, MemberFacts]
) -> None:
    """Make the team's membership match the channel: add newcomers, record who is in it, and
    keep what Slack said about the people it described."""
    rows = {m.user_id: m for m in session.scalars(select(Member).where(Member.team_id == team_id))}
    # Newcomers in one order for every process: two refreshing the same team at once
    # then meet at the first row both add, rather than each holding one the other needs.
    for user_id in sorted(set(present) - rows.keys()):
        rows[user_id] = _new_member(session, team_id=team_id, user_id=user_id)
    for user_id, row in rows.items():
        row.in_channel = user_id in present
        described = facts.get(user_id)
        if described is not None:
            row.is_bot = bool(described.is_bot)
            row.deactivated = bool(described.deactivated)
            row.timezone = described.timezone
            if described.home_team_id is not None:
                row.home_team_id = described.home_team_id
            row.email_domain = described.email_domain


def surveyable_members(session: Session, team: TeamRecord) -> list[MemberRecord]:
    """People to ask: in the channel, not opted out, not bots, not deactivated."""
    opted_out = select(OptOut.user_id).where(OptOut.workspace_id == team.workspace_id)
    rows = session.scalars(
        select(Member)
        .where(
            Member.team_id == team.id,
            Member.in_channel.is_(True),
            Member.user_id.not_in(opted_out),
            Member.is_bot.is_(False),
            Member.deactivated.is_(False),
        )
        .order_by(Member.user_id)
    ).all()
    return [record(MemberRecord, row) for row in rows]


def forget_user(session: Session, *, workspace_id: str, user_id: str) -> None:
    """Delete the rows that name the user as a manager or member."""
    team_ids = select(Team.id).where(Team.workspace_id == workspace_id)
    schedule_store.forget_next_pulse_of_user(session, workspace_id=workspace_id, user_id=user_id)
    session.execute(delete(Member).where(Member.user_id == user_id, Member.team_id.in_(team_ids)))
    session.execute(
        delete(OptOut).where(OptOut.workspace_id == workspace_id, OptOut.user_id == user_id)
    )
    session.execute(
        delete(Manager).where(Manager.user_id == user_id, Manager.team_id.in_(team_ids))
    )


def set_active(session: Session, team_ids: Collection[int], active: bool) -> None:
    """Whether the schedule opens rounds for these teams (a workspace installed or removed)."""
    if team_ids:
        session.execute(
            update(Team)
            .where(Team.id.in_(list(team_ids)))
            .values(active=active, next_pulse_at=None)
        )


def set_target(session: Session, team_id: int, target: float) -> TeamRecord:
    """The team's own target index; the team as it now is."""
    team = session.get_one(Team, team_id)
    team.target = target
    return record(TeamRecord, team)


def change_settings(
    session: Session,
    team_id: int,
    *,
    pulse: tuple[int, str],
    reminder: tuple[int, str],
    close: tuple[int, str],
    timezone: str,
    questions_per_week: int,
    anonymity_threshold: int,
    digest_channel_id: str | None,
    target: float | None,
) -> TeamRecord:
    """A manager's settings, applied whole: each slot is (weekday, "HH:MM"); the team as it
    now is."""
    team = session.get_one(Team, team_id)
    team.pulse_weekday, team.pulse_time = pulse
    team.reminder_weekday, team.reminder_time = reminder
    team.close_weekday, team.close_time = close
    team.timezone = timezone
    team.questions_per_week = questions_per_week
    team.anonymity_threshold = anonymity_threshold
    team.digest_channel_id = digest_channel_id
    team.target = target
    return record(TeamRecord, team)
