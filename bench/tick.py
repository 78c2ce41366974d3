"""The tick at scale: what the minute's tick costs on a database of many teams.

(a) A tick with nothing due, against the same tick on a database holding one team. (b) The
tick at which ``group`` teams' pulses fall due, against the tick at which one team's does:
the time until every due round is open, its prompts queued, and the fan-out under way (the
stand-in has accepted a DM). (c) Likewise the reminders (every due round's one reminder
pass taken, a reminder DMed) and the closes (every due round closed, a digest posted).
Afterwards each phase is checked: every due team done once, nobody else touched.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, create_engine, func, select

from bench.bot_setup import bench_bot
from bench.core import Run, Section, at_most, fmt, median
from bench.databases import postgres_database, sqlite_url
from bench.slack import schema_check_off, standin
from bench.tick_data import (
    BACKGROUND,
    CLOSE_MANY,
    CLOSE_ONE,
    PULSE_MANY,
    PULSE_ONE,
    REMIND_MANY,
    REMIND_ONE,
    WEEK,
    Group,
    Layout,
    channel_of,
    moment,
    write_tick_database,
)
from jobs.tick import TickReport, run_tick
from runtime.assembly import Bot
from standin import StandInSlack, Workspace
from standin.records import ApiCall
from storage.database import normalise_url
from storage.models import Prompt, Round

SIZES = {
    "full": Layout(teams=10_000, members=20, group=1_000, singles=0),
    "quick": Layout(teams=1_000, members=20, group=100, singles=0),
    "smoke": Layout(teams=24, members=3, group=4, singles=0),
}
QUIET_REPEATS = {"full": 7, "quick": 5, "smoke": 2}
NOTHING_DUE = moment(1, "09:30")  # Tuesday: every round open since Monday, nothing owed
PROBE_GAP = 0.02
"""Seconds between two looks at the database while a tick runs (the watch's resolution)."""


def _workspace(layout: Layout, numbers: Sequence[int]) -> Workspace:
    """The stand-in workspace: every member of these teams, each team's channel."""
    workspace = Workspace()
    for n in numbers:
        people = layout.members_of(n)
        for user in people:
            workspace.add_user(user, user.lower(), tz="Europe/London")
        workspace.add_channel(channel_of(n), f"team-{n}", people)
    return workspace


@dataclass
class Watch:
    """When, during a tick, every due item had been taken on and Slack had been asked to
    deliver the first of them: watched from the stand-in's side, by looking at the database
    as Slack calls arrive (at most every ``PROBE_GAP`` seconds)."""

    engine: Engine
    started: float = 0.0
    reached: float | None = None
    method: str = "chat.postMessage"
    probe: Callable[[Any], bool] | None = None
    posted: bool = False
    last_look: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def arm(self, probe: Callable[[Any], bool], method: str = "chat.postMessage") -> None:
        """Watch for ``probe`` to hold after a call of ``method``, from now."""
        self.probe, self.method = probe, method
        self.reached, self.posted, self.last_look = None, False, 0.0
        self.started = time.perf_counter()

    def seen(self, call: ApiCall) -> None:
        """A Slack call answered by the stand-in."""
        if self.probe is None or self.reached is not None:
            return
        with self.lock:
            now = time.perf_counter()
            self.posted = self.posted or (call.method == self.method and call.ok)
            if not self.posted or now - self.last_look < PROBE_GAP:
                return
            self.last_look = now
            with self.engine.connect() as connection:
                if self.probe(connection):
                    self.reached = now - self.started

    def finish(self) -> float:
        """Seconds until the work was taken on (the whole tick if no call showed it)."""
        elapsed = time.perf_counter() - self.started
        self.probe = None
        return elapsed if self.reached is None else self.reached


def _watched(slack: StandInSlack, watch: Watch) -> None:
    original = slack.records.add_call

    def add_call(call: ApiCall) -> None:
        original(call)
        watch.seen(call)

    slack.records.add_call = add_call  # type: ignore[method-assign]


def _tick(bot: Bot, at: datetime) -> tuple[TickReport, float]:
    bot.outbound.clock = lambda: at
    start = time.perf_counter()
    report = run_tick(bot.outbound)
    return report, time.perf_counter() - start


def _ids(layout: Layout, group: Group) -> list[int]:
    return list(layout.teams_of(group))


def _count(connection: Any, query: Any) -> int:
    return int(connection.scalar(query) or 0)


def _opened(team_ids: list[int]) -> Callable[[Any], bool]:
    query = select(func.count()).where(Round.team_id.in_(team_ids), Round.week == WEEK)
    return lambda connection: _count(connection, query) >= len(team_ids)


def _reminded(team_ids: list[int]) -> Callable[[Any], bool]:
    query = select(func.count()).where(
        Round.team_id.in_(team_ids), Round.week == WEEK, Round.reminded_at.is_not(None)
    )
    return lambda connection: _count(connection, query) >= len(team_ids)


def _closed(team_ids: list[int]) -> Callable[[Any], bool]:
    query = select(func.count()).where(
        Round.team_id.in_(team_ids), Round.week == WEEK, Round.closed_at.is_not(None)
    )
    return lambda connection: _count(connection, query) >= len(team_ids)


@dataclass
class Phase:
    """One measured tick: when it ran, for which group, and what it came to."""

    label: str
    group: Group
    at: datetime
    probe: Callable[[list[int]], Callable[[Any], bool]]
    method: str = "chat.postMessage"
    taken: float = math.nan
    whole: float = math.nan
    report: TickReport | None = None
    calls: list[ApiCall] = field(default_factory=list)
    before: tuple[int, int, int] = (0, 0, 0)
    after: tuple[int, int, int] = (0, 0, 0)


def _phases() -> list[Phase]:
    return [
        Phase("pulse, one team", PULSE_ONE, moment(1, "10:00"), _opened),
        Phase("pulse, many teams", PULSE_MANY, moment(1, "11:00"), _opened),
        Phase("reminder, one team", REMIND_ONE, moment(2, "10:00"), _reminded),
        Phase("reminder, many teams", REMIND_MANY, moment(2, "11:00"), _reminded),
        Phase("close, one team", CLOSE_ONE, moment(3, "10:00"), _closed),
        Phase("close, many teams", CLOSE_MANY, moment(3, "11:00"), _closed),
    ]


@dataclass
class Outcome:
    """One database's figures."""

    kind: str
    quiet: float = math.nan
    quiet_one: float = math.nan
    quiet_report: TickReport | None = None
    phases: list[Phase] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    setup_seconds: float = 0.0


def _quiet(bot: Bot, repeats: int) -> tuple[float, TickReport]:
    """The median of ``repeats`` ticks with nothing due, after one that settles the schedule."""
    _tick(bot, NOTHING_DUE - timedelta(minutes=1))
    times, report = [], None
    for _ in range(repeats):
        report, seconds = _tick(bot, NOTHING_DUE)
        times.append(seconds)
    assert report is not None
    return median(times), report


def _one_team_quiet(context: Run, url: str, repeats: int) -> float:
    layout = Layout(teams=1, members=context.pick(SIZES).members, group=0, singles=0)
    write_tick_database(url, layout)
    with schema_check_off(), standin(_workspace(layout, [1])) as slack:
        bot = bench_bot(database_url=url, api_url=slack.api_url)
        seconds, _ = _quiet(bot, repeats)
        bot.db.dispose()
    return seconds


def _run_phases(
    context: Run, kind: str, url: str, layout: Layout, phases: list[Phase], repeats: int
) -> tuple[float, TickReport, int]:
    """Settle and time the quiet tick on a written database, then tick each phase in turn;
    (the quiet tick's median, its report, the Slack calls it made)."""
    engine = create_engine(normalise_url(url))
    watch = Watch(engine)
    with schema_check_off(), standin(_workspace(layout, range(1, layout.teams + 1))) as slack:
        _watched(slack, watch)
        bot = bench_bot(database_url=url, api_url=slack.api_url)
        quiet, report = _quiet(bot, repeats)
        quiet_calls = len(slack.calls)
        for phase in phases:
            context.say(f"  {kind}: {phase.label} at {phase.at:%a %H:%M}")
            slack.reset_calls()
            phase.before = _totals(engine)
            watch.arm(phase.probe(_ids(layout, phase.group)), phase.method)
            phase.report, phase.whole = _tick(bot, phase.at)
            phase.taken = watch.finish()
            phase.calls = slack.calls
            phase.after = _totals(engine)
        bot.db.dispose()
    with engine.connect() as connection:
        phase_checks = [_check(kind, layout, phase, connection) for phase in phases]
    engine.dispose()
    context.cache.setdefault(f"tick-checks:{kind}", []).extend(phase_checks)
    return quiet, report, quiet_calls


def _measure(context: Run, kind: str, urls: tuple[str, str, str]) -> Outcome:
    layout: Layout = context.pick(SIZES)
    repeats = context.pick(QUIET_REPEATS)
    outcome = Outcome(kind)
    many_url, one_url, each_url = urls
    context.say(
        f"  {kind}: writing {layout.teams:,} teams × {layout.members} members "
        f"({layout.teams * layout.members:,})"
    )
    start = time.perf_counter()
    write_tick_database(many_url, layout)
    outcome.setup_seconds = time.perf_counter() - start
    outcome.quiet_one = _one_team_quiet(context, one_url, repeats)
    each = Layout(teams=4, members=layout.members, group=0)  # one team of each kind
    write_tick_database(each_url, each)
    alone = (PULSE_ONE, REMIND_ONE, CLOSE_ONE)
    singles = [p for p in _phases() if p.group in alone]
    context.say(f"  {kind}: one team of each kind")
    _run_phases(context, kind, each_url, each, singles, repeats)
    many = [p for p in _phases() if p.group not in alone]
    context.say(f"  {kind}: (a) ticks with nothing due, then each group due")
    outcome.quiet, outcome.quiet_report, quiet_calls = _run_phases(
        context, kind, many_url, layout, many, repeats
    )
    outcome.phases = singles + many
    outcome.checks = [_quiet_check(kind, outcome.quiet_report, quiet_calls)]
    outcome.checks += context.cache.pop(f"tick-checks:{kind}")
    return outcome


def _totals(engine: Engine) -> tuple[int, int, int]:
    """This week's rounds: how many exist, have been reminded, have closed."""
    this_week = Round.week == WEEK
    with engine.connect() as connection:
        return (
            _count(connection, select(func.count()).where(this_week)),
            _count(
                connection, select(func.count()).where(this_week, Round.reminded_at.is_not(None))
            ),
            _count(connection, select(func.count()).where(this_week, Round.closed_at.is_not(None))),
        )


def _quiet_check(kind: str, report: TickReport | None, calls: int) -> str:
    done = {} if report is None else {k: v for k, v in vars(report).items() if v}
    ok = not done and calls == 0
    return (
        f"{kind}, nothing due: {'OK' if ok else 'PROBLEM'}: the ticks did "
        f"{done or 'nothing'} and made {calls} Slack calls."
    )


def _check(kind: str, layout: Layout, phase: Phase, connection: Any) -> str:
    """Every due team done once and nobody else touched, from the database and the stand-in."""
    teams = _ids(layout, phase.group)
    due_people = {u for n in teams for u in layout.members_of(n)}
    dms = Counter(
        str(c.args.get("channel")) for c in phase.calls if c.method == "chat.postMessage" and c.ok
    )
    to_people = Counter({k: v for k, v in dms.items() if k.startswith("U")})
    to_channels = Counter({k: v for k, v in dms.items() if k.startswith("C")})
    rounds = _count(
        connection, select(func.count()).where(Round.team_id.in_(teams), Round.week == WEEK)
    )
    if phase.group in (PULSE_ONE, PULSE_MANY):
        sent = _count(
            connection,
            select(func.count(func.distinct(Prompt.user_id)))
            .join(Round, Round.id == Prompt.round_id)
            .where(Round.team_id.in_(teams), Round.week == WEEK, Prompt.state == "sent"),
        )
        others = phase.after[0] - phase.before[0] - rounds
        ok = (
            others == 0
            and rounds == len(teams)
            and sent == len(due_people)
            and set(to_people) == due_people
            and max(to_people.values(), default=0) == 1
        )
        what = (
            f"{rounds:,} rounds opened for {len(teams):,} due teams, {others} others; "
            f"{sent:,} prompts sent to {len(due_people):,} members; the stand-in DMed "
            f"{len(to_people):,} people ({sum(to_people.values()):,} DMs, none twice: "
            f"{max(to_people.values(), default=0) <= 1})"
        )
    elif phase.group in (REMIND_ONE, REMIND_MANY):
        reminded = _count(
            connection,
            select(func.count()).where(
                Round.team_id.in_(teams), Round.week == WEEK, Round.reminded_at.is_not(None)
            ),
        )
        others = phase.after[1] - phase.before[1] - reminded
        unanswered = {layout.members_of(n)[-1] for n in teams}
        ok = reminded == len(teams) and others == 0 and to_people == Counter(unanswered)
        what = (
            f"{reminded:,} of {len(teams):,} due rounds reminded, {others} others; reminders "
            f"DMed to {len(to_people):,} of the {len(unanswered):,} who had not answered, "
            f"none twice: {max(to_people.values(), default=0) <= 1}"
        )
    else:
        closed = _count(
            connection,
            select(func.count()).where(
                Round.team_id.in_(teams), Round.week == WEEK, Round.closed_at.is_not(None)
            ),
        )
        open_others = phase.after[2] - phase.before[2] - closed
        channels = {channel_of(n) for n in teams}
        ok = closed == len(teams) and open_others == 0 and to_channels == Counter(channels)
        what = (
            f"{closed:,} of {len(teams):,} due rounds closed, {open_others} others; digests "
            f"posted in {len(to_channels):,} channels, none twice: "
            f"{max(to_channels.values(), default=0) <= 1}"
        )
    return f"{kind}, {phase.label}: {'OK' if ok else 'PROBLEM'}: {what}."


def _databases(context: Run) -> list[tuple[str, tuple[str, str, str]]]:
    """Per database kind: the many teams', the one team's, and one team of each kind's."""
    folder = context.scratch("tick")
    names = ("many", "one", "each")
    found = [("SQLite", tuple(sqlite_url(folder / f"{name}.db") for name in names))]
    if context.postgres_url:
        admin = context.postgres_url
        made = (context.stack.enter_context(postgres_database(admin, f"t{n}")) for n in names)
        found.append(("PostgreSQL", tuple(made)))
    return found  # type: ignore[return-value]


def run(context: Run) -> Section:
    """Measure the tick with nothing due and with many teams due, on each database."""
    layout: Layout = context.pick(SIZES)
    section = Section("tick", f"The tick at scale: {layout.teams:,} teams")
    outcomes = [_measure(context, kind, urls) for kind, urls in _databases(context)]
    for outcome in outcomes:
        _report(section, layout, outcome)
    phases = {p.group: p for p in outcomes[0].phases}
    section.setup = [
        f"{layout.teams:,} teams × {layout.members} members ({layout.teams * layout.members:,} "
        "people), all in Europe/London (UTC in December), written in bulk in the state the "
        f"schedule leaves on Tuesday of {WEEK}: {layout.teams - 3 * layout.group:,} "
        "background teams opened this week's round on Monday and owe nothing until Friday "
        "(20 prompts sent each); every team has two earlier rounds, closed, digests posted. "
        f"Groups of one team and of {layout.group:,} teams fall due, one moment after another, "
        "for a pulse (Tuesday 10:00 and 11:00), a reminder (Wednesday; 19 of 20 answered) "
        "and a close (Thursday; 2 prompts sent)."
        f" Writing took {fmt(outcomes[0].setup_seconds)} s on SQLite.",
        "`run_tick` as the scheduler calls it, the bot as `build_bot` makes it, the clock set "
        "to each moment; the stand-in Slack in this process, its Block Kit check off. "
        f"(a) is the median of {context.pick(QUIET_REPEATS)} ticks after one that settles, "
        "against the same on a database of one background team.",
        "(b) and (c): the time from the tick's start until every due round is open with its "
        "prompts queued (reminded; closed) and the stand-in has accepted the first DM "
        "(reminder; digest), seen from the stand-in's side by looking at the database as "
        f"calls arrive (every {PROBE_GAP * 1000:.0f} ms at most); the floor is the same tick "
        "with one team due, on a database of four teams (the due one and one of each other "
        "kind). The whole tick, fan-out included, is given beside it: "
        + ", ".join(
            f"{p.label} {fmt(p.whole)} s"
            for p in (phases.get(g) for g in (PULSE_ONE, PULSE_MANY))
            if p is not None
        )
        + " on SQLite.",
    ]
    return section


def _report(section: Section, layout: Layout, outcome: Outcome) -> None:
    kind = outcome.kind
    quiet = section.figure(
        f"{kind}: (a) a tick with nothing due, {layout.teams:,} teams",
        outcome.quiet * 1000,
        "ms",
        outcome.quiet_one * 1000,
        "the same tick, one team",
    )
    section.targets.append(
        at_most(f"{kind}: a tick with nothing due ≤ 2× one team's", quiet.ratio, 2.0, "×")
    )
    by_group = {p.group: p for p in outcome.phases}
    for many, one, what, target in (
        (PULSE_MANY, PULSE_ONE, "(b) pulses due: rounds open, fan-out started", "pulses"),
        (REMIND_MANY, REMIND_ONE, "(c) reminders due: passes taken, first one sent", "reminders"),
        (CLOSE_MANY, CLOSE_ONE, "(c) closes due: rounds closed, first digest posted", "closes"),
    ):
        figure = section.figure(
            f"{kind}: {what}, {layout.group:,} teams",
            by_group[many].taken * 1000,
            "ms",
            by_group[one].taken * 1000,
            "the same, one team due",
        )
        section.targets.append(
            at_most(
                f"{kind}: {layout.group:,} teams' {target} ≤ 10× one team's",
                figure.ratio,
                10.0,
                "×",
            )
        )
    section.checks += outcome.checks
    section.notes.append(
        f"{kind}: whole ticks — "
        + "; ".join(f"{p.label} {fmt(p.whole)} s ({_done(p.report)})" for p in outcome.phases)
        + f". Background teams: {len(list(layout.teams_of(BACKGROUND))):,}."
    )


def _done(report: TickReport | None) -> str:
    if report is None:
        return "not run"
    return ", ".join(f"{k} {v:,}" for k, v in vars(report).items() if v) or "nothing"
