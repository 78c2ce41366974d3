"""What the schedule owes each team right now: rounds to open, reminders to send."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.rounds import RoundInfo, round_info
from storage import rounds as round_store
from storage import teams as team_store
from storage.database import Database
from surveys.schedule import round_closes_at, slot_in_week, zone
from surveys.weeks import parse_week, week_of


@dataclass(frozen=True)
class DueRound:
    """A team whose scheduled round for a week should open now."""

    channel_id: str
    week: str


def due_rounds(*, db: Database, now: datetime) -> list[DueRound]:
    """Teams whose pulse time has come this week (in the earliest member's zone).

    A round that was missed while the bot was down is still due until the week's close
    slot, so a restart sends it once rather than never, or once per missed tick.
    """
    due = []
    with db.transaction() as session:
        for team in team_store.active_teams(session):
            team_zone = zone(team.timezone)
            week = week_of(now.astimezone(team_zone))
            if round_store.round_for_week(session, team_id=team.id, week=str(week)):
                continue
            zones = {
                zone(m.timezone, team.timezone)
                for m in team_store.surveyable_members(session, team)
            }
            zones.add(team_zone)
            first = min(
                slot_in_week(week, weekday=team.pulse_weekday, clock=team.pulse_time, tz=z)
                for z in zones
            )
            closes = round_closes_at(
                first,
                round_days=team.round_days,
                close_weekday=team.close_weekday,
                close_clock=team.close_time,
                tz=team_zone,
            )
            if first <= now < closes:
                due.append(DueRound(channel_id=team.channel_id, week=str(week)))
    return due


def rounds_due_reminder(*, db: Database, now: datetime) -> list[RoundInfo]:
    """Open rounds whose reminder time has come and that have not been reminded."""
    result = []
    with db.transaction() as session:
        for round_ in round_store.open_rounds(session):
            if round_.reminded_at is not None or round_.closes_at <= now:
                continue
            team = team_store.team_by_id(session, round_.team_id)
            assert team is not None
            slot = slot_in_week(
                parse_week(round_.week),
                weekday=team.reminder_weekday,
                clock=team.reminder_time,
                tz=zone(team.timezone),
            )
            if round_.opened_at < slot <= now:
                result.append(round_info(round_, team))
    return result
