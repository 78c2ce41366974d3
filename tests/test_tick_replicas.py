"""Two replicas ticking at the same moment over many rounds due together: each round's
pulse, reminder pass, close and digest is taken by one of them, once; nobody is DMed twice
and nobody due is skipped. (The reminders and closes are claimed a batch of rounds at a
time, so a second replica must find every round of the batch already taken.)"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime

from sqlalchemy import ColumnElement, func, select

from bench.bot_setup import bench_bot
from bench.slack import schema_check_off, standin
from bench.tick_data import (
    CLOSE_MANY,
    REMIND_MANY,
    WEEK,
    Layout,
    channel_of,
    moment,
    write_tick_database,
)
from jobs.tick import TickReport, run_tick
from runtime.assembly import Bot
from services import reminders as reminder_service
from standin import StandInSlack, Workspace
from storage.models import Round

LAYOUT = Layout(teams=16, members=3, group=4, singles=0)


def _workspace() -> Workspace:
    workspace = Workspace()
    for n in range(1, LAYOUT.teams + 1):
        people = LAYOUT.members_of(n)
        for user in people:
            workspace.add_user(user, user.lower(), tz="Europe/London")
        workspace.add_channel(channel_of(n), f"team-{n}", people)
    return workspace


def _together(bots: list[Bot], at: datetime) -> list[TickReport]:
    """Both replicas' ticks, started at once."""
    start = threading.Barrier(len(bots))
    reports: list[TickReport] = []

    def tick(bot: Bot) -> None:
        bot.outbound.clock = lambda: at
        start.wait()
        reports.append(run_tick(bot.outbound))

    threads = [threading.Thread(target=tick, args=(bot,)) for bot in bots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(reports) == len(bots)
    return reports


def _posted(slack: StandInSlack, to: str) -> Counter[str]:
    """Messages Slack accepted, by channel: to people ("U…") or to team channels ("C…")."""
    channels = (str(c.args.get("channel")) for c in slack.calls_to("chat.postMessage") if c.ok)
    return Counter(channel for channel in channels if channel.startswith(to))


def _rounds(bot: Bot, numbers: range, done: ColumnElement[bool]) -> int:
    with bot.db.reading() as session:
        query = select(func.count()).where(
            Round.team_id.in_(list(numbers)), Round.week == WEEK, done
        )
        return int(session.scalar(query) or 0)


def test_two_replicas_remind_close_and_digest_each_due_round_once(database_url: str) -> None:
    write_tick_database(database_url, LAYOUT)
    with schema_check_off(), standin(_workspace()) as slack:
        bots = [bench_bot(database_url=database_url, api_url=slack.api_url) for _ in range(2)]
        try:
            _together(bots, moment(1, "11:00"))  # the pulses due on Tuesday: out of the way
            reminded = LAYOUT.teams_of(REMIND_MANY)
            slack.reset_calls()
            reports = _together(bots, moment(2, "11:00"))
            assert sum(r.reminded for r in reports) == len(reminded)
            assert _posted(slack, "U") == Counter(LAYOUT.members_of(n)[-1] for n in reminded)
            assert _rounds(bots[0], reminded, Round.reminded_at.is_not(None)) == len(reminded)
            closing = LAYOUT.teams_of(CLOSE_MANY)
            slack.reset_calls()
            reports = _together(bots, moment(3, "11:00"))
            assert sum(r.closed for r in reports) == len(closing)
            assert sum(r.digests for r in reports) == len(closing)
            assert _posted(slack, "C") == Counter(channel_of(n) for n in closing)
            assert _rounds(bots[0], closing, Round.closed_at.is_not(None)) == len(closing)
        finally:
            for bot in bots:
                bot.db.dispose()


def test_a_reminder_pass_cut_short_is_finished_by_the_next_tick(database_url: str) -> None:
    """The passes are taken and their nudges queued, one nudge is taken, and the process
    dies: the next tick sends the rest, once each, and leaves the one taken alone."""
    write_tick_database(database_url, LAYOUT)
    reminded = LAYOUT.teams_of(REMIND_MANY)
    at = moment(2, "11:00")
    with schema_check_off(), standin(_workspace()) as slack:
        bot = bench_bot(database_url=database_url, api_url=slack.api_url)
        try:
            _together([bot], moment(1, "11:00"))  # the pulses due on Tuesday: out of the way
            slack.reset_calls()
            with bot.db.reading() as session:
                rounds = list(
                    session.scalars(
                        select(Round.id).where(
                            Round.team_id.in_(list(reminded)), Round.week == WEEK
                        )
                    )
                )
            taken = reminder_service.claim_reminders(db=bot.db, round_ids=rounds, now=at)
            queued = reminder_service.queued_reminders(db=bot.db)
            assert taken == len(reminded) and len(queued) == len(reminded)
            assert reminder_service.take_reminder(db=bot.db, prompt_id=queued[0].prompt_id)
            bot.outbound.clock = lambda: at
            assert run_tick(bot.outbound).reminded == len(reminded) - 1
            assert run_tick(bot.outbound).reminded == 0
            unanswered = Counter(LAYOUT.members_of(n)[-1] for n in reminded)
            del unanswered[queued[0].user_id]
            assert _posted(slack, "U") == unanswered
        finally:
            bot.db.dispose()
