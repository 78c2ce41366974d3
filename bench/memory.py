"""Memory: the peak resident set of `python bot.py serve` on a loaded database, and of the
job that builds every team's digest of a week, each against an idle floor process."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass

from sqlalchemy import select

from bench.bot_setup import bench_bot
from bench.core import Run, Section, at_most, fmt
from bench.databases import migrated, sqlite_url
from bench.digests import all_teams_job
from bench.history import LONG_TEAM, History, history_database
from bench.processes import Server, let_go, serve_bot
from bench.slack import (
    MANAGER,
    SIGNING_SECRET,
    schema_check_off,
    standin,
    workspace_with,
)
from blocks.ids import AnswerValue, answer_action_id, question_block_id
from delivery.prompts import send_due_prompts
from services import rounds as round_service
from standin import SlackRequestSender, StandInSlack
from storage.models import Member, Prompt, Team, utc_now
from surveys.weeks import week_of


@dataclass(frozen=True)
class Sizes:
    """How many requests of each kind to drive."""

    clicks: int
    homes: int


SIZES = {
    "full": Sizes(clicks=300, homes=5),
    "quick": Sizes(clicks=100, homes=3),
    "smoke": Sizes(clicks=10, homes=1),
}


def _copy(history: History, folder_url: str) -> None:
    source = history.url.removeprefix("sqlite:///")
    target = folder_url.removeprefix("sqlite:///")
    shutil.copyfile(source, target)


def _open_round(url: str, api_url: str, channel: str) -> list[tuple[int, str, tuple[str, ...]]]:
    """Open this week's round for one team and DM its prompts; (prompt, user, behaviours)."""
    bot = bench_bot(database_url=url, api_url=api_url)
    now = utc_now()
    info = round_service.open_round(db=bot.db, channel_id=channel, week=str(week_of(now)), now=now)
    send_due_prompts(bot.outbound, round_id=info.id)
    with bot.db.transaction() as session:
        rows = session.execute(
            select(Prompt.id, Prompt.user_id).where(Prompt.round_id == info.id).order_by(Prompt.id)
        ).all()
    bot.db.dispose()
    return [(prompt_id, user, info.behaviour_ids) for prompt_id, user in rows]


def _members(url: str, channel: str) -> list[str]:
    db = migrated(url)
    with db.transaction() as session:
        users = list(
            session.scalars(
                select(Member.user_id)
                .join(Team, Team.id == Member.team_id)
                .where(Team.channel_id == channel)
                .order_by(Member.user_id)
            )
        )
    db.dispose()
    return users


def _wait(slack: StandInSlack, key: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not any(r["key"] == key for r in slack.responses):
        if time.monotonic() > deadline:
            raise RuntimeError(f"no reply for {key}")
        time.sleep(0.01)


def _drive(server: Server, slack: StandInSlack, prompts: list, sizes: Sizes, team: str) -> int:
    """Clicks, App Home openings, summaries and a digest, as people would send them."""
    sender = SlackRequestSender(server.url, SIGNING_SECRET, timeout=60)
    failures = 0
    for i in range(sizes.clicks):
        prompt_id, user, behaviours = prompts[i % len(prompts)]
        behaviour = behaviours[(i // len(prompts)) % len(behaviours)]
        point = (i % 5) + 1
        reply = sender.block_action(
            user_id=user,
            action_id=answer_action_id(point),
            value=AnswerValue(prompt_id, behaviour, point).encode(),
            block_id=question_block_id(prompt_id, behaviour),
            channel_id="D" + user[1:],
            message_ts="1.1",
        )
        failures += reply.status != 200
    for _, user, _ in prompts[: sizes.homes]:
        reply = sender.event({"type": "app_home_opened", "user": user, "tab": "home"})
        failures += reply.status != 200
    commands = (
        ("summary-long", "summary 12", LONG_TEAM),
        ("summary-year", "summary 52", team),
        ("digest-long", "digest", LONG_TEAM),
    )
    for key, text, channel in commands:  # all three at once, as busy managers might
        reply = sender.slash_command(
            text=text, user_id=MANAGER, channel_id=channel, response_url=slack.response_url(key)
        )
        failures += reply.status != 200
    for key, _, _ in commands:
        _wait(slack, key)
    failures += sender.get("/healthz").status != 200
    return failures


def run(context: Run) -> Section:
    """Peak memory of the server and of the all-teams digest job."""
    sizes: Sizes = context.pick(SIZES)
    section = Section("memory", "Memory: peak resident set")
    history = history_database(context, "sqlite")
    assert history is not None
    folder = context.scratch("memory")
    empty_url = sqlite_url(folder / "empty.db")
    loaded_url = sqlite_url(folder / "loaded.db")
    _copy(history, loaded_url)
    team = history.channels[0]
    people = _members(loaded_url, team)
    long_people = _members(loaded_url, LONG_TEAM)
    workspace = workspace_with(
        sorted({*people, *long_people} - {MANAGER}), {team: people, LONG_TEAM: long_people}
    )
    with schema_check_off(), standin(workspace) as slack:
        context.say("  bot.py serve on an empty database, idle (the floor), and on the history")
        migrated(empty_url).dispose()
        prompts = _open_round(loaded_url, slack.api_url, team)
        idle = serve_bot(database_url=empty_url, api_url=slack.api_url, log=folder / "idle.log")
        server = serve_bot(database_url=loaded_url, api_url=slack.api_url, log=folder / "bot.log")
        try:
            idle.wait_until_listening()
            server.wait_until_listening()
            SlackRequestSender(idle.url, SIGNING_SECRET).get("/healthz")
            context.say(
                f"  driving {sizes.clicks} clicks, {sizes.homes} App Homes, two summaries and "
                f"a digest into the one on {history.rows + history.long_rows:,} answers"
            )
            failures = _drive(server, slack, prompts, sizes, team)
            time.sleep(0.2)
            floor = idle.memory()
            loaded = server.memory()
        finally:
            let_go([idle, server], context.stack)
        uploads = len(slack.uploaded_files)
    job = all_teams_job(context, "sqlite", history)
    served = section.figure(
        f"`bot.py serve`: peak RSS of its largest process ({loaded.processes} in all)",
        loaded.largest_peak,
        "MB",
        floor.largest_peak,
        "`bot.py serve` on an empty database, idle",
    )
    shared = section.figure(
        f"`bot.py serve`: all {loaded.processes} processes, proportional set size",
        loaded.pss,
        "MB",
        floor.pss,
        "`bot.py serve` on an empty database, idle",
    )
    digest_job = section.figure(
        f"all-teams digest job ({job['digests']:,} digests)",
        job["peak_rss_mb"],
        "MB",
        job["floor_peak_rss_mb"],
        "a process of its own after only the SQL aggregate",
    )
    section.targets = [
        at_most("`bot.py serve` peak RSS < 200 MB (largest process)", served.value, 200, "MB"),
        at_most("`bot.py serve` peak RSS < 150 MB (largest process)", served.value, 150, "MB"),
        at_most(
            "`bot.py serve` proportional set size < 250 MB (all processes)", shared.value, 250, "MB"
        ),
        at_most("all-teams digest job peak RSS < 200 MB", digest_job.value, 200, "MB"),
    ]
    shape = history.shape
    section.setup = [
        f"SQLite with {shape.people:,} people in {shape.teams:,} team channels and "
        f"{history.rows + history.long_rows:,} answers (the digests benchmark's history, "
        "copied), PULSE_SCHEDULER=off. This week's round opened for one team and its prompts "
        "DMed through the stand-in.",
        f"Requests: {sizes.clicks} signed clicks, {sizes.homes} App Home openings (each builds "
        "the member's published digests), `/pulse summary 12` for the five-year team, "
        "`/pulse summary 52` for a one-year team, and `/pulse digest` for the five-year team "
        "(its chart rendered and uploaded), the last three sent together and waited for.",
        "Peak RSS = VmHWM from /proc/<pid>/status just before it stops, for the server and every "
        "process it started (gunicorn's workers, when it has them); proportional set size = "
        "the sum of Pss from /proc/<pid>/smaps_rollup, which splits pages shared after a fork "
        "between the processes sharing them. The digest job reads its own VmHWM at the end; "
        "its floor aggregate runs in a process of its own.",
    ]
    section.checks = [
        f"Requests that did not answer 200: {failures}; charts uploaded: {uploads}. "
        f"Sum of the processes' peaks: {fmt(loaded.peaks_sum)} MB (idle: "
        f"{fmt(floor.peaks_sum)} MB), counting shared pages once per process. "
        "MB are 10^6 bytes.",
    ]
    return section
