"""Shared test helpers: a settable clock, and the running bot wired to a stand-in Slack.

`FakeClock` is `standin.clock.ManualClock`, the clock the demo moves too, under the name
the tests have always used.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from config.settings import load_settings
from runtime.assembly import Bot, build_bot
from runtime.http import HttpServer
from standin import SlackRequestSender, StandInSlack, Workspace, check_message
from standin.clock import ManualClock as FakeClock
from standin.payloads import SlackPayloads

SIGNING_SECRET = "test-signing-secret-0123456789"
BOT_TOKEN = "xoxb-standin-token"
TEAM_CHANNEL = "C0TEAM0001"
MANAGER = "U0MANAGER"
MEMBERS = tuple(f"U0MEMBER{i:02d}" for i in range(1, 9))
OUTSIDER = "U0OUTSIDER"


def standard_workspace() -> Workspace:
    """A team channel with a manager, eight members, a bot and a deactivated account."""
    workspace = Workspace()
    workspace.add_user(MANAGER, "manager", tz="Europe/London")
    for i, user in enumerate(MEMBERS):
        workspace.add_user(user, f"member{i}", tz="Europe/London" if i % 2 else "America/New_York")
    workspace.add_user(OUTSIDER, "outsider")
    workspace.add_user("U0HELPERBOT", "helperbot", is_bot=True)
    workspace.add_user("U0LEFTJOB", "leftjob", deleted=True)
    workspace.add_channel(
        TEAM_CHANNEL,
        "partnership",
        [MANAGER, *MEMBERS, "U0HELPERBOT", "U0LEFTJOB"],
    )
    return workspace


@dataclass
class RunningBot:
    """The bot serving HTTP, its database, the stand-in Slack and a signed-request sender."""

    bot: Bot
    server: HttpServer
    slack: StandInSlack
    sender: SlackRequestSender
    clock: FakeClock

    def command(self, text: str, *, user: str = MANAGER, channel: str = TEAM_CHANNEL) -> Any:
        """Send /pulse with a response_url the stand-in records; the ack must pass Block Kit."""
        return send_command(self.slack, self.sender, text, user=user, channel=channel)

    def stop(self) -> None:
        """Stop serving and release the database."""
        self.server.stop()
        self.bot.db.dispose()


def send_command(
    slack: StandInSlack, sender: SlackPayloads, text: str, *, user: str, channel: str
) -> Any:
    """/pulse over HTTP or Socket Mode, with a response_url the stand-in records; the
    acknowledgement must pass Block Kit."""
    reply = sender.slash_command(
        text=text,
        user_id=user,
        channel_id=channel,
        response_url=slack.response_url(f"cmd-{time.monotonic_ns()}"),
    )
    if reply.status == 200 and reply.body:
        body = reply.json()
        assert check_message(body.get("text", ""), body.get("blocks")) == [], body
    return reply


def start_bot(database_url: str, slack: StandInSlack, clock: FakeClock) -> RunningBot:
    """Assemble the bot exactly as `bot.py serve` does, on an ephemeral port."""
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": database_url,
            "PULSE_SCHEDULER": "off",
        }
    )
    bot = build_bot(settings)
    bot.outbound.clock = clock
    bot.outbound.pacer = _no_wait_pacer()
    server = HttpServer(bot.wsgi()).start()
    sender = SlackRequestSender(server.url, SIGNING_SECRET)
    return RunningBot(bot=bot, server=server, slack=slack, sender=sender, clock=clock)


def _no_wait_pacer() -> Any:
    from delivery.pacing import Pacer

    return Pacer(per_channel_interval=0.0)


class SeesSlack(Protocol):
    """Anything that drives the bot against a stand-in Slack (over HTTP or Socket Mode)."""

    @property
    def slack(self) -> StandInSlack: ...


def responded(running: SeesSlack, words: str) -> bool:
    """Whether a reply through a response_url contained these words."""
    return any(words in r["body"].get("text", "") for r in running.slack.responses)


def wait_for(condition: Callable[[], Any], *, timeout: float = 5.0) -> Any:
    """Poll until a condition holds (lazy listeners run after the HTTP reply)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


TUESDAY_10 = datetime(2026, 11, 17, 10, 0, tzinfo=UTC)  # a Tuesday of 2026-W47
ROUND_WEEK = "2026-W47"
