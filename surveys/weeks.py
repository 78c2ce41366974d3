"""ISO weeks as the survey's periods: parsing, formatting and counting them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

_WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")
_EPOCH_MONDAY = date(2000, 1, 3)  # Monday of 2000-W01: a fixed origin for counting weeks


class BadWeek(ValueError):
    """A week that is not written YYYY-Www or does not exist."""


@dataclass(frozen=True, order=True)
class Week:
    """An ISO week such as 2026-W47."""

    year: int
    number: int

    def __str__(self) -> str:
        return f"{self.year:04d}-W{self.number:02d}"

    @property
    def monday(self) -> date:
        """The first day of the week."""
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def ordinal(self) -> int:
        """Weeks since a fixed origin, so rotation cycles smoothly across years."""
        return (self.monday - _EPOCH_MONDAY).days // 7

    def shifted(self, weeks: int) -> Week:
        """The week ``weeks`` later (or earlier when negative)."""
        return week_of(self.monday + timedelta(weeks=weeks))


def parse_week(text: str) -> Week:
    """Parse YYYY-Www, refusing weeks that do not exist (such as 2026-W54)."""
    match = _WEEK_PATTERN.match(text.strip())
    if not match:
        raise BadWeek(f"{text!r} is not a week: write it as YYYY-Www, e.g. 2026-W47.")
    year, number = int(match.group(1)), int(match.group(2))
    try:
        date.fromisocalendar(year, number, 1)
    except ValueError:
        raise BadWeek(f"{text} does not exist: {year} has no week {number}.") from None
    return Week(year, number)


@lru_cache(maxsize=4096)
def week_ordinal(text: str) -> int:
    """A week's ordinal from its text; a digest run asks for the same few weeks thousands of
    times."""
    return parse_week(text).ordinal


def week_of(day: date | datetime) -> Week:
    """The ISO week a day falls in."""
    iso = day.isocalendar()
    return Week(iso.year, iso.week)


def week_words(text: str) -> str:
    """A week as a reader says it, "week of 30 Nov", from its ISO name (2026-W49): people
    do not count weeks; the JSON and the CLI keep the ISO name."""
    return f"week of {day_month(parse_week(text).monday)}"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_month(day: date) -> str:
    """A day as "30 Nov", the same in every locale the process may run under."""
    return f"{day.day} {_MONTHS[day.month - 1]}"
