"""Queries about teams, their managers and members. They take a session and never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.models import Manager, Member, OptOut, Team


def team_by_channel(
    session: Session, channel_id: str, workspace_id: str | None = None, *, for_update: bool = False
) -> Team | None:
    """The team a channel is, if it has been set up; within one workspace when it is known
    (a channel shared between workspaces can be a team in each). `for_update` locks its row
    on PostgreSQL, so two callers deciding about its managers take turns."""
    query = select(Team).where(Team.channel_id == channel_id)
    if workspace_id is not None:
        query = query.where(Team.workspace_id == workspace_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query.order_by(Team.id)).first()


def team_by_id(session: Session, team_id: int) -> Team | None:
    """A team by its primary key."""
    return session.get(Team, team_id)


def active_teams(session: Session) -> Sequence[Team]:
    """Every team the schedule looks after."""
    return session.scalars(select(Team).where(Team.active.is_(True)).order_by(Team.id)).all()


def add_team(session: Session, *, workspace_id: str, channel_id: str, now: datetime) -> Team:
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
    return team


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


def teams_of_workspace(session: Session, workspace_id: str) -> Sequence[Team]:
    """Every team set up in a workspace."""
    return session.scalars(
        select(Team).where(Team.workspace_id == workspace_id).order_by(Team.id)
    ).all()


def managed_teams(session: Session, *, workspace_id: str, user_id: str) -> Sequence[Team]:
    """The teams a user manages in a workspace."""
    return session.scalars(
        select(Team)
        .join(Manager, Manager.team_id == Team.id)
        .where(Team.workspace_id == workspace_id, Manager.user_id == user_id)
        .order_by(Team.id)
    ).all()


def member(session: Session, *, team_id: int, user_id: str) -> Member | None:
    """A member row of a team."""
    return session.scalars(
        select(Member).where(Member.team_id == team_id, Member.user_id == user_id)
    ).first()


def teams_of_user(session: Session, *, workspace_id: str, user_id: str) -> Sequence[Team]:
    """The teams whose channel the user is currently in."""
    return session.scalars(
        select(Team)
        .join(Member, Member.team_id == Team.id)
        .where(
            Team.workspace_id == workspace_id,
            Member.user_id == user_id,
            Member.in_channel.is_(True),
        )
        .order_by(Team.id)
    ).all()


def new_member(session: Session, *, team_id: int, user_id: str) -> Member:
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
    row = member(session, team_id=team_id, user_id=user_id)
    if row is None:
        row = new_member(session, team_id=team_id, user_id=user_id)
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
    session.flush()


def is_opted_out(session: Session, *, workspace_id: str, user_id: str) -> bool:
    """Whether the user has paused their prompts."""
    found = session.scalar(
        select(OptOut.id).where(OptOut.workspace_id == workspace_id, OptOut.user_id == user_id)
    )
    return found is not None


def members_of(session: Session, team_id: int) -> Sequence[Member]:
    """Every member row of a team, present or gone."""
    return session.scalars(select(Member).where(Member.team_id == team_id)).all()


def surveyable_members(session: Session, team: Team) -> Sequence[Member]:
    """People to ask: in the channel, not opted out, not bots, not deactivated."""
    opted_out = select(OptOut.user_id).where(OptOut.workspace_id == team.workspace_id)
    return session.scalars(
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


def forget_user(session: Session, *, workspace_id: str, user_id: str) -> None:
    """Delete the rows that name the user as a manager or member."""
    team_ids = select(Team.id).where(Team.workspace_id == workspace_id)
    session.execute(delete(Member).where(Member.user_id == user_id, Member.team_id.in_(team_ids)))
    session.execute(
        delete(OptOut).where(OptOut.workspace_id == workspace_id, OptOut.user_id == user_id)
    )
    session.execute(
        delete(Manager).where(Manager.user_id == user_id, Manager.team_id.in_(team_ids))
    )


def set_active(teams: Sequence[Team], active: bool) -> None:
    """Whether the schedule opens rounds for these teams (a workspace installed or removed)."""
    for team in teams:
        team.active = active


def set_target(team: Team, target: float) -> None:
    """The team's own target index."""
    team.target = target


def change_settings(
    team: Team,
    *,
    pulse: tuple[int, str],
    reminder: tuple[int, str],
    close: tuple[int, str],
    timezone: str,
    questions_per_week: int,
    anonymity_threshold: int,
    digest_channel_id: str | None,
    target: float | None,
) -> None:
    """A manager's settings, applied whole: each slot is (weekday, "HH:MM")."""
    team.pulse_weekday, team.pulse_time = pulse
    team.reminder_weekday, team.reminder_time = reminder
    team.close_weekday, team.close_time = close
    team.timezone = timezone
    team.questions_per_week = questions_per_week
    team.anonymity_threshold = anonymity_threshold
    team.digest_channel_id = digest_channel_id
    team.target = target


def update_member(
    member: Member,
    *,
    in_channel: bool,
    is_bot: bool | None = None,
    deactivated: bool | None = None,
    timezone: str | None = None,
    email_domain: str = "",
    known: bool = False,
    home_team_id: str | None = None,
) -> None:
    """Whether a member is in the channel; with ``known``, what Slack says about them."""
    member.in_channel = in_channel
    if known:
        member.is_bot = bool(is_bot)
        member.deactivated = bool(deactivated)
        member.timezone = timezone
        if home_team_id is not None:
            member.home_team_id = home_team_id
        member.email_domain = email_domain
