"""When a team's partnership review starts by itself: once a quarter, at the team's pulse day
and time in the quarter's first full week (the first ISO week whose Monday is in the
quarter), in the team's time zone.

The quarter a review belongs to is the quarter of its slot in the team's zone, which is not
always the quarter of the UTC moment: 09:00 on Monday 1 January in Auckland is still
31 December in UTC.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from surveys.review import REVIEW_DAYS, parse_quarter, quarter_of
from surveys.schedule import slot_in_week
from surveys.weeks import week_of


def quarter_start(quarter: str) -> date:
    """The first day of a quarter written YYYY-Qn."""
    checked = parse_quarter(quarter)
    year, number = int(checked[:4]), int(checked[-1])
    return date(year, 3 * (number - 1) + 1, 1)


def first_full_week_monday(quarter: str) -> date:
    """The Monday of the quarter's first full week: its first day if that is a Monday,
    else the next Monday."""
    first = quarter_start(quarter)
    return first + timedelta(days=(7 - first.weekday()) % 7)


def review_slot(quarter: str, *, weekday: int, clock: str, tz: ZoneInfo) -> datetime:
    """The UTC moment a quarter's review is due to start: the pulse's weekday and local
    time in the quarter's first full week (daylight saving kept, as for the pulse)."""
    week = week_of(first_full_week_monday(quarter))
    return slot_in_week(week, weekday=weekday, clock=clock, tz=tz)


def local_quarter(now: datetime, tz: ZoneInfo) -> str:
    """The quarter it is now on the team's calendar."""
    return quarter_of(now.astimezone(tz))


def review_due(slot: datetime, *, now: datetime, asked_from: datetime) -> bool:
    """Whether a quarter's scheduled review should start now: its slot has come, no earlier
    than when the manager asked for quarterly reviews, and the review it would have started
    is not yet over (so a bot that was down at the slot starts it when it comes back, once,
    and a week later it is too late)."""
    return asked_from <= slot <= now < slot + timedelta(days=REVIEW_DAYS)
