"""The bot connected over Socket Mode to the stand-in Slack, as `bot.py socket` connects it.

The bot is assembled and connected by the same functions `bot.py socket` uses
(runtime.assembly.build_bot, runtime.socket_mode.socket_handler); only the clock is
simulated, so rounds do not depend on today's date, and the client pings every second
rather than every ten, so a dropped connection is noticed and replaced sooner.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt.adapter.socket_mode import SocketModeHandler

from config.settings import load_settings
from delivery.pacing import Pacer
from runtime.assembly import Bot, build_bot
from runtime.socket_mode import socket_handler
from standin import SocketModeSender, StandInSlack
from tests.support import BOT_TOKEN, MANAGER, TEAM_CHANNEL, FakeClock, send_command

PING_SECONDS = 1.0


@dataclass
class SocketBot:
    """The bot on a Socket Mode connection, the stand-in Slack, and a sender of envelopes."""

    bot: Bot
    handler: SocketModeHandler
    slack: StandInSlack
    sender: SocketModeSender
    clock: FakeClock

    def command(self, text: str, *, user: str = MANAGER, channel: str = TEAM_CHANNEL) -> Any:
        """/pulse in an envelope; the acknowledgement must pass Block Kit."""
        return send_command(self.slack, self.sender, text, user=user, channel=channel)

    def stop(self) -> None:
        """Close the connection and release the database.

        The stand-in resets the connection first: the client's reader then stops at once
        instead of waiting out its three-second receive timeout.
        """
        self.handler.client.auto_reconnect_enabled = False
        self.slack.socket_mode.reset_connections()
        self.handler.close()
        self.bot.db.dispose()


def start_socket_bot(database_url: str, slack: StandInSlack, clock: FakeClock) -> SocketBot:
    """Build the bot for Socket Mode (no signing secret) and connect it to the stand-in."""
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": slack.app_token,
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": database_url,
            "PULSE_SCHEDULER": "off",
        }
    )
    bot = build_bot(settings, socket_mode=True, pacer=Pacer(per_channel_interval=0.0))
    bot.outbound.clock = clock
    handler = socket_handler(bot, settings.require_app_token(), ping_interval=PING_SECONDS)
    handler.connect()
    slack.socket_mode.wait_for_connections(1)
    sender = SocketModeSender(slack.socket_mode)
    return SocketBot(bot=bot, handler=handler, slack=slack, sender=sender, clock=clock)
