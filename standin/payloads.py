"""The payloads Slack sends an app: slash commands, interactions and events.

The same payloads reach a bot over HTTP (signed POSTs to its request URL) and over Socket
Mode (inside envelopes on its WebSocket), so they are built once here. `SlackRequestSender`
(standin.signer) and `SocketModeSender` (standin.socket_sender) each say how to deliver them.
Field names and nesting follow Slack's payload samples (shared oracles `payloads/`) and the
examples in "Using Socket Mode".
"""

from __future__ import annotations

import itertools
import json
import secrets
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from standin.identity import DEFAULT_APP_ID, DEFAULT_BOT_ID, DEFAULT_BOT_USER_ID, DEFAULT_TEAM_ID


@dataclass(frozen=True)
class SlackReply:
    """The bot's answer: an HTTP response, or a Socket Mode acknowledgement as one (status
    200 and the acknowledgement's payload as the JSON body)."""

    status: int
    headers: dict[str, str]
    body: bytes = field(repr=False)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    def header(self, name: str) -> str | None:
        """Case-insensitive header lookup."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)


class SlackPayloads(ABC):
    """Builds Slack-shaped payloads for one app; subclasses deliver them."""

    def __init__(
        self,
        *,
        api_app_id: str = DEFAULT_APP_ID,
        bot_user_id: str = DEFAULT_BOT_USER_ID,
        bot_id: str = DEFAULT_BOT_ID,
        verification_token: str = "standin-verification-token",
    ) -> None:
        self.api_app_id = api_app_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.verification_token = verification_token
        self._ids = itertools.count(1)

    @abstractmethod
    def _send_command(self, fields: dict[str, str]) -> SlackReply:
        """Deliver a slash command's fields; the app's acknowledgement."""

    @abstractmethod
    def _send_interaction(self, payload: dict[str, Any]) -> SlackReply:
        """Deliver an interaction payload (block_actions, view_submission)."""

    @abstractmethod
    def _send_event(self, body: dict[str, Any]) -> SlackReply:
        """Deliver an Events API `event_callback` body."""

    def new_trigger_id(self) -> str:
        return f"{int(time.time())}.{next(self._ids)}.{secrets.token_hex(16)}"

    def slash_command(
        self,
        *,
        text: str,
        user_id: str,
        channel_id: str,
        command: str = "/pulse",
        team_id: str = DEFAULT_TEAM_ID,
        response_url: str = "",
        trigger_id: str | None = None,
        user_name: str | None = None,
        channel_name: str = "",
    ) -> SlackReply:
        """A slash command (over HTTP Slack form-encodes these fields)."""
        return self._send_command(
            {
                "token": self.verification_token,
                "team_id": team_id,
                "team_domain": "standin",
                "channel_id": channel_id,
                "channel_name": channel_name or channel_id,
                "user_id": user_id,
                "user_name": user_name or user_id,
                "command": command,
                "text": text,
                "api_app_id": self.api_app_id,
                "is_enterprise_install": "false",
                "response_url": response_url,
                "trigger_id": trigger_id or self.new_trigger_id(),
            }
        )

    def block_action(
        self,
        *,
        user_id: str,
        action_id: str,
        value: str,
        block_id: str,
        channel_id: str,
        message_ts: str,
        team_id: str = DEFAULT_TEAM_ID,
        container_type: str = "message",
        response_url: str = "",
        message_blocks: list[dict[str, Any]] | None = None,
        message_text: str = "",
        trigger_id: str | None = None,
        view: dict[str, Any] | None = None,
        is_ephemeral: bool = False,
        user_team_id: str | None = None,
    ) -> SlackReply:
        """A button click (`block_actions`) on a message or in a view.

        `user_team_id` is the clicker's home workspace (another organisation's, in a Slack
        Connect channel); `team_id` stays the workspace the app is installed in. A click on
        an ephemeral message carries no `message` (standin/connect.py)."""
        action_ts = f"{time.time():.6f}"
        container: dict[str, Any] = {"type": container_type}
        if container_type == "view":
            container["view_id"] = (view or {}).get("id", "")
        else:
            container.update(
                {"message_ts": message_ts, "channel_id": channel_id, "is_ephemeral": is_ephemeral}
            )
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {
                "id": user_id,
                "username": user_id,
                "name": user_id,
                "team_id": user_team_id or team_id,
            },
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "container": container,
            "trigger_id": trigger_id or self.new_trigger_id(),
            "team": {"id": team_id, "domain": "standin"},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel_id, "name": channel_id},
            "state": {"values": {}},
            "response_url": response_url,
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": block_id,
                    "text": {"type": "plain_text", "text": value, "emoji": True},
                    "value": value,
                    "action_ts": action_ts,
                }
            ],
        }
        if container_type == "view":
            payload["view"] = view or {}
            del payload["channel"]
        elif not is_ephemeral:
            payload["message"] = {
                "type": "message",
                "subtype": "bot_message",
                "text": message_text,
                "ts": message_ts,
                "user": self.bot_user_id,
                "bot_id": self.bot_id,
                "team": team_id,
                "blocks": message_blocks or [],
            }
        return self._send_interaction(payload)

    def view_submission(
        self,
        *,
        user_id: str,
        view: dict[str, Any],
        team_id: str = DEFAULT_TEAM_ID,
        trigger_id: str | None = None,
    ) -> SlackReply:
        """A modal submission; `view` supplies callback_id, state.values, private_metadata."""
        full_view: dict[str, Any] = {
            "id": "V0STANDIN",
            "team_id": team_id,
            "type": "modal",
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "state": {"values": {}},
            "hash": f"{int(time.time())}.standin",
            "title": {"type": "plain_text", "text": "Pulse"},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": {"type": "plain_text", "text": "Submit"},
            "previous_view_id": None,
            "root_view_id": "V0STANDIN",
            "app_id": self.api_app_id,
            "external_id": "",
            "app_installed_team_id": team_id,
            "bot_id": self.bot_id,
        }
        full_view.update(view)
        return self._send_interaction(
            {
                "type": "view_submission",
                "team": {"id": team_id, "domain": "standin"},
                "user": {"id": user_id, "username": user_id, "name": user_id, "team_id": team_id},
                "api_app_id": self.api_app_id,
                "token": self.verification_token,
                "trigger_id": trigger_id or self.new_trigger_id(),
                "view": full_view,
                "response_urls": [],
                "is_enterprise_install": False,
                "enterprise": None,
            }
        )

    def event(
        self, event: dict[str, Any], *, team_id: str = DEFAULT_TEAM_ID, event_id: str | None = None
    ) -> SlackReply:
        """An Events API `event_callback` envelope around `event`."""
        now = time.time()
        body = {"event_ts": f"{now:.6f}", **event}
        return self._send_event(
            {
                "token": self.verification_token,
                "team_id": team_id,
                "api_app_id": self.api_app_id,
                "event": body,
                "type": "event_callback",
                "event_id": event_id or f"Ev0STANDIN{next(self._ids):06d}",
                "event_time": int(now),
                "authorizations": [
                    {
                        "enterprise_id": None,
                        "team_id": team_id,
                        "user_id": self.bot_user_id,
                        "is_bot": True,
                        "is_enterprise_install": False,
                    }
                ],
                "is_ext_shared_channel": False,
                "event_context": f"standin-{next(self._ids)}",
            }
        )
