"""When things happen: a team's weekly slots, in each member's own time zone."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from surveys.weeks import Week, week_of

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def zone(name: str | None, fallback: str = "Europe/London") -> ZoneInfo:
    """A time zone by name, falling back when Slack gives none or an unknown one."""
    for candidate in (name, fallback, "UTC"):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def parse_clock(text: str) -> time:
    """HH:MM as a time of day."""
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def slot_in_week(week: Week, *, weekday: int, clock: str, tz: ZoneInfo) -> datetime:
    """The UTC moment of a weekday and local time within a week, in a given zone.

    Local wall-clock time is kept across daylight-saving changes; a time that does not
    exist on a spring-forward day moves to the same wall time after the gap.
    """
    day = week.monday + timedelta(days=weekday)
    local = datetime.combine(day, parse_clock(clock), tzinfo=tz)
    return local.astimezone(UTC)


def next_slot_after(moment: datetime, *, weekday: int, clock: str, tz: ZoneInfo) -> datetime:
    """The first weekday/time slot strictly after a moment."""
    week = week_of(moment.astimezone(tz))
    for offset in range(3):
        slot = slot_in_week(week.shifted(offset), weekday=weekday, clock=clock, tz=tz)
        if slot > moment:
            return slot
    raise AssertionError("a weekly slot always falls within three weeks")


def round_closes_at(
    opened_at: datetime, *, round_days: int, close_weekday: int, close_clock: str, tz: ZoneInfo
) -> datetime:
    """A round closes at the team's close slot, or after ``round_days``, whichever is first.

    The close slot taken is the first one at least a day after opening, so a round opened
    late in the week is not closed within hours.
    """
    latest = opened_at + timedelta(days=round_days)
    slot = next_slot_after(
        opened_at + timedelta(days=1), weekday=close_weekday, clock=close_clock, tz=tz
    )
    return min(latest, slot)


@dataclass(frozen=True)
class PulseWindow:
    """When a week's scheduled round may open: from the earliest member's pulse slot until
    the round would close."""

    opens: datetime
    closes: datetime


def pulse_window(
    week: Week,
    *,
    weekday: int,
    clock: str,
    zones: Iterable[ZoneInfo],
    team_zone: ZoneInfo,
    round_days: int,
    close_weekday: int,
    close_clock: str,
) -> PulseWindow:
    """A week's pulse window; the round opens at the first of its members' local pulse slots."""
    opens = min(slot_in_week(week, weekday=weekday, clock=clock, tz=z) for z in {team_zone, *zones})
    closes = round_closes_at(
        opens,
        round_days=round_days,
        close_weekday=close_weekday,
        close_clock=close_clock,
        tz=team_zone,
    )
    return PulseWindow(opens=opens, closes=closes)


def weeks_in_reach(now: datetime, tz: ZoneInfo) -> tuple[Week, Week]:
    """The weeks whose scheduled round could be due now, oldest first: this week's, and
    last week's, whose window can reach into this one (a Monday close, a Sunday pulse)."""
    this_week = week_of(now.astimezone(tz))
    return this_week.shifted(-1), this_week


def pulse_due(window: PulseWindow, *, now: datetime, schedule_from: datetime) -> bool:
    """Whether a week's scheduled round should open now.

    Only a slot at or after ``schedule_from`` (when the team was set up) counts: a slot that
    passed before the team existed was never owed, so setting a team up sends nothing by
    itself. A slot missed while the bot was down stays due until the round would have
    closed, so a restart sends it once rather than never.
    """
    return schedule_from <= window.opens <= now < window.closes


def reminder_due(
    week: Week,
    *,
    opened_at: datetime,
    closes_at: datetime,
    now: datetime,
    weekday: int,
    clock: str,
    tz: ZoneInfo,
) -> bool:
    """Whether an open round's one reminder is due: its week's reminder slot has come, the
    round opened before it, and the round has not closed."""
    if closes_at <= now:
        return False
    slot = slot_in_week(week, weekday=weekday, clock=clock, tz=tz)
    return opened_at < slot <= now
