"""The schedule's arithmetic on every weekday, on both sides of each slot, in three time
zones and across daylight-saving changes: setting a team up sends nothing by itself, the
first round opens at the first pulse slot after setup, its one reminder and its close come
at their own slots, and a slot missed while the bot was down is sent once.

Each case replays the schedule's decisions at every moment where one could change (a minute
either side of each slot, and every hour between), against an oracle that walks the local
calendar day by day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from surveys.schedule import (
    WEEKDAYS,
    PulseWindow,
    pulse_due,
    pulse_window,
    reminder_due,
    round_closes_at,
    weeks_in_reach,
)
from surveys.weeks import Week, parse_week, week_of

ZONES = ("Europe/London", "America/New_York", "Pacific/Auckland")

# The Monday of an ordinary week, and of a week whose Sunday changes the clocks, per zone.
WEEKS = {
    "Europe/London": {"ordinary": date(2026, 11, 16), "dst": date(2027, 3, 22)},
    "America/New_York": {"ordinary": date(2026, 11, 16), "dst": date(2027, 3, 8)},
    "Pacific/Auckland": {"ordinary": date(2026, 11, 16), "dst": date(2027, 3, 29)},
}


@dataclass(frozen=True)
class Slots:
    """A team's weekly slots (weekday, local HH:MM) and how long a round may stay open."""

    name: str
    pulse: tuple[int, str]
    reminder: tuple[int, str]
    close: tuple[int, str]
    round_days: int = 6

    def clocks(self) -> list[str]:
        return sorted({self.pulse[1], self.reminder[1], self.close[1]})


SCHEDULES = (
    # The default: Tuesday's pulse, Thursday's reminder, Monday's close.
    Slots("default", pulse=(1, "10:00"), reminder=(3, "10:00"), close=(0, "09:00")),
    # A Sunday pulse in the small hours, when the clocks change.
    Slots("sunday-night", pulse=(6, "02:30"), reminder=(1, "17:00"), close=(4, "16:00")),
)


def _side_times(slots: Slots) -> list[str]:
    """A minute before and a minute after each of the team's slot times of day."""
    result = []
    for clock in slots.clocks():
        at = datetime.combine(date(2000, 1, 3), time.fromisoformat(clock))
        for delta in (-1, 1):
            result.append((at + timedelta(minutes=delta)).strftime("%H:%M"))
    return result


def _local(day: date, clock: str, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=tz).astimezone(UTC)


def _next_local_slot(after: datetime, weekday: int, clock: str, tz: ZoneInfo) -> datetime:
    """The oracle: the first local weekday/clock at or after a moment, walking day by day."""
    day = after.astimezone(tz).date() - timedelta(days=1)
    for _ in range(16):
        if day.weekday() == weekday and _local(day, clock, tz) >= after:
            return _local(day, clock, tz)
        day += timedelta(days=1)
    raise AssertionError("no slot within two weeks")


@dataclass
class Replay:
    """What the schedule did, moment by moment, for one team in one zone."""

    opened: list[tuple[str, datetime]]
    reminded: list[tuple[str, datetime]]
    closed: list[tuple[str, datetime]]


def _window(week: Week, slots: Slots, tz: ZoneInfo) -> PulseWindow:
    return pulse_window(
        week,
        weekday=slots.pulse[0],
        clock=slots.pulse[1],
        zones=[tz],
        team_zone=tz,
        round_days=slots.round_days,
        close_weekday=slots.close[0],
        close_clock=slots.close[1],
    )


def _replay(slots: Slots, tz: ZoneInfo, schedule_from: datetime, moments: list[datetime]) -> Replay:
    """Run the schedule's decisions at each moment in turn, as the minute tick does."""
    rounds: dict[str, tuple[datetime, datetime]] = {}
    replay = Replay([], [], [])
    reminded: set[str] = set()
    closed: set[str] = set()
    for now in moments:
        for week in weeks_in_reach(now, tz):
            if str(week) in rounds or not pulse_due(
                _window(week, slots, tz), now=now, schedule_from=schedule_from
            ):
                continue
            closes = round_closes_at(
                now,
                round_days=slots.round_days,
                close_weekday=slots.close[0],
                close_clock=slots.close[1],
                tz=tz,
            )
            rounds[str(week)] = (now, closes)
            replay.opened.append((str(week), now))
        for name, (opened_at, closes_at) in rounds.items():
            if name in closed:
                continue
            if name not in reminded and reminder_due(
                parse_week(name),
                opened_at=opened_at,
                closes_at=closes_at,
                now=now,
                weekday=slots.reminder[0],
                clock=slots.reminder[1],
                tz=tz,
            ):
                reminded.add(name)
                replay.reminded.append((name, now))
            if closes_at <= now:
                closed.add(name)
                replay.closed.append((name, now))
    return replay


def _moments(start: datetime, slots: Slots, tz: ZoneInfo, days: int = 16) -> list[datetime]:
    """Every moment a decision could change from ``start`` on: each hour, and a minute
    either side of (and at) every slot time of every local day."""
    found = {start}
    hour = start.replace(minute=0, second=0, microsecond=0)
    for step in range(days * 24):
        found.add(hour + timedelta(hours=step))
    first_day = start.astimezone(tz).date()
    for offset in range(-1, days + 1):
        for clock in slots.clocks():
            at = _local(first_day + timedelta(days=offset), clock, tz)
            for delta in (-1, 0, 1):
                found.add(at + timedelta(minutes=delta))
    return sorted(m for m in found if m >= start)


CASES = [
    pytest.param(
        slots,
        zone_name,
        kind,
        weekday,
        side,
        id=f"{slots.name}-{zone_name}-{kind}-{WEEKDAYS[weekday]}-{side}",
    )
    for slots in SCHEDULES
    for zone_name in ZONES
    for kind in ("ordinary", "dst")
    for weekday in range(7)
    for side in _side_times(slots)
]


@pytest.mark.parametrize(("slots", "zone_name", "kind", "weekday", "side"), CASES)
def test_setup_opens_nothing_until_the_first_pulse_slot_after_it(
    slots: Slots, zone_name: str, kind: str, weekday: int, side: str
) -> None:
    tz = ZoneInfo(zone_name)
    setup = _local(WEEKS[zone_name][kind] + timedelta(days=weekday), side, tz)
    replay = _replay(slots, tz, setup, _moments(setup, slots, tz))

    first_slot = _next_local_slot(setup, *slots.pulse, tz)
    assert replay.opened, "no round opened within two weeks of setup"
    week, opened_at = replay.opened[0]
    assert opened_at == first_slot
    assert opened_at > setup
    assert week == str(week_of(first_slot.astimezone(tz)))
    wall = opened_at.astimezone(tz).strftime("%H:%M")
    assert wall == slots.pulse[1] or _skipped(opened_at.astimezone(tz).date(), slots.pulse[1], tz)

    closes_at = min(
        opened_at + timedelta(days=slots.round_days),
        _next_local_slot(opened_at + timedelta(days=1), *slots.close, tz),
    )
    first_close = [at for name, at in replay.closed if name == week]
    assert first_close == [closes_at]

    reminder_slot = _local(
        week_of(opened_at.astimezone(tz).date()).monday + timedelta(days=slots.reminder[0]),
        slots.reminder[1],
        tz,
    )
    reminders = [at for name, at in replay.reminded if name == week]
    expected = [reminder_slot] if opened_at < reminder_slot < closes_at else []
    assert reminders == expected
    assert all(at >= opened_at for _, at in replay.reminded)


def _skipped(day: date, clock: str, tz: ZoneInfo) -> bool:
    """Whether a local wall time never happened that day (the clocks sprang over it)."""
    return _local(day, clock, tz).astimezone(tz).strftime("%H:%M") != clock


@pytest.mark.parametrize("zone_name", ZONES)
@pytest.mark.parametrize("hours_down", [1, 5, 30, 100])
@pytest.mark.parametrize("slots", SCHEDULES, ids=[s.name for s in SCHEDULES])
def test_a_slot_missed_while_the_bot_was_down_is_sent_once_when_it_returns(
    slots: Slots, zone_name: str, hours_down: int
) -> None:
    tz = ZoneInfo(zone_name)
    setup = _local(WEEKS[zone_name]["dst"], "08:00", tz)  # the Monday
    first_slot = _next_local_slot(setup, *slots.pulse, tz)
    back = first_slot + timedelta(hours=hours_down)
    replay = _replay(slots, tz, setup, [setup, *_moments(back, slots, tz, days=3)])
    window = _window(week_of(first_slot.astimezone(tz)), slots, tz)
    week = str(week_of(first_slot.astimezone(tz)))
    opened = [at for name, at in replay.opened if name == week]
    assert opened == ([back] if back < window.closes else [])


def test_the_round_opens_at_the_first_of_its_members_own_slots() -> None:
    london, auckland = ZoneInfo("Europe/London"), ZoneInfo("Pacific/Auckland")
    week = Week(2027, 13)  # London's clocks went forward on Sunday 28 March
    window = pulse_window(
        week,
        weekday=1,
        clock="10:00",
        zones=[auckland],
        team_zone=london,
        round_days=6,
        close_weekday=0,
        close_clock="09:00",
    )
    assert window.opens == datetime(2027, 3, 29, 21, 0, tzinfo=UTC)  # Tue 10:00 NZDT
    assert window.closes == window.opens + timedelta(days=6)  # before Mon 09:00 BST
    before = window.opens - timedelta(minutes=1)
    assert not pulse_due(window, now=window.opens, schedule_from=window.opens + timedelta(1))
    assert not pulse_due(window, now=before, schedule_from=before)
    assert pulse_due(window, now=window.opens, schedule_from=before)
