"""When things happen: a team's weekly slots, in each member's own time zone."""

from __future__ import annotations

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
