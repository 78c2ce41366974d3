"""Four sending processes on one PostgreSQL, four workspaces, Slack's limits enforced.

Slack's limits are per workspace, not per process. Each workspace's team has an open round
whose prompts wait in the outbox; four processes drain it together, each claiming
batches as a `serve` worker does. First each process paces on its own (as before the
budget was shared), then each draws on the workspaces' budgets in the database. Both are
read against the floor the stand-in's limits impose, and checked, from the stand-in's
records and the prompts table, for anyone missed or DMed twice.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import func, select

from bench.core import Run, Section, at_most, fmt, unmeasured
from bench.databases import migrated, postgres_database
from bench.fanout import limits_floor, workspace_budget
from bench.sender_process import CLIENT_ID
from bench.senders_standin import channel, manager, members, token, workspace_id
from services import rounds as round_service
from services import teams as team_service
from services.teams import MemberInfo
from storage.installations import installation_store
from storage.models import Prompt, utc_now
from surveys.weeks import week_of

ROOT = Path(__file__).resolve().parent.parent
SENDERS = 4
WORKSPACES = 4
HANDFUL = 10
"""429s the shared budget may still draw: the odd call that reaches Slack a moment early."""


@dataclass(frozen=True)
class Sizes:
    """Members per workspace, and the floor their workspace budget is chosen to impose."""

    members: int
    floor: float


SIZES = {
    "full": Sizes(members=10_000, floor=600.0),
    "quick": Sizes(members=1_000, floor=60.0),
    "smoke": Sizes(members=25, floor=5.0),
}


@dataclass(frozen=True)
class Outcome:
    """What one phase came to."""

    seconds: float
    rate_limited: int
    missed: int
    twice: int
    unknown: int
    sent_rows: int
    other_rows: int
    sender_sent: list[int]

    def check(self, label: str, everyone: int) -> str:
        ok = (
            self.missed == self.twice == self.unknown == self.other_rows == 0
            and self.sent_rows == everyone
        )
        return (
            f"{label} {'OK' if ok else 'PROBLEM'}: {everyone:,} people in {WORKSPACES} "
            f"workspaces; missed {self.missed}, DMed twice {self.twice}, unknown "
            f"{self.unknown}; prompts table: {self.sent_rows:,} sent, {self.other_rows} in "
            f"another state; the senders reported {', '.join(f'{n:,}' for n in self.sender_sent)}"
            f" sent; the stand-in answered {self.rate_limited:,} calls with 429."
        )


def _prepare(url: str, count: int) -> None:
    """Installations, teams and an open round per workspace, its prompts queued."""
    db = migrated(url)
    store = installation_store(db, client_id=CLIENT_ID)
    now = utc_now()
    for n in range(1, WORKSPACES + 1):
        store.save(
            Installation(
                app_id="A0BENCH",
                team_id=workspace_id(n),
                bot_token=token(n),
                bot_id=f"B0BENCH{n}",
                bot_user_id=f"U0BOTW{n}",
                bot_scopes="chat:write,im:write,users:read,channels:read",
                user_id=manager(n),
                installed_at=time.time(),
            )
        )
        team = team_service.setup_team(
            db=db, workspace_id=workspace_id(n), channel_id=channel(n), user_id=manager(n), now=now
        ).team
        people = members(n, count)
        team_service.sync_members(
            db=db,
            team_id=team.id,
            present=[manager(n), *people],
            details=[MemberInfo(u, is_bot=False, deactivated=False, timezone=None) for u in people],
        )
        round_service.open_round(db=db, channel_id=channel(n), week=str(week_of(now)), now=now)
    db.dispose()


def _prompt_rows(url: str) -> tuple[int, int]:
    db = migrated(url)
    with db.reading() as session:
        query = select(Prompt.state, func.count()).group_by(Prompt.state)
        states = {str(state): int(count) for state, count in session.execute(query)}
    db.dispose()
    return int(states.pop("sent", 0)), int(sum(states.values()))


def _spawn(args: list[str], log: IO[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        cwd=ROOT,
    )


def _ask(process: subprocess.Popen[str], command: str | None = None) -> dict[str, Any]:
    assert process.stdin is not None and process.stdout is not None
    if command is not None:
        process.stdin.write(command + "\n")
        process.stdin.flush()
    line = process.stdout.readline()
    if not line:
        raise RuntimeError("a benchmark process stopped early; see its log")
    answer: dict[str, Any] = json.loads(line)
    return answer


def _phase(context: Run, label: str, pacer: str, count: int, budget: int) -> Outcome:
    """One run of four senders on a fresh database against a fresh stand-in."""
    assert context.postgres_url is not None
    logs = context.scratch("senders")
    with postgres_database(context.postgres_url, "senders") as url:
        _prepare(url, count)
        log = (logs / f"{pacer}.log").open("w")
        slack = _spawn(["bench.senders_standin", str(WORKSPACES), str(count), str(budget)], log)
        senders: list[subprocess.Popen[str]] = []
        try:
            api_url = _ask(slack)["api_url"]
            args = ["bench.sender_process", url, api_url, pacer, str(budget)]
            senders = [_spawn(args, log) for _ in range(SENDERS)]
            for sender in senders:
                _ask(sender)  # ready
            start = time.perf_counter()
            began = time.monotonic()
            for sender in senders:
                assert sender.stdin is not None
                sender.stdin.write("go\n")
                sender.stdin.flush()
            reports = [_ask(sender) for sender in senders]
            seconds = time.perf_counter() - start
            stats = _ask(slack, "stats")
            context.cache[f"senders-check-{pacer}"] = _ask(slack, "check 50")
        finally:
            for process in [*senders, slack]:
                if process.stdin is not None:
                    process.stdin.close()
                process.wait(timeout=60)
                if process.stdout is not None:
                    process.stdout.close()
            log.close()
        sent_rows, other_rows = _prompt_rows(url)
    received = Counter({(n, user): times for n, user, times in stats["received"]})
    expected = {(n, u) for n in range(1, WORKSPACES + 1) for u in [manager(n), *members(n, count)]}
    context.say(f"  {label}: {seconds:.1f} s, {stats['rate_limited']:,} answered 429")
    context.say(_timeline(stats, reports, began))
    return Outcome(
        seconds=seconds,
        rate_limited=int(stats["rate_limited"]),
        missed=len(expected - received.keys()),
        twice=sum(1 for times in received.values() if times > 1),
        unknown=len(received.keys() - expected),
        sent_rows=sent_rows,
        other_rows=other_rows,
        sender_sent=[int(r["sent"]) for r in reports],
    )


def _timeline(stats: dict[str, Any], reports: list[dict[str, Any]], began: float) -> str:
    """Where the time went: each workspace's first and last DM, each 429, each sender's
    end, in seconds from the go."""
    spans = ", ".join(
        f"w{n} {stats['first'][n] - began:.1f}–{stats['last'][n] - began:.1f} s"
        for n in sorted(stats["last"], key=int)
    )
    limited = ", ".join(f"w{n} at {at - began:.1f} s" for n, at in stats["limited"]) or "none"
    ends = ", ".join(f"{r['ended'] - began:.1f}" for r in reports)
    return f"    DMs accepted: {spans}; 429s: {limited}; senders done at {ends} s"


def run(context: Run) -> Section:
    """Four senders with the budget each process's own, then shared."""
    sizes: Sizes = context.pick(SIZES)
    everyone = WORKSPACES * (sizes.members + 1)
    section = Section(
        "senders",
        f"Four senders sharing Slack's limits: {WORKSPACES} workspaces × {sizes.members:,} members",
    )
    if context.postgres_url is None:
        section.targets = [unmeasured("four senders on one PostgreSQL", "no PostgreSQL server")]
        return section
    per_workspace = sizes.members + 1
    budget = workspace_budget(per_workspace, sizes.floor)
    floor = limits_floor(per_workspace, budget)
    context.say(f"  {SENDERS} senders, {everyone:,} DMs, {budget:,} messages/min per workspace")
    before = (
        None
        if context.skip_before
        else _phase(context, "each process pacing alone", "local", sizes.members, budget)
    )
    after = _phase(context, "one budget in the database", "shared", sizes.members, budget)
    if before is not None:
        section.figure(
            f"{SENDERS} senders each pacing alone: time to DM everyone",
            before.seconds,
            "s",
            floor,
            "least time the limits allow",
        )
    shared = section.figure(
        f"{SENDERS} senders sharing the budget: time to DM everyone",
        after.seconds,
        "s",
        floor,
        "least time the limits allow",
    )
    section.targets = [
        at_most(
            f"{SENDERS} senders, shared budget: ≤ 1.1× the limits' floor", shared.ratio, 1.1, "×"
        ),
        at_most(
            f"{SENDERS} senders, shared budget: at most {HANDFUL} calls answered 429",
            after.rate_limited,
            HANDFUL,
            "",
        ),
    ]
    checked = context.cache.get("senders-check-shared", {"checked": 0, "problems": 0})
    section.setup = [
        f"PostgreSQL; {WORKSPACES} workspaces installed through OAuth, each with a team of "
        f"{sizes.members:,} members plus its manager and an open round whose {per_workspace:,} "
        "prompts wait in the outbox. The stand-in Slack runs in a process of its own and "
        f"enforces, per workspace, 1 message/s per channel and {budget:,} messages a minute "
        f"(a token bucket that starts full), so each workspace's {per_workspace:,} DMs, and "
        f"so all {everyone:,}, need at least 60·({per_workspace:,} − {budget:,})/{budget:,} = "
        f"{fmt(floor)} s.",
        f"{SENDERS} processes (`python -m bench.sender_process`), each building the bot as "
        "`serve` does and draining the outbox with `send_due_prompts` until nobody is owed a "
        "prompt; timed from the moment all are told to go to the moment the last is done.",
        "Each process pacing alone: the pacer as it was before, 1 message/s per channel, no "
        "workspace rate, each 429 waited out (Retry-After, up to 5 retries) by the client "
        "that met it. One budget in the database: the bot as it is built on PostgreSQL with "
        f"PULSE_POSTS_PER_MINUTE={budget}; every process takes a quarter of a second's calls "
        "at a time from the workspace's bucket in `send_budgets`, and a 429 any of them meets "
        "pauses them all; each claim takes a share of every round with prompts waiting, so "
        "all four workspaces' budgets are drawn on from the start.",
        *(
            ["`--skip-before`: the phase where each process paces alone was left out."]
            if context.skip_before
            else []
        ),
    ]
    section.checks = [
        *([] if before is None else [before.check("Each process pacing alone:", everyone)]),
        after.check("One budget in the database:", everyone),
        f"Block Kit: {checked['checked']} delivered prompts sampled and checked against the "
        f"schema, {checked['problems']} problems.",
    ]
    return section
