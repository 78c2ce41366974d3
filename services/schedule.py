"""What the schedule owes each team right now: rounds to open, reminders to send."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.rounds import RoundInfo, round_info
from storage import rounds as round_store
from storage import teams as team_store
from storage.database import Database
from surveys.schedule import pulse_due, pulse_window, reminder_due, weeks_in_reach, zone
from surveys.weeks import parse_week


@dataclass(frozen=True)
class DueRound:
    """A team whose scheduled round for a week should open now."""

    channel_id: str
    week: str


def due_rounds(*, db: Database, now: datetime) -> list[DueRound]:
    """Teams whose pulse time has come this week (in the earliest member's zone).

    The first scheduled round is the first pulse slot after the team was set up. A round
    that was missed while the bot was down is still due until it would have closed, so a
    restart sends it once rather than never, or once per missed tick.
    """
    due = []
    with db.transaction() as session:
        for team in team_store.active_teams(session):
            team_zone = zone(team.timezone)
            zones = [
                zone(m.timezone, team.timezone)
                for m in team_store.surveyable_members(session, team)
            ]
            for week in weeks_in_reach(now, team_zone):
                if round_store.round_for_week(session, team_id=team.id, week=str(week)):
                    continue
                window = pulse_window(
                    week,
                    weekday=team.pulse_weekday,
                    clock=team.pulse_time,
                    zones=zones,
                    team_zone=team_zone,
                    round_days=team.round_days,
                    close_weekday=team.close_weekday,
                    close_clock=team.close_time,
                )
                if pulse_due(window, now=now, schedule_from=team.schedule_from):
                    due.append(DueRound(channel_id=team.channel_id, week=str(week)))
    return due


def rounds_due_reminder(*, db: Database, now: datetime) -> list[RoundInfo]:
    """Open rounds whose reminder time has come and that have not been reminded."""
    result = []
    with db.transaction() as session:
        for round_ in round_store.open_rounds(session):
            if round_.reminded_at is not None:
                continue
            team = team_store.team_by_id(session, round_.team_id)
            assert team is not None
            if reminder_due(
                parse_week(round_.week),
                opened_at=round_.opened_at,
                closes_at=round_.closes_at,
                now=now,
                weekday=team.reminder_weekday,
                clock=team.reminder_time,
                tz=zone(team.timezone),
            ):
                result.append(round_info(round_, team))
    return result
