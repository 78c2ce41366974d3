"""A year of history for many teams, written with bulk SQL rather than through the bot.

Every team has its members, a manager, one closed round a week with the behaviours the
rotation gives that week, a prompt per member per round (sent, as the outbox leaves them),
and the unlinked answers of every member to every question. One more team has five years of
weekly history. SQLite is filled with executemany, PostgreSQL with COPY.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from time import perf_counter
from typing import Any

from sqlalchemy import Connection, insert, text

from bench.core import Run
from bench.databases import migrated, postgres_database, sqlite_url
from bench.slack import MANAGER, user_ids
from standin import DEFAULT_TEAM_ID
from storage.models import Manager, Member, Prompt, Round, Team
from surveys.rotation import behaviours_for_week
from surveys.weeks import Week, parse_week

LAST_WEEK = "2025-W50"
LONG_TEAM = "C0FIVEYEARS"
SKIPPED = 0.05
"""Share of answers that are "didn't come up"."""


@dataclass(frozen=True)
class Shape:
    """How much history to write."""

    teams: int
    weeks: int
    members: int
    people: int
    long_weeks: int

    @property
    def answers(self) -> int:
        """Answers of the many teams (the five-year team comes on top)."""
        return self.teams * self.weeks * self.members * 3


@dataclass(frozen=True)
class History:
    """What was written, for the benchmarks to point at."""

    url: str
    shape: Shape
    week: str
    long_week: str
    channels: tuple[str, ...]
    long_rows: int
    rows: int


def team_channel(number: int) -> str:
    """The channel of history team ``number`` (from 1)."""
    return f"C{number:07d}H"


def _weeks(last: Week, count: int) -> list[Week]:
    return [last.shifted(offset) for offset in range(1 - count, 1)]


@dataclass(frozen=True)
class _Round:
    id: int
    team_id: int
    week: Week
    behaviours: tuple[str, ...]

    @property
    def opened(self) -> datetime:
        return datetime.combine(self.week.monday + timedelta(days=1), time(10), UTC)

    @property
    def closes(self) -> datetime:
        return datetime.combine(self.week.monday + timedelta(days=7), time(9), UTC)


class _Writer:
    """Bulk inserts for one database: Core executemany for small tables, the fastest path
    the driver offers for prompts and answers."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect
        self.postgres = self.dialect.name == "postgresql"
        column = Prompt.__table__.c.due_at
        self._stamp = column.type.dialect_impl(self.dialect).bind_processor(self.dialect)

    def small(self, model: Any, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.connection.execute(insert(model), rows)

    def big(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.postgres:
            raw = self.connection.connection.driver_connection
            assert raw is not None
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" for _ in columns)
        self.connection.exec_driver_sql(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows
        )

    def stamp(self, moment: datetime) -> Any:
        """A timestamp as this driver takes it in bulk."""
        if self.postgres or self._stamp is None:
            return moment
        return self._stamp(moment)


def _team_rows(team_id: int, channel: str, created: datetime) -> dict[str, Any]:
    return {
        "id": team_id,
        "workspace_id": DEFAULT_TEAM_ID,
        "channel_id": channel,
        "created_at": created,
        "questions_per_week": 3,
        "anonymity_threshold": 5,
        "pulse_weekday": 1,
        "pulse_time": "10:00",
        "reminder_weekday": 3,
        "reminder_time": "10:00",
        "close_weekday": 0,
        "close_time": "09:00",
        "timezone": "Europe/London",
        "round_days": 6,
        "active": True,
    }


def _points(rng: random.Random, lean: float, count: int) -> Iterator[int | None]:
    """Points 1..5 around a team's lean for the week, with some "didn't come up"."""
    for _ in range(count):
        if rng.random() < SKIPPED:
            yield None
        else:
            yield min(5, max(1, round(rng.gauss(3 + lean, 1.1))))


def _write_team(
    writer: _Writer,
    rng: random.Random,
    *,
    team_id: int,
    first_round_id: int,
    channel: str,
    weeks: list[Week],
    members: list[str],
    answers_too: bool = True,
) -> int:
    """One team's rows; returns how many answers were written."""
    writer.small(
        Team, [_team_rows(team_id, channel, datetime.combine(weeks[0].monday, time(9), UTC))]
    )
    writer.small(Manager, [{"team_id": team_id, "user_id": MANAGER}])
    writer.small(
        Member,
        [
            {
                "team_id": team_id,
                "user_id": user,
                "in_channel": True,
                "is_bot": False,
                "deactivated": False,
                "timezone": "Europe/London",
            }
            for user in (MANAGER, *members)
        ],
    )
    rounds = [
        _Round(first_round_id + i, team_id, week, behaviours_for_week(week, seed=channel))
        for i, week in enumerate(weeks)
    ]
    writer.small(
        Round,
        [
            {
                "id": r.id,
                "team_id": team_id,
                "week": str(r.week),
                "behaviour_ids": list(r.behaviours),
                "opened_at": r.opened,
                "closes_at": r.closes,
                "closed_at": r.closes,
                "invited": len(members),
                "reminded_at": r.opened + timedelta(days=2),
                "digest_posted_at": r.closes,
            }
            for r in rounds
        ],
    )
    prompts: list[tuple[Any, ...]] = []
    answers: list[tuple[Any, ...]] = []
    drift = rng.uniform(-0.02, 0.02)
    start = rng.uniform(-0.8, 0.4)
    for i, r in enumerate(rounds):
        sent = writer.stamp(r.opened)
        for user in members:
            prompts.append((r.id, user, "sent", sent, "D" + user[1:], f"{i}.{user[1:]}", sent))
        if answers_too:
            answers += _answers(rng, r, len(members), lean=start + drift * i)
    writer.big(
        "prompts",
        ("round_id", "user_id", "state", "due_at", "channel_id", "message_ts", "sent_at"),
        prompts,
    )
    writer.big("answers", ("round_id", "respondent", "behaviour_id", "point"), answers)
    return len(answers)


def _answers(
    rng: random.Random, round_: _Round, people: int, *, lean: float
) -> list[tuple[Any, ...]]:
    """Everyone's answer to each of the round's questions, under unlinked numbers."""
    respondents = list(range(1, people + 1))
    rng.shuffle(respondents)
    points = _points(rng, lean + rng.gauss(0, 0.1), people * len(round_.behaviours))
    return [
        (round_.id, respondent, behaviour, next(points))
        for respondent in respondents
        for behaviour in round_.behaviours
    ]


def write_history(url: str, shape: Shape, *, seed: int = 47, answers: bool = True) -> History:
    """Create the schema with the migrations, then write the teams' history in bulk
    (without the answers when ``answers`` is false: a year of rounds and prompts only)."""
    db = migrated(url)
    rng = random.Random(seed)
    people = user_ids(shape.people)
    last = parse_week(LAST_WEEK)
    weeks = _weeks(last, shape.weeks)
    long_weeks = _weeks(last.shifted(-1), shape.long_weeks)
    channels = tuple(team_channel(n) for n in range(1, shape.teams + 1))
    rows = 0
    with db.engine.begin() as connection:
        writer = _Writer(connection)
        round_id = 1
        for number, channel in enumerate(channels, start=1):
            first = (number - 1) * shape.members
            members = [people[(first + j) % len(people)] for j in range(shape.members)]
            rows += _write_team(
                writer,
                rng,
                team_id=number,
                first_round_id=round_id,
                channel=channel,
                weeks=weeks,
                members=members,
                answers_too=answers,
            )
            round_id += len(weeks)
        long_rows = _write_team(
            writer,
            rng,
            team_id=shape.teams + 1,
            first_round_id=round_id,
            channel=LONG_TEAM,
            weeks=long_weeks,
            members=people[: shape.members],
            answers_too=answers,
        )
        if writer.postgres:
            for table in ("teams", "rounds"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    if db.is_postgresql:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    db.dispose()
    return History(
        url=url,
        shape=shape,
        week=str(last),
        long_week=str(last.shifted(-1)),
        channels=channels,
        long_rows=long_rows,
        rows=rows,
    )


SHAPES = {
    "full": Shape(teams=1000, weeks=52, members=20, people=10_000, long_weeks=260),
    "quick": Shape(teams=100, weeks=52, members=20, people=1_000, long_weeks=260),
    "smoke": Shape(teams=3, weeks=8, members=6, people=12, long_weeks=20),
}


def history_database(context: Run, kind: str) -> History | None:
    """This run's history on SQLite or PostgreSQL, written once and shared by the benchmarks.

    None when PostgreSQL was asked for and there is none to use.
    """
    key = f"history:{kind}"
    if key not in context.cache:
        shape = context.pick(SHAPES)
        if kind == "sqlite":
            url = sqlite_url(context.scratch("history") / "pulse.db")
        elif context.postgres_url is None:
            return None
        else:
            url = context.stack.enter_context(postgres_database(context.postgres_url, "history"))
        context.say(
            f"  writing history on {kind}: {shape.teams:,} teams × {shape.weeks} weeks × "
            f"{shape.members} members × 3 answers, and one team of {shape.long_weeks} weeks"
        )
        start = perf_counter()
        history = write_history(url, shape)
        context.cache[key] = history
        context.cache[f"{key}:seconds"] = perf_counter() - start
    found: History = context.cache[key]
    return found
