"""Fan-out: one round's prompts DMed to every member of a big team, through the outbox.

On a database that already holds a year of sent prompts: (a) without limits,
`send_due_prompts` for the round against a plain loop of `chat_postMessage` calls made with
the same client; (c) the schedule's pass, which claims due prompts across every open round;
(d) as (a) with a Slack-like round trip on every call; (b) with Slack-like limits enforced by
the stand-in, the total time against the floor those limits impose. Each phase checks, from
the stand-in's records and the prompts table, that nobody was missed or DMed twice.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from bench.bot_setup import add_team, bench_bot
from bench.core import Run, Section, at_least, at_most, fmt
from bench.databases import sqlite_url
from bench.history import Shape, write_history
from bench.slack import (
    MANAGER,
    sampled_problems,
    schema_check_ms,
    schema_check_off,
    standin,
    user_ids,
    workspace_with,
)
from blocks.prompt import prompt_message
from delivery.pacing import Pacer
from delivery.prompts import send_due_prompts
from runtime.assembly import Bot
from services import rounds as round_service
from standin import StandInSlack
from standin.limits import RateLimits
from storage.database import Database
from storage.models import Prompt, Round, utc_now
from surveys.weeks import week_of

OPEN_CHANNEL = "C0BENCHFAN0A"
LIMITED_CHANNEL = "C0BENCHFAN0B"
TICK_CHANNEL = "C0BENCHFAN0C"
DISTANT_CHANNEL = "C0BENCHFAN0D"
SLACK_ROUND_TRIP = 0.05
"""Seconds the stand-in waits before answering in (d), like a Web API call over the internet."""


@dataclass(frozen=True)
class Sizes:
    """How big one run is, and the floor the workspace budget is chosen to impose."""

    members: int
    tick_members: int
    distant_members: int
    limited_floor: float
    history: Shape


SIZES = {
    "full": Sizes(
        members=10_000,
        tick_members=2_000,
        distant_members=100,
        limited_floor=60.0,
        history=Shape(teams=1000, weeks=52, members=20, people=20, long_weeks=1),
    ),
    "quick": Sizes(
        members=1_000,
        tick_members=300,
        distant_members=30,
        limited_floor=10.0,
        history=Shape(teams=100, weeks=52, members=20, people=20, long_weeks=1),
    ),
    "smoke": Sizes(
        members=60,
        tick_members=10,
        distant_members=3,
        limited_floor=1.0,
        history=Shape(teams=3, weeks=8, members=6, people=6, long_weeks=1),
    ),
}


def workspace_budget(messages: int, floor: float) -> int:
    """Messages a minute for which the stand-in's limits impose ``floor`` seconds on a round.

    The stand-in's workspace bucket starts full (a minute's budget) and refills at
    budget/60 a second, so sending m messages takes at least 60·(m − budget)/budget s.
    """
    return max(1, math.ceil(60 * messages / (floor + 60)))


def limits_floor(messages: int, per_minute: int) -> float:
    """The least time any sender needs for ``messages`` under the stand-in's limits."""
    return max(0, messages - per_minute) * 60 / per_minute


def _team(bot: Bot, channel: str, users: list[str]) -> int:
    """A team with these members and an open round with a pending prompt each; its round id."""
    add_team(bot, channel, users)
    now = utc_now()
    info = round_service.open_round(db=bot.db, channel_id=channel, week=str(week_of(now)), now=now)
    return info.id


def _plain_loop(bot: Bot, round_id: int, people: list[str]) -> float:
    """The round's prompt, built once, posted to everyone in a loop with the bot's client."""
    with bot.db.transaction() as session:
        behaviours = tuple(
            session.scalars(select(Round.behaviour_ids).where(Round.id == round_id)).one()
        )
    message = _prompt(behaviours, round_id)
    client = bot.outbound.client
    start = time.perf_counter()
    for user in people:
        client.chat_postMessage(channel=user, **message)
    return time.perf_counter() - start


def _prompt(behaviours: tuple[str, ...], prompt_id: int) -> dict[str, Any]:
    return prompt_message(
        prompt_id=prompt_id,
        week=str(week_of(utc_now())),
        behaviour_ids=behaviours,
        answers={},
        closes_at=utc_now() + timedelta(days=6),
        threshold=5,
    )


def _delivered(slack: StandInSlack) -> Counter[str]:
    """Accepted chat.postMessage calls per DM target."""
    return Counter(str(c.args.get("channel")) for c in slack.calls_to("chat.postMessage") if c.ok)


def _prompt_states(bot: Bot, round_id: int) -> tuple[int, int, int]:
    """(sent prompts, distinct people they went to, prompts in any other state)."""
    with bot.db.transaction() as session:
        sent, people = session.execute(
            select(func.count(), func.count(func.distinct(Prompt.user_id))).where(
                Prompt.round_id == round_id, Prompt.state == "sent"
            )
        ).one()
        other = session.scalar(
            select(func.count()).where(Prompt.round_id == round_id, Prompt.state != "sent")
        )
    return int(sent), int(people), int(other or 0)


def _send(bot: Bot, round_id: int | None) -> tuple[int, float]:
    """DMs sent by one pass over the outbox, and the seconds it took."""
    start = time.perf_counter()
    report = send_due_prompts(bot.outbound, round_id=round_id)
    return report.sent, time.perf_counter() - start


def run(context: Run) -> Section:
    """Measure the fan-out with and without Slack-like limits."""
    sizes: Sizes = context.pick(SIZES)
    section = Section("fanout", f"Fan-out: one round to {sizes.members:,} members")
    folder = context.scratch("fanout")
    users = user_ids(sizes.members + sizes.tick_members + sizes.distant_members)
    users, ticked, distant = (
        users[: sizes.members],
        users[sizes.members : sizes.members + sizes.tick_members],
        users[sizes.members + sizes.tick_members :],
    )
    url = sqlite_url(folder / "pulse.db")
    context.say(
        f"  a year of history: {sizes.history.teams:,} teams × {sizes.history.weeks} weeks "
        f"× {sizes.history.members} members, rounds and sent prompts"
    )
    history = write_history(url, sizes.history, answers=False)
    old_prompts = _count_prompts(url)
    workspace = workspace_with(
        [*users, *ticked, *distant],
        {
            OPEN_CHANNEL: users,
            LIMITED_CHANNEL: users,
            TICK_CHANNEL: ticked,
            DISTANT_CHANNEL: distant,
        },
    )
    with schema_check_off(), standin(workspace) as slack:
        bot = bench_bot(database_url=url, api_url=slack.api_url)
        everyone = {MANAGER, *users}
        context.say(f"  (a) a round of {len(everyone):,}, no limits: the outbox and a plain loop")
        open_round = _team(bot, OPEN_CHANNEL, users)
        people = [MANAGER, *users]
        half = len(people) // 2
        floor_seconds = _plain_loop(bot, open_round, people[:half])
        slack.reset_calls()
        sent, bot_seconds = _send(bot, open_round)
        open_checks = _check(
            "(a)", _delivered(slack), everyone, _prompt_states(bot, open_round), sent
        )
        floor_seconds += _plain_loop(bot, open_round, people[half:])
        context.say(f"  (c) a round of {sizes.tick_members + 1:,} sent by the schedule's pass")
        tick_round = _team(bot, TICK_CHANNEL, ticked)
        slack.reset_calls()
        bot.outbound.pacer = Pacer()  # as a fresh process would start
        tick_sent, tick_seconds = _send(bot, None)
        tick_checks = _check(
            "(c)", _delivered(slack), {MANAGER, *ticked}, _prompt_states(bot, tick_round), tick_sent
        )
        context.say(
            f"  (d) a round of {sizes.distant_members + 1:,} with {SLACK_ROUND_TRIP * 1000:.0f} ms "
            "per Slack call"
        )
        distant_round = _team(bot, DISTANT_CHANNEL, distant)
        slack.latency_seconds = SLACK_ROUND_TRIP
        bot.outbound.pacer = Pacer()
        distant_people = [MANAGER, *distant]
        distant_half = len(distant_people) // 2
        distant_floor = _plain_loop(bot, distant_round, distant_people[:distant_half])
        slack.reset_calls()
        distant_sent, distant_seconds = _send(bot, distant_round)
        distant_checks = _check(
            "(d)",
            _delivered(slack),
            set(distant_people),
            _prompt_states(bot, distant_round),
            distant_sent,
        )
        distant_floor += _plain_loop(bot, distant_round, distant_people[distant_half:])
        slack.latency_seconds = 0.0
        budget = workspace_budget(sent, sizes.limited_floor)
        floor = limits_floor(sent, budget)
        context.say(f"  (b) the {len(everyone):,} again in a third team, {budget:,} messages/min")
        limited_round = _team(bot, LIMITED_CHANNEL, users)
        slack.limits = RateLimits(per_channel_per_second=1, workspace_per_minute=budget)
        slack.reset_calls()
        bot.outbound.pacer = Pacer()
        limited_sent, limited_seconds = _send(bot, limited_round)
        limited_checks = _check(
            "(b)", _delivered(slack), everyone, _prompt_states(bot, limited_round), limited_sent
        )
        rate_limited = slack.rate_limited
        dms = [m for u in (MANAGER, *users[:200]) for m in slack.dms_to(u)]
        schema_ms = schema_check_ms({"text": dms[0].text, "blocks": dms[0].blocks})
        checked, problems = sampled_problems(dms, sample=50)
        bot.db.dispose()
    loop_rate = len(everyone) / floor_seconds
    unthrottled = section.figure(
        "(a) DMs per second, no limits, `send_due_prompts(out, round_id=…)`",
        sent / bot_seconds,
        "DMs/s",
        loop_rate,
        "plain chat_postMessage loop",
    )
    section.figure(
        "(c) DMs per second, the schedule's pass `send_due_prompts(out)`",
        tick_sent / tick_seconds,
        "DMs/s",
        loop_rate,
        "plain chat_postMessage loop",
    )
    section.figure(
        f"(d) DMs per second with {SLACK_ROUND_TRIP * 1000:.0f} ms per Slack call",
        distant_sent / distant_seconds,
        "DMs/s",
        len(distant_people) / distant_floor,
        "plain chat_postMessage loop, same latency",
    )
    limited_figure = section.figure(
        f"(b) time to DM everyone under limits ({budget:,}/min, 1/s per channel)",
        limited_seconds,
        "s",
        floor,
        "least time the limits allow",
    )
    section.targets = [
        at_least("fan-out, no limits: ≥ 0.8× the plain loop", unthrottled.ratio, 0.8, "×"),
        at_most("fan-out with limits: ≤ 1.1× their floor", limited_figure.ratio, 1.1, "×"),
    ]
    section.setup = [
        f"SQLite holding a year of history first ({history.shape.teams:,} teams × "
        f"{history.shape.weeks} weeks: {old_prompts:,} sent prompts in closed rounds). "
        f"{sizes.members:,} members plus the manager in the stand-in workspace, in this "
        f"process; it skips its Block Kit schema check while timing ({fmt(schema_ms)} ms of "
        "CPU a prompt here: Slack's work, not the bot's), and a sample of what it received is "
        "checked afterwards. The bot's client and pacer as `build_bot` "
        "makes them: 1 message/s per channel, no workspace rate, 429s honoured with "
        "Retry-After (up to 5 retries).",
        "(a) The floor posts the round's prompt (blocks built once) to every member in a "
        "plain loop with the bot's WebClient, half before and half after the bot's run. "
        "`send_due_prompts(out, round_id=…)`, as "
        "`/pulse send` and a round being opened call it, sends the round from the outbox: "
        "it claims due prompts in batches, posts them one by one and records each as sent "
        "before the next goes.",
        f"(c) A round of {sizes.tick_members:,} other members plus the manager sent by "
        "`send_due_prompts(out)` without a round, as the schedule's tick sends prompts that "
        "fall due; read against the same plain-loop floor. Each phase starts with a fresh "
        "pacer, as a new process would.",
        f"(d) As (a) for {sizes.distant_members:,} more members, with the stand-in waiting "
        f"{SLACK_ROUND_TRIP * 1000:.0f} ms before each answer, as a Web API call over the "
        "internet takes at least: the outbox's own cost read against a realistic call.",
        f"(b) A third team with the {sizes.members:,} members; the stand-in enforces 1 "
        f"message/s per channel and {budget:,} messages a minute for the workspace (a token "
        f"bucket that starts full), so {sent:,} DMs need at least 60·({sent:,} − {budget:,})/"
        f"{budget:,} = {fmt(floor)} s. The pacer's workspace rate stays off: pacing at "
        f"{fmt(budget / 60)}/s would give up the bucket's burst and take "
        f"{fmt(sent * 60 / budget)} s.",
    ]
    section.checks = [
        open_checks,
        tick_checks,
        distant_checks,
        limited_checks + f" The stand-in answered {rate_limited:,} calls with 429.",
        f"Block Kit: {checked} delivered prompts sampled and checked against the schema, "
        f"{problems} problems.",
    ]
    return section


def _count_prompts(url: str) -> int:
    db = Database.from_url(url)
    with db.transaction() as session:
        count = int(session.scalar(select(func.count()).select_from(Prompt)) or 0)
    db.dispose()
    return count


def _check(
    label: str,
    delivered: Counter[str],
    everyone: set[str],
    states: tuple[int, int, int],
    sent: int,
) -> str:
    missed = len(everyone - delivered.keys())
    twice = sum(1 for count in delivered.values() if count > 1)
    strangers = len(delivered.keys() - everyone)
    prompts_sent, prompt_people, other = states
    ok = missed == twice == strangers == other == 0 and prompt_people == len(everyone)
    return (
        f"{label} {'OK' if ok else 'PROBLEM'}: the stand-in accepted {sum(delivered.values()):,} "
        f"DMs for {len(delivered):,} people; missed {missed}, DMed twice {twice}, unknown "
        f"{strangers}; prompts table: {prompts_sent:,} sent to {prompt_people:,} people, "
        f"{other} in another state; send_due_prompts reported {sent:,} sent."
    )
