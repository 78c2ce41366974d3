"""Setting a team up sends nothing by itself, whatever the day and hour: through the
schedule's services on both databases (members in three time zones, an ordinary week and
one with a daylight-saving change), and through `/pulse setup` and the minute tick."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from jobs.tick import run_tick
from services import rounds as round_service
from services import schedule as schedule_service
from services import teams as team_service
from services.schedule import DueRound
from storage.database import Database
from surveys.schedule import WEEKDAYS
from surveys.weeks import week_of
from tests.pulse_flow import SURVEYED, setup_team
from tests.support import MEMBERS, RunningBot

LONDON = ZoneInfo("Europe/London")  # every team's own zone until its settings change
ZONES = ("Europe/London", "America/New_York", "Pacific/Auckland")
MONDAYS = {"ordinary": date(2026, 11, 16), "dst": date(2027, 3, 22)}  # London: Sun 28 Mar
CHANNEL = "C0SCHED01"


def _at(day: date, clock: str, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=tz).astimezone(UTC)


def _first_window_after(setup: datetime, member_zone: ZoneInfo) -> datetime:
    """The oracle: the first week whose earliest Tuesday 10:00 (the team's or the member's)
    is at or after setup."""
    week = week_of(setup.astimezone(LONDON)).shifted(-1)
    for _ in range(4):
        tuesday = week.monday + timedelta(days=1)
        opens = min(_at(tuesday, "10:00", LONDON), _at(tuesday, "10:00", member_zone))
        if opens >= setup:
            return opens
        week = week.shifted(1)
    raise AssertionError("no pulse within three weeks")


@pytest.mark.parametrize("clock", ["09:59", "10:01"])
@pytest.mark.parametrize("weekday", range(7), ids=WEEKDAYS)
@pytest.mark.parametrize("kind", sorted(MONDAYS))
@pytest.mark.parametrize("zone_name", ZONES)
def test_a_new_team_is_due_nothing_until_its_first_pulse_then_reminded_and_closed_on_time(
    db: Database, zone_name: str, kind: str, weekday: int, clock: str
) -> None:
    member_zone = ZoneInfo(zone_name)
    setup = _at(MONDAYS[kind] + timedelta(days=weekday), clock, member_zone)
    team = team_service.setup_team(
        db=db, workspace_id="T0", channel_id=CHANNEL, user_id="U0BOSS", now=setup
    ).team
    team_service.sync_members(
        db=db,
        team_id=team.id,
        present=["U0BOSS", "U0FAR"],
        details=[
            team_service.MemberInfo("U0BOSS", False, False, "Europe/London"),
            team_service.MemberInfo("U0FAR", False, False, zone_name),
        ],
    )
    opens = _first_window_after(setup, member_zone)
    week = str(week_of(opens.astimezone(LONDON)))

    before = (setup, setup + timedelta(minutes=1), opens - timedelta(minutes=1))
    for moment in [m for m in before if m < opens]:
        assert schedule_service.due_rounds(db=db, now=moment) == []
    assert schedule_service.due_rounds(db=db, now=opens) == [DueRound(CHANNEL, week)]

    round_ = round_service.open_round(
        db=db, channel_id=CHANNEL, week=week, now=opens, scheduled=True
    )
    reminder = _at(week_of(opens.astimezone(LONDON)).monday + timedelta(days=3), "10:00", LONDON)
    assert schedule_service.rounds_due_reminder(db=db, now=reminder - timedelta(minutes=1)) == []
    assert [r.id for r in schedule_service.rounds_due_reminder(db=db, now=reminder)] == [round_.id]

    closes = round_.closes_at
    assert closes == min(
        opens + timedelta(days=6),
        _at(week_of(opens.astimezone(LONDON)).monday + timedelta(days=7), "09:00", LONDON),
    )
    assert round_service.close_due_rounds(db=db, now=closes - timedelta(minutes=1)) == []
    assert [r.id for r in round_service.close_due_rounds(db=db, now=closes)] == [round_.id]
    assert schedule_service.due_rounds(db=db, now=closes) == []


MONDAY_W47 = datetime(2026, 11, 16, tzinfo=UTC)  # London is on UTC in November
NEXT_PULSES = {  # the first Tuesday 10:00 London after a setup at 10:01 on each weekday
    0: MONDAY_W47 + timedelta(days=1, hours=10),
    **{day: MONDAY_W47 + timedelta(days=8, hours=10) for day in range(1, 7)},
}


def _prompts(running: RunningBot) -> int:
    return sum(1 for user in SURVEYED for m in running.slack.dms_to(user) if "pulse for" in m.text)


@pytest.mark.parametrize("weekday", range(7), ids=WEEKDAYS)
def test_pulse_setup_sends_nothing_until_the_next_pulse_time(
    running: RunningBot, weekday: int
) -> None:
    setup = MONDAY_W47 + timedelta(days=weekday, hours=10, minutes=1)
    running.clock.set(setup)
    setup_team(running)
    first = NEXT_PULSES[weekday]
    moment = setup
    while moment < first:
        running.clock.set(moment)
        run_tick(running.bot.outbound)
        moment += (
            timedelta(hours=1) if moment > setup + timedelta(minutes=5) else timedelta(minutes=1)
        )
    running.clock.set(first - timedelta(minutes=1))
    run_tick(running.bot.outbound)
    assert _prompts(running) == 0
    assert running.slack.calls_to("chat.postMessage") == []

    running.clock.set(first)
    run_tick(running.bot.outbound)
    london = [u for i, u in enumerate(MEMBERS) if i % 2]
    assert all(
        len([m for m in running.slack.dms_to(u) if "pulse for" in m.text]) == 1 for u in london
    )
