"""Digests at scale, on SQLite and PostgreSQL.

(a) One team with five years of weekly history; (b) many teams with a year each (about three
million answers at full size). The floor of each timing is one SQL aggregate — count and
mean per week (or round) and behaviour — over the same rows. Summaries run after the ack in
a lazy listener, so the slash command's own HTTP response is timed while they run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from bench.core import Run, Section, at_most, fmt, median, percentile, timed
from bench.history import LONG_TEAM, SHAPES, History, history_database
from bench.processes import ROOT, Server, let_go, serve_bot
from bench.slack import MANAGER, SIGNING_SECRET, schema_check_off, standin, workspace_with
from services import digests as digest_service
from standin import SlackRequestSender, StandInSlack, check_message
from storage.database import Database
from storage.models import Answer, Round, Team


@dataclass(frozen=True)
class Sizes:
    """Repeats per timing, the summary's length, and how many summaries run at once."""

    repeats: int
    summary_weeks: int
    burst: int
    idle_probes: int


SIZES = {
    "full": Sizes(repeats=5, summary_weeks=12, burst=12, idle_probes=5),
    "quick": Sizes(repeats=3, summary_weeks=12, burst=8, idle_probes=3),
    "smoke": Sizes(repeats=1, summary_weeks=4, burst=3, idle_probes=1),
}


def _team_id(db: Database, channel: str) -> int:
    with db.transaction() as session:
        return int(session.scalars(select(Team.id).where(Team.channel_id == channel)).one())


def _aggregate(db: Database, *conditions: Any) -> float:
    """Seconds for one count-and-mean per week and behaviour over the selected rows."""
    query = (
        select(Round.week, Answer.behaviour_id, func.count(Answer.point), func.avg(Answer.point))
        .join(Round, Round.id == Answer.round_id)
        .where(*conditions)
        .group_by(Round.week, Answer.behaviour_id)
    )
    start = time.perf_counter()
    with db.engine.connect() as connection:
        connection.execute(query).all()
    return time.perf_counter() - start


def _read_rows(db: Database, channel: str, week: str) -> None:
    """Read (sum) a team's answers up to a week as `build_digest` does, and nothing more."""
    digest_service.read_teams(db, {channel: [week]})


def _warm_timed(action: Any, repeats: int) -> float:
    action()
    seconds, _ = timed(action, repeats=repeats)
    return seconds


def all_teams_job(context: Run, kind: str, history: History) -> dict[str, Any]:
    """The report of bench.digest_job (every team's digest of the history's last week, and
    its floor), each part in a process of its own, once per run and database."""
    key = f"digest_job:{kind}"
    if key not in context.cache:
        context.say(f"  {kind}: every team's digest of {history.week}, in its own process")
        parts: dict[str, Any] = {}
        for part in ("floor", "job"):
            command = [sys.executable, "-m", "bench.digest_job", history.url, history.week, part]
            done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"digest job failed:\n{done.stderr[-2000:]}")
            parts.update(json.loads(done.stdout.splitlines()[-1]))
        context.cache[key] = parts
    report: dict[str, Any] = context.cache[key]
    return report


def _wait_for_reply(slack: StandInSlack, key: str, timeout: float = 120.0) -> float:
    """Poll the stand-in until the response_url reply for ``key`` arrives; when it did."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if any(r["key"] == key for r in slack.responses):
            return time.perf_counter()
        time.sleep(0.002)
    raise RuntimeError("a summary never arrived through its response_url")


@dataclass(frozen=True)
class AckTimes:
    """Slash-command acks with nothing running, and while summaries ran."""

    idle: list[float]
    loaded: list[float]
    overlapped: int
    idle_replies: list[float]
    last_reply: float
    problems: int


def _acks(slack: StandInSlack, server: Server, sizes: Sizes) -> AckTimes:
    """/pulse summary through `bot.py serve`: its ack alone, then acks while others compute."""
    text = f"summary {sizes.summary_weeks}"
    sender = SlackRequestSender(server.url, SIGNING_SECRET, timeout=30)

    def command(key: str) -> float:
        start = time.perf_counter()
        reply = sender.slash_command(
            text=text,
            user_id=MANAGER,
            channel_id=LONG_TEAM,
            response_url=slack.response_url(key),
        )
        if reply.status != 200:
            raise RuntimeError(f"/pulse {text} answered {reply.status}: {reply.text}")
        return time.perf_counter() - start

    idle, idle_replies = [], []
    for i in range(sizes.idle_probes + 1):
        start = time.perf_counter()
        ack = command(f"idle-{i}")
        reply = _wait_for_reply(slack, f"idle-{i}") - start
        if i:  # the first one warms the process up
            idle.append(ack)
            idle_replies.append(reply)
    loaded, overlapped = [], 0
    start = time.perf_counter()
    for i in range(sizes.burst):
        loaded.append(command(f"burst-{i}"))
        answered = {r["key"] for r in slack.responses}
        overlapped += i > 0 and f"burst-{i - 1}" not in answered
    last = max(_wait_for_reply(slack, f"burst-{i}") for i in range(sizes.burst))
    problems = sum(
        len(check_message(r["body"].get("text"), r["body"].get("blocks"))) for r in slack.responses
    )
    return AckTimes(idle, loaded, overlapped, idle_replies, last - start, problems)


def _measure(context: Run, section: Section, kind: str, sizes: Sizes) -> None:
    history = history_database(context, kind)
    label = "SQLite" if kind == "sqlite" else "PostgreSQL"
    if history is None:
        section.notes.append(f"{label}: skipped, no PostgreSQL server to use (see --postgres).")
        return
    context.say(f"  {kind}: one team's digest and summary")
    db = Database.from_url(history.url)
    long_id = _team_id(db, LONG_TEAM)
    typical = history.channels[len(history.channels) // 2]
    typical_id = _team_id(db, typical)
    with db.transaction() as session:
        recent = list(
            session.scalars(
                select(Round.week)
                .where(Round.team_id == long_id, Round.closed_at.is_not(None))
                .order_by(Round.week.desc())
                .limit(sizes.summary_weeks)
            )
        )
    long_digest = _warm_timed(
        lambda: digest_service.build_digest(db=db, channel_id=LONG_TEAM, week=history.long_week),
        sizes.repeats,
    )
    long_read = _warm_timed(lambda: _read_rows(db, LONG_TEAM, history.long_week), sizes.repeats)
    long_floor = _warm_timed(
        lambda: _aggregate(db, Round.team_id == long_id, Round.week <= history.long_week),
        sizes.repeats,
    )
    year_digest = _warm_timed(
        lambda: digest_service.build_digest(db=db, channel_id=typical, week=history.week),
        sizes.repeats,
    )
    year_floor = _warm_timed(
        lambda: _aggregate(db, Round.team_id == typical_id, Round.week <= history.week),
        sizes.repeats,
    )
    summary = _warm_timed(
        lambda: digest_service.build_summary(
            db=db, channel_id=LONG_TEAM, weeks=sizes.summary_weeks
        ),
        sizes.repeats,
    )
    summary_floor = _warm_timed(
        lambda: _aggregate(db, Round.team_id == long_id, Round.week.in_(recent)), sizes.repeats
    )
    db.dispose()
    folder = context.scratch(f"digests-{kind}")
    with schema_check_off(), standin(workspace_with([], {LONG_TEAM: []})) as slack:
        # The server is up, and idle, before the all-teams job starts: booting takes SQLite's
        # write lock, which the job's floor aggregate holds for seconds at a time.
        server = serve_bot(database_url=history.url, api_url=slack.api_url, log=folder / "bot.log")
        try:
            listening = server.wait_until_listening()
            job = all_teams_job(context, kind, history)
            context.say(f"  {kind}: /pulse {sizes.summary_weeks}-week summaries over signed HTTP")
            acks = _acks(slack, listening, sizes)
        finally:
            let_go([server], context.stack)
    shape = history.shape
    one = section.figure(
        f"{label}: one team's digest, {shape.long_weeks} weeks ({history.long_rows:,} answers)",
        long_digest * 1000,
        "ms",
        long_floor * 1000,
        "SQL aggregate over its rows",
    )
    section.figure(
        f"{label}: one team's digest, {shape.weeks} weeks",
        year_digest * 1000,
        "ms",
        year_floor * 1000,
        "SQL aggregate over its rows",
    )
    every = section.figure(
        f"{label}: all {job['digests']:,} teams' digests of {history.week}",
        job["seconds"],
        "s",
        job["floor_seconds"],
        f"SQL aggregate over their {history.rows:,} answers",
    )
    section.figure(
        f"{label}: {sizes.summary_weeks}-week summary ({shape.long_weeks}-week team)",
        summary * 1000,
        "ms",
        summary_floor * 1000,
        "SQL aggregate over its rows",
    )
    slowest = section.figure(
        f"{label}: /pulse summary ack while up to {sizes.burst} summaries run (slowest)",
        max(acks.loaded) * 1000,
        "ms",
        median(acks.idle) * 1000,
        "the same ack with nothing running",
    )
    section.targets += [
        at_most(f"{label}: one team's digest < 150 ms", one.value, 150, "ms"),
        at_most(f"{label}: all teams' digests ≤ 3× the floor", every.ratio, 3, "×"),
        at_most(f"{label}: a summary never delays Slack's 3-second ack", slowest.value, 3000, "ms"),
        at_most(f"{label}: all teams' digests ≤ 2× the floor", every.ratio, 2, "×"),
    ]
    if kind == "postgresql":
        section.targets.append(
            at_most(f"{label}: one team's digest, five years, < 50 ms", one.value, 50, "ms")
        )
    section.checks.append(
        f"{label}: of the {shape.long_weeks}-week digest's {fmt(long_digest * 1000)} ms, "
        f"summing its answers in the database took {fmt(long_read * 1000)} ms; the rest is "
        "working out the figures (`surveys.digest.compute_digest`)."
    )
    section.checks.append(
        f"{label}: {sizes.burst} summaries sent back to back; {acks.overlapped} of their acks "
        f"came while the previous summary was still computing; p50 ack "
        f"{fmt(percentile(acks.loaded, 50) * 1000)} ms. A summary's reply reached its "
        f"response_url {fmt(median(acks.idle_replies) * 1000)} ms after the command when "
        f"alone, and the last of the burst after {fmt(acks.last_reply * 1000)} ms; "
        f"Block Kit problems in the replies: {acks.problems}. The digest job's peak memory "
        f"was {fmt(job['peak_rss_mb'])} MB (the floor aggregate's own process: "
        f"{fmt(job['floor_peak_rss_mb'])} MB)."
    )


def run(context: Run) -> Section:
    """Time digests and summaries on both databases."""
    sizes: Sizes = context.pick(SIZES)
    section = Section("digests", "Digests at scale")
    for kind in ("sqlite", "postgresql"):
        _measure(context, section, kind, sizes)
    shape = context.pick(SHAPES)
    section.setup = [
        f"{shape.teams:,} teams × {shape.weeks} weeks × {shape.members} members × 3 answers "
        f'({shape.answers:,} answers, 5% "didn\'t come up"), a closed round and a sent prompt '
        f"per member and week, {shape.people:,} people; plus one team of {shape.members} with "
        f"{shape.long_weeks} weeks. Written with executemany (SQLite) and COPY (PostgreSQL, "
        "then VACUUM ANALYZE), schema from the migrations.",
        "In-process timings are the median of "
        f"{sizes.repeats} after one warm-up call. The all-teams job is `digest_batches` for "
        "every team with a round that week, in a process of its own, as the schedule builds "
        f"them when rounds close: {digest_service.TEAMS_PER_READ} teams a read, "
        f"{digest_service.READS_AHEAD} reads under way at once, each batch let go (posted) "
        "before the next; its floor is one GROUP BY over the answers those digests read.",
        f"Acks: `python bot.py serve` on the same database; `/pulse summary "
        f"{sizes.summary_weeks}` for the five-year team, first alone ({sizes.idle_probes}×, "
        f"waiting for each reply), then {sizes.burst} back to back.",
    ]
    return section
