"""The tick benchmark's database: many teams, each in one of a few schedule groups, written
in bulk in the state the schedule would have left it in on a Tuesday morning.

Every team is in Europe/London (on UTC in December) with twenty members. Most teams (the
background) opened this week's round on Monday and owe nothing until Friday; the others are
there so that, one moment after another, exactly one team or exactly ``group`` teams fall
due for a pulse, a reminder or a close. Earlier weeks' rounds are closed, their digests out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import text

from bench.databases import migrated
from bench.history import _Writer
from bench.slack import MANAGER
from standin import DEFAULT_TEAM_ID
from storage.models import Manager, Round, Team
from surveys.rotation import behaviours_for_week
from surveys.schedule import round_closes_at, slot_in_week, zone
from surveys.weeks import Week, parse_week

WEEK = "2025-W50"
"""The week the benchmark's ticks fall in (Monday 8 December 2025)."""
ZONE = "Europe/London"
HISTORY_WEEKS = 2
"""Closed rounds per team before this week."""


@dataclass(frozen=True)
class Group:
    """Teams sharing a schedule: (weekday, HH:MM) slots, and what this week holds for them."""

    name: str
    pulse: tuple[int, str]
    reminder: tuple[int, str]
    close: tuple[int, str]
    round_days: int
    open_this_week: bool
    answered: int = 0
    """Members of this week's round who have answered (the rest are owed a reminder)."""
    sent: int | None = None
    """Members whose prompt was sent this week (the rest were refused by Slack); all if None."""


BACKGROUND = Group("background", (0, "09:00"), (4, "15:00"), (0, "08:00"), 6, True)
PULSE_ONE = Group("pulse-one", (1, "10:00"), (4, "15:00"), (0, "08:00"), 6, False)
PULSE_MANY = Group("pulse-many", (1, "11:00"), (4, "15:00"), (0, "08:00"), 6, False)
REMIND_ONE = Group("remind-one", (0, "09:00"), (2, "10:00"), (0, "08:00"), 6, True, answered=-1)
REMIND_MANY = Group("remind-many", (0, "09:00"), (2, "11:00"), (0, "08:00"), 6, True, answered=-1)
CLOSE_ONE = Group("close-one", (0, "10:00"), (4, "15:00"), (3, "10:00"), 6, True, sent=2)
CLOSE_MANY = Group("close-many", (0, "11:00"), (4, "15:00"), (3, "11:00"), 6, True, sent=2)


def monday() -> datetime:
    """Midnight UTC at the start of the benchmark's week."""
    start: date = parse_week(WEEK).monday
    return datetime.combine(start, time(0), UTC)


def moment(day: int, clock: str) -> datetime:
    """A moment of the benchmark's week: weekday (Monday 0) and HH:MM, London (= UTC) time."""
    hours, minutes = clock.split(":")
    return monday() + timedelta(days=day, hours=int(hours), minutes=int(minutes))


@dataclass(frozen=True)
class Layout:
    """Which team numbers (from 1) are in which group."""

    teams: int
    members: int
    group: int
    singles: int = 1
    """Teams in each one-team group (none where only the many teams' ticks are run)."""

    def groups(self) -> Iterator[tuple[Group, range]]:
        """Each group and its team numbers; the background takes what is left."""
        start = 1
        for group, size in (
            (PULSE_ONE, self.singles),
            (PULSE_MANY, self.group),
            (REMIND_ONE, self.singles),
            (REMIND_MANY, self.group),
            (CLOSE_ONE, self.singles),
            (CLOSE_MANY, self.group),
        ):
            yield group, range(start, start + size)
            start += size
        yield BACKGROUND, range(start, self.teams + 1)

    def teams_of(self, group: Group) -> range:
        """The team numbers of a group."""
        return next(numbers for g, numbers in self.groups() if g == group)

    def members_of(self, team: int) -> list[str]:
        """A team's members: people of no other team."""
        first = (team - 1) * self.members
        return [f"U{first + j + 1:08d}" for j in range(self.members)]


def channel_of(team: int) -> str:
    """The channel of team ``team``."""
    return f"C{team:07d}T"


def _team_row(team: int, group: Group, created: datetime) -> dict[str, Any]:
    return {
        "id": team,
        "workspace_id": DEFAULT_TEAM_ID,
        "channel_id": channel_of(team),
        "channel_name": f"team-{team}",
        "created_at": created,
        "schedule_from": created,
        "questions_per_week": 3,
        "anonymity_threshold": 5,
        "pulse_weekday": group.pulse[0],
        "pulse_time": group.pulse[1],
        "reminder_weekday": group.reminder[0],
        "reminder_time": group.reminder[1],
        "close_weekday": group.close[0],
        "close_time": group.close[1],
        "timezone": ZONE,
        "round_days": group.round_days,
        "active": True,
    }


def _opened_closes(group: Group, week: Week) -> tuple[datetime, datetime]:
    tz = zone(ZONE)
    opened = slot_in_week(week, weekday=group.pulse[0], clock=group.pulse[1], tz=tz)
    closes = round_closes_at(
        opened,
        round_days=group.round_days,
        close_weekday=group.close[0],
        close_clock=group.close[1],
        tz=tz,
    )
    return opened, closes


class _Ids:
    """Explicit ids, so prompts and answers can point at the rows written before them."""

    def __init__(self) -> None:
        self.round = 0
        self.prompt = 0

    def next_round(self) -> int:
        self.round += 1
        return self.round

    def next_prompt(self) -> int:
        self.prompt += 1
        return self.prompt


def write_tick_database(url: str, layout: Layout) -> None:
    """Create the schema with the migrations and write every team in bulk."""
    db = migrated(url)
    this_week = parse_week(WEEK)
    created = monday() - timedelta(weeks=HISTORY_WEEKS + 1)
    ids = _Ids()
    with db.engine.begin() as connection:
        writer = _Writer(connection)
        for group, numbers in layout.groups():
            for chunk in _chunks(numbers, 500):
                _write_teams(writer, layout, group, chunk, this_week, created, ids)
        if writer.postgres:
            for table in ("teams", "rounds", "prompts", "members", "managers"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT coalesce(max(id), 1) FROM {table}))"
                    )
                )
    if db.is_postgresql:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    db.dispose()


def _chunks(numbers: range, size: int) -> Iterator[range]:
    for start in range(numbers.start, numbers.stop, size):
        yield range(start, min(start + size, numbers.stop))


def _write_teams(
    writer: _Writer,
    layout: Layout,
    group: Group,
    numbers: range,
    this_week: Week,
    created: datetime,
    ids: _Ids,
) -> None:
    writer.small(Team, [_team_row(n, group, created) for n in numbers])
    writer.small(Manager, [{"team_id": n, "user_id": MANAGER} for n in numbers])
    members: list[tuple[Any, ...]] = []
    rounds: list[dict[str, Any]] = []
    prompts: list[tuple[Any, ...]] = []
    answers: list[tuple[Any, ...]] = []
    for n in numbers:
        people = layout.members_of(n)
        members += [(n, user, True, False, False, ZONE) for user in people]
        for back in range(HISTORY_WEEKS, 0, -1):
            week = this_week.shifted(-back)
            opened, closes = _opened_closes(group, week)
            rounds.append(_round_row(ids.next_round(), n, week, opened, closes, closed=True))
        if not group.open_this_week:
            continue
        opened, closes = _opened_closes(group, this_week)
        round_id = ids.next_round()
        rounds.append(_round_row(round_id, n, this_week, opened, closes, closed=False))
        sent = len(people) if group.sent is None else group.sent
        answered = len(people) - 1 if group.answered < 0 else group.answered
        stamp = writer.stamp(opened)
        for j, user in enumerate(people):
            prompt_id = ids.next_prompt()
            state = "sent" if j < sent else "skipped"
            ts = f"{n}.{j:06d}" if j < sent else None
            channel = "D" + user[1:] if j < sent else None
            prompts.append((prompt_id, round_id, user, state, stamp, channel, ts, stamp))
            if j < answered:
                answers.append((prompt_id, rounds[-1]["behaviour_ids"][0], 4))
    writer.big(
        "members",
        ("team_id", "user_id", "in_channel", "is_bot", "deactivated", "timezone"),
        members,
    )
    writer.small(Round, rounds)
    writer.big(
        "prompts",
        ("id", "round_id", "user_id", "state", "due_at", "channel_id", "message_ts", "sent_at"),
        prompts,
    )
    writer.big("pending_answers", ("prompt_id", "behaviour_id", "point"), answers)


def _round_row(
    round_id: int, team: int, week: Week, opened: datetime, closes: datetime, *, closed: bool
) -> dict[str, Any]:
    return {
        "id": round_id,
        "team_id": team,
        "week": str(week),
        "behaviour_ids": list(behaviours_for_week(week, seed=channel_of(team))),
        "opened_at": opened,
        "closes_at": closes,
        "closed_at": closes if closed else None,
        "invited": 20,
        "reminded_at": None,
        "digest_posted_at": closes if closed else None,
    }
