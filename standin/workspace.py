"""One stand-in Slack workspace: its people, conversations, messages, views and files.

Each part lives in its own module (`people`, `conversations`, `messages`, `views`,
`files`) over the identity and lock in `identity`; `Workspace` puts them together.
Values handed out are immutable snapshots (frozen dataclasses or fresh dicts/lists), so
a test can hold on to them without racing the server.
"""

from __future__ import annotations

from standin.conversations import Channel
from standin.files import Files, UploadedFile
from standin.identity import (
    DEFAULT_APP_ID,
    DEFAULT_BOT_ID,
    DEFAULT_BOT_USER_ID,
    DEFAULT_TEAM_ID,
    DEFAULT_TEAM_NAME,
)
from standin.messages import EphemeralMessage, Message, Messages
from standin.people import User
from standin.views import Views

__all__ = [
    "DEFAULT_APP_ID",
    "DEFAULT_BOT_ID",
    "DEFAULT_BOT_USER_ID",
    "DEFAULT_TEAM_ID",
    "DEFAULT_TEAM_NAME",
    "Channel",
    "EphemeralMessage",
    "Message",
    "UploadedFile",
    "User",
    "Workspace",
]


class Workspace(Messages, Views, Files):
    """Users, channels, DMs, messages, views and files of one Slack team.

    Tests build the workspace up front (`add_user`, `add_channel`), hand it to
    the server, then inspect what the bot did through the same object.
    """

    def __init__(
        self,
        team_id: str = DEFAULT_TEAM_ID,
        *,
        team_name: str = DEFAULT_TEAM_NAME,
        domain: str = "standin",
        bot_user_id: str = DEFAULT_BOT_USER_ID,
        bot_id: str = DEFAULT_BOT_ID,
        app_id: str = DEFAULT_APP_ID,
        bot_name: str = "pulse",
    ) -> None:
        super().__init__(
            team_id,
            team_name=team_name,
            domain=domain,
            bot_user_id=bot_user_id,
            bot_id=bot_id,
            app_id=app_id,
            bot_name=bot_name,
        )
        # Like real Slack, the app's bot user is a (bot) member of the team.
        self.add_user(bot_user_id, bot_name, is_bot=True, real_name=bot_name)
