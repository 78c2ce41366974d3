"""What the minute's tick reads and keeps about when each team next owes something.

`teams.next_pulse_at` is the earliest moment a team's scheduled round could fall due, or
None for "work it out at the next tick"; `rounds.remind_at` is when an open round's one
reminder falls due. The tick reads only the rows whose moment has come, along an index, so
a tick with nothing due costs the same for one team as for ten thousand. Whatever a moment
depends on (a team's settings, its members and their zones, who opted out, whether it is
active) resets it to None in the same transaction that changes it: `forget_next_pulse`.
They take a session and never commit.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session, attributes

from storage.models import Member, OptOut, Round, Team


@dataclass(frozen=True, slots=True)
class ScheduledTeam:
    """A team as the schedule needs it."""

    id: int
    workspace_id: str
    channel_id: str
    schedule_from: datetime
    pulse_weekday: int
    pulse_time: str
    reminder_weekday: int
    reminder_time: str
    close_weekday: int
    close_time: str
    timezone: str
    round_days: int
    channel_name: str | None
    questions_per_week: int
    anonymity_threshold: int


_TEAM_COLUMNS = (
    Team.id,
    Team.workspace_id,
    Team.channel_id,
    Team.schedule_from,
    Team.pulse_weekday,
    Team.pulse_time,
    Team.reminder_weekday,
    Team.reminder_time,
    Team.close_weekday,
    Team.close_time,
    Team.timezone,
    Team.round_days,
    Team.channel_name,
    Team.questions_per_week,
    Team.anonymity_threshold,
)


def teams_to_check(session: Session, now: datetime) -> list[ScheduledTeam]:
    """Active teams whose next pulse moment has come or is unknown, locked (on PostgreSQL)
    so that a change to one waits until its new moment is written, then resets it. Read in
    the index's order (moment, id): ordered by id alone, SQLite's planner walks every team."""
    found = []
    for due in (Team.next_pulse_at.is_(None), Team.next_pulse_at <= now):
        rows = session.execute(
            select(*_TEAM_COLUMNS)
            .where(due, Team.active.is_(True))
            .order_by(Team.next_pulse_at, Team.id)
            .with_for_update(of=Team)
        )
        found += [_team(row._asdict()) for row in rows]
    return sorted(found, key=lambda team: team.id)


def scheduled_teams(session: Session, team_ids: Collection[int]) -> dict[int, ScheduledTeam]:
    """These teams as the schedule needs them, by id."""
    found = {}
    for chunk in _chunks(sorted(team_ids)):
        rows = session.execute(select(*_TEAM_COLUMNS).where(Team.id.in_(chunk)))
        found.update({row.id: _team(row._asdict()) for row in rows})
    return found


def member_zones(session: Session, teams: Collection[ScheduledTeam]) -> dict[int, set[str | None]]:
    """The time zones of each team's members who would be asked (None: Slack gave none)."""
    zones: dict[int, set[str | None]] = {team.id: set() for team in teams}
    for workspace_id, ids in _by_workspace(teams).items():
        for chunk in _chunks(ids):
            rows = session.execute(
                select(Member.team_id, Member.timezone)
                .where(_surveyable(workspace_id), Member.team_id.in_(chunk))
                .distinct()
            )
            for team_id, timezone in rows:
                zones[team_id].add(timezone)
    return zones


def _surveyable(workspace_id: str) -> ColumnElement[bool]:
    opted_out = select(OptOut.user_id).where(OptOut.workspace_id == workspace_id)
    return (
        Member.in_channel.is_(True)
        & Member.user_id.not_in(opted_out)
        & Member.is_bot.is_(False)
        & Member.deactivated.is_(False)
    )


def weeks_with_rounds(
    session: Session, team_ids: Collection[int], weeks: Collection[str]
) -> set[tuple[int, str]]:
    """Which of these teams already have a round for which of these weeks."""
    found: set[tuple[int, str]] = set()
    for chunk in _chunks(sorted(team_ids)):
        rows = session.execute(
            select(Round.team_id, Round.week).where(
                Round.team_id.in_(chunk), Round.week.in_(sorted(weeks))
            )
        )
        found |= {(team_id, week) for team_id, week in rows}
    return found


def set_next_pulses(session: Session, moments: Mapping[int, datetime | None]) -> None:
    """Record each team's next pulse moment as the tick worked it out."""
    if moments:
        session.execute(
            update(Team),
            [{"id": team_id, "next_pulse_at": moment} for team_id, moment in moments.items()],
        )


def forget_next_pulse(session: Session, team_ids: Iterable[int]) -> None:
    """Something a team's pulse moment depends on changed: the next tick works it out. (On
    the session's connection, without flushing: it runs while a flush is being prepared.)"""
    for chunk in _chunks(sorted(set(team_ids))):
        session.connection().execute(
            update(Team)
            .where(Team.id.in_(chunk), Team.next_pulse_at.is_not(None))
            .values(next_pulse_at=None)
        )


def forget_next_pulse_of_user(session: Session, *, workspace_id: str, user_id: str) -> None:
    """A person's opt-out or presence changed: every team of theirs works it out again."""
    forget_next_pulse(session, _teams_of_user(session, workspace_id=workspace_id, user_id=user_id))


def _teams_of_user(session: Session, *, workspace_id: str, user_id: str) -> list[int]:
    teams = select(Member.team_id).where(Member.user_id == user_id)
    query = select(Team.id).where(Team.workspace_id == workspace_id, Team.id.in_(teams))
    return list(session.connection().scalars(query))


def forget_reminders(session: Session, team_ids: Iterable[int]) -> None:
    """A team's reminder slot changed: its open rounds' reminder moments are worked out again."""
    for chunk in _chunks(sorted(set(team_ids))):
        session.connection().execute(
            update(Round)
            .where(Round.team_id.in_(chunk), Round.closed_at.is_(None))
            .values(remind_at=None)
        )


PULSE_FIELDS = (
    "pulse_weekday",
    "pulse_time",
    "close_weekday",
    "close_time",
    "timezone",
    "round_days",
    "schedule_from",
    "active",
)
REMINDER_FIELDS = ("reminder_weekday", "reminder_time", "timezone")
MEMBER_FIELDS = ("in_channel", "is_bot", "deactivated", "timezone", "team_id", "user_id")


def forget_changed_moments(session: Session, *_: object) -> None:
    """Before a flush: every team whose settings or members change in it works its moments
    out again at the next tick. Listens to every writing session (`storage.database`), so no
    change made through a row can leave a stale moment behind; changes made by statement
    call `forget_next_pulse` themselves."""
    teams: set[int] = set()
    reminders: set[int] = set()
    people: set[tuple[str, str]] = set()
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, Team) and row not in session.new:
            if _changed(row, PULSE_FIELDS):
                row.next_pulse_at = None
            if _changed(row, REMINDER_FIELDS):
                reminders.add(row.id)
        elif isinstance(row, Member):
            if row in session.new or row in session.deleted or _changed(row, MEMBER_FIELDS):
                teams.add(row.team_id)
        elif isinstance(row, OptOut):
            people.add((row.workspace_id, row.user_id))
    for workspace_id, user_id in sorted(people):
        teams |= set(_teams_of_user(session, workspace_id=workspace_id, user_id=user_id))
    forget_next_pulse(session, teams)
    forget_reminders(session, reminders)


def _changed(row: object, fields: Iterable[str]) -> bool:
    return any(attributes.get_history(row, name).has_changes() for name in fields)


@dataclass(frozen=True, slots=True)
class ReminderCandidate:
    """An open, unreminded round whose reminder moment has come or is unknown, with the
    team settings that place it."""

    round_id: int
    week: str
    opened_at: datetime
    closes_at: datetime
    remind_at: datetime | None
    team: ScheduledTeam


def reminder_candidates(session: Session, now: datetime) -> list[ReminderCandidate]:
    """Open, unreminded rounds whose reminder moment has come or is unknown, oldest first;
    each along the partial index of open, unreminded rounds."""
    found = []
    for due in (Round.remind_at.is_(None), Round.remind_at <= now):
        rows = session.execute(
            select(
                Round.id.label("round_id"),
                Round.week,
                Round.opened_at,
                Round.closes_at,
                Round.remind_at,
                *_TEAM_COLUMNS,
            )
            .join(Team, Team.id == Round.team_id)
            .where(Round.closed_at.is_(None), Round.reminded_at.is_(None), due)
        )
        for row in rows:
            values = row._asdict()
            found.append(
                ReminderCandidate(
                    round_id=values["round_id"],
                    week=values["week"],
                    opened_at=values["opened_at"],
                    closes_at=values["closes_at"],
                    remind_at=values["remind_at"],
                    team=_team(values),
                )
            )
    return sorted(found, key=lambda c: (c.opened_at, c.round_id))


def set_remind_at(session: Session, moments: Mapping[int, datetime]) -> None:
    """Record when each open round's reminder falls due."""
    if moments:
        session.execute(
            update(Round),
            [{"id": round_id, "remind_at": moment} for round_id, moment in moments.items()],
        )


def _team(values: dict[str, Any]) -> ScheduledTeam:
    return ScheduledTeam(**{column.key: values[column.key] for column in _TEAM_COLUMNS})


def _by_workspace(teams: Iterable[ScheduledTeam]) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = {}
    for team in teams:
        grouped.setdefault(team.workspace_id, []).append(team.id)
    return grouped


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
