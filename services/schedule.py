"""What the schedule owes each team right now: rounds to open, reminders to send.

Each is worked out only for the teams and rounds whose stored moment has come (or is not
yet known: `storage.schedule`), so a tick with nothing due reads no team; each team worked
out has its next moment stored again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from services.rounds import RoundInfo, round_infos
from storage import schedule as schedule_store
from storage.database import Database, retrying
from storage.schedule import ReminderCandidate, ScheduledTeam
from surveys.schedule import (
    PulseWindow,
    pulse_due,
    pulse_window,
    slot_in_week,
    weeks_in_reach,
    zone,
)
from surveys.weeks import Week, parse_week

LOOKAHEAD_WEEKS = 3
"""Weeks after this one whose window may be the next: one always is."""


@dataclass(frozen=True)
class DueRound:
    """A team whose scheduled round for a week should open now."""

    channel_id: str
    week: str
    team_id: int = field(default=0, compare=False)
    stored: datetime | None = field(default=None, compare=False)
    """The team's next moment as this tick stored it (the moment this round was due)."""
    then: datetime | None = field(default=None, compare=False)
    """The team's next moment once this round is open; None: the next tick works it out."""


def due_rounds(*, db: Database, now: datetime) -> list[DueRound]:
    """Teams whose pulse time has come this week (in the earliest member's zone).

    The first scheduled round is the first pulse slot after the team was set up. A round
    that was missed while the bot was down is still due until it would have closed, so a
    restart sends it once rather than never, or once per missed tick: a team's stored
    moment stays at that slot until its round exists.
    """
    return retrying(lambda: _due_rounds(db, now))


def _due_rounds(db: Database, now: datetime) -> list[DueRound]:
    due: list[DueRound] = []
    with db.transaction() as session:
        teams = schedule_store.teams_to_check(session, now)
        if not teams:
            return due
        zones = schedule_store.member_zones(session, teams)
        weeks = {team.id: _weeks(team, now) for team in teams}
        taken = schedule_store.weeks_with_rounds(
            session, [team.id for team in teams], {str(w) for ws in weeks.values() for w in ws}
        )
        moments: dict[int, datetime | None] = {}
        for team in teams:
            owed = _owed(team, weeks[team.id], zones[team.id], taken, now)
            moments[team.id] = min((opens for _, opens in owed), default=None)
            now_due = [str(week) for week, opens in owed if opens <= now]
            then = min((opens for _, opens in owed if opens > now), default=None)
            due += [
                DueRound(
                    team.channel_id,
                    week,
                    team.id,
                    stored=moments[team.id],
                    then=then if len(now_due) == 1 else None,
                )
                for week in now_due
            ]
        schedule_store.set_next_pulses(session, moments)
    return due


def _weeks(team: ScheduledTeam, now: datetime) -> list[Week]:
    """The weeks whose scheduled round could be due now or next, oldest first."""
    return list(_weeks_in(team.timezone, now))


@lru_cache(maxsize=256)
def _weeks_in(timezone: str, now: datetime) -> tuple[Week, ...]:
    last, this = weeks_in_reach(now, zone(timezone))
    return (last, this, *(this.shifted(n) for n in range(1, LOOKAHEAD_WEEKS + 1)))


def _owed(
    team: ScheduledTeam,
    weeks: list[Week],
    member_zones: set[str | None],
    taken: set[tuple[int, str]],
    now: datetime,
) -> list[tuple[Week, datetime]]:
    """The weeks without a round whose window has not passed, each with the moment it opens:
    those opening by now are due; the earliest of the others is the team's next moment."""
    zones = tuple(sorted({zone(name, team.timezone).key for name in member_zones}))
    owed = []
    for index, week in enumerate(weeks):
        if (team.id, str(week)) in taken:
            continue
        window = _window(
            week,
            team.pulse_weekday,
            team.pulse_time,
            zones,
            team.timezone,
            team.round_days,
            team.close_weekday,
            team.close_time,
        )
        in_reach = index < 2  # last week's and this week's may be due now
        due_now = in_reach and pulse_due(window, now=now, schedule_from=team.schedule_from)
        if due_now or team.schedule_from <= window.opens > now:
            owed.append((week, window.opens))
    return owed


@lru_cache(maxsize=4096)
def _window(
    week: Week,
    weekday: int,
    clock: str,
    zones: tuple[str, ...],
    team_zone: str,
    round_days: int,
    close_weekday: int,
    close_clock: str,
) -> PulseWindow:
    """A week's pulse window, worked out once for the many teams sharing a schedule."""
    return pulse_window(
        week,
        weekday=weekday,
        clock=clock,
        zones=[zone(name) for name in zones],
        team_zone=zone(team_zone),
        round_days=round_days,
        close_weekday=close_weekday,
        close_clock=close_clock,
    )


def rounds_due_reminder(*, db: Database, now: datetime) -> list[RoundInfo]:
    """Open rounds whose reminder time has come and that have not been reminded."""
    return retrying(lambda: _rounds_due_reminder(db, now))


def _rounds_due_reminder(db: Database, now: datetime) -> list[RoundInfo]:
    with db.transaction() as session:
        due, moments = [], {}
        for candidate in schedule_store.reminder_candidates(session, now):
            remind_at = _remind_at(candidate)
            if remind_at <= now < candidate.closes_at:
                due.append(candidate.round_id)
            elif remind_at != candidate.remind_at:
                moments[candidate.round_id] = remind_at
        schedule_store.set_remind_at(session, moments)
        return round_infos(session, due)


def _remind_at(candidate: ReminderCandidate) -> datetime:
    """When a round's one reminder falls due: its week's reminder slot, if the round opened
    before it; otherwise it owes none, and its close is stored in its place."""
    team = candidate.team
    slot = slot_in_week(
        parse_week(candidate.week),
        weekday=team.reminder_weekday,
        clock=team.reminder_time,
        tz=zone(team.timezone),
    )
    return slot if candidate.opened_at < slot else candidate.closes_at
