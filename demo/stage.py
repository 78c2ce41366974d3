"""The demo's stage: the stand-in workspace, and the bot serving it on loopback.

The bot is assembled as `serve` assembles it, so the demo exercises the real paths; only
the clock is simulated, and only the demo moves it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from config.settings import load_settings
from delivery.pacing import Pacer
from demo.partners import COUNCIL, PARTNERS
from demo.people import Person
from jobs.tick import TickReport, run_tick
from runtime.assembly import Bot, build_bot
from runtime.http import HttpServer
from standin.clock import ManualClock
from standin.signer import SlackRequestSender
from standin.webapi import StandInSlack
from standin.workspace import DEFAULT_BOT_USER_ID, Message, Workspace
from surveys.weeks import Week, week_words

CHANNEL_ID = "C0PARTNERS"
CHANNEL_NAME = "community-safety-partnership"
HELPER_BOT = "U0MINUTES1"
FORMER_MEMBER = "U0FORMER01"
NEVER_ASKED = (DEFAULT_BOT_USER_ID, HELPER_BOT, FORMER_MEMBER)

SIGNING_SECRET = "demo-signing-secret-for-loopback-only"
BOT_TOKEN = "xoxb-demo-standin-token"


@dataclass
class Stage:
    """The running pieces: stand-in Slack, the bot serving HTTP, and a signed-request sender."""

    slack: StandInSlack
    bot: Bot
    server: HttpServer
    sender: SlackRequestSender
    clock: ManualClock
    requests: int = 0

    def response_url(self, kind: str, **bound: Any) -> str:
        """Count a signed request about to be sent, and give it a response_url of its own."""
        self.requests += 1
        return self.slack.response_url(f"{kind}-{self.requests}", **bound)

    def tick(self, moment: datetime) -> TickReport:
        """Move the clock and let the scheduler do whatever is due."""
        self.clock.set(moment)
        return run_tick(self.bot.outbound)

    def stop(self) -> None:
        """Stop serving and release the database."""
        self.server.stop()
        self.bot.db.dispose()


def workspace_for(team: Sequence[Person]) -> Workspace:
    """The council's stand-in workspace: the team channel, shared through Slack Connect with
    the NHS trust's and the police's workspaces, with its people, a bot and a leaver."""
    workspace = Workspace(team_name=COUNCIL.name, domain="hartwell-council")
    for partner in PARTNERS:
        if partner.workspace:
            workspace.connect_team(partner.workspace, partner.name, partner.workspace_domain)
    for person in team:
        add_person(workspace, person)
    workspace.add_user(HELPER_BOT, "minutes-bot", is_bot=True, real_name="Minutes bot")
    workspace.add_user(FORMER_MEMBER, "kevin.marsh", deleted=True, real_name="Kevin Marsh")
    members = [p.user_id for p in team] + [DEFAULT_BOT_USER_ID, HELPER_BOT, FORMER_MEMBER]
    workspace.add_channel(CHANNEL_ID, CHANNEL_NAME, members)
    return workspace


def add_person(workspace: Workspace, person: Person) -> None:
    """A member of the council's workspace, or of a partner's own one (Slack Connect)."""
    partner = person.partner
    if partner.workspace is None:
        workspace.add_user(
            person.user_id,
            person.handle,
            tz=person.tz,
            real_name=person.real_name,
            email=person.email,
        )
        return
    workspace.add_external_user(
        person.user_id,
        person.handle,
        partner.workspace,
        tz=person.tz,
        dm_refused=partner.dm_refused,
    )
    workspace.update_user(person.user_id, real_name=person.real_name)


def start_stage(slack: StandInSlack, database_url: str, clock: ManualClock) -> Stage:
    """Assemble the bot as `serve` does, pointed at the stand-in, on an ephemeral port.

    Pacing is turned off because simulated days pass in milliseconds: real-time spacing
    between a member's prompt and their reminder would only make the demo wait.
    """
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": database_url,
            "PULSE_SCHEDULER": "off",
        }
    )
    bot = build_bot(settings, pacer=Pacer(per_channel_interval=0.0))
    bot.outbound.clock = clock
    slack.clock = clock  # response_url limits (30 minutes) run on the simulated clock
    server = HttpServer(bot.wsgi()).start()
    sender = SlackRequestSender(server.url, SIGNING_SECRET)
    return Stage(slack=slack, bot=bot, server=server, sender=sender, clock=clock)


def is_digest(message: Message, week: Week | str) -> bool:
    """Whether a channel message is the digest of a week (its plain-text fallback says so);
    an empty ``week`` matches any week's."""
    if not message.text.startswith("Partnership pulse · "):
        return False
    return not str(week) or f" · {week_words(str(week))}: " in message.text
