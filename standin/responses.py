"""What Slack does with what an app sends back to an interaction: a post to a
`response_url`, or a Socket Mode acknowledgement's payload.

Each is checked against Block Kit like any message, recorded for tests to assert on, and,
when it is bound to a message and a user, changes the workspace the way Slack would:
`replace_original`, `delete_original`, `in_channel` and ephemeral replies.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from standin.blockkit import check_message
from standin.connect import RESPONSE_URL_MINUTES, RESPONSE_URL_USES
from standin.methods import Reply
from standin.records import Records
from standin.socket_mode import Envelope
from standin.workspace import Workspace


@dataclass(frozen=True)
class ResponseTarget:
    """Where a response_url's messages go (the message a button sat on, its user)."""

    team_id: str
    channel_id: str | None
    message_ts: str | None
    user_id: str | None
    # An ephemeral message's response_url: it replaces or deletes that ephemeral, and
    # Slack honours it five times within 30 minutes (standin/connect.py).
    ephemeral: bool = False
    issued_at: datetime | None = None


class Responses:
    """The response URLs handed out, and the replies that reach them or come with an ack."""

    def __init__(
        self,
        records: Records,
        *,
        workspace_of: Callable[[str], Workspace],
        default_team_id: str,
        clock: Callable[[], datetime],
    ) -> None:
        self._records = records
        self._workspace_of = workspace_of  # raises KeyError for a workspace it does not know
        self._default_team_id = default_team_id
        self._clock = clock
        self._targets: dict[str, ResponseTarget] = {}
        self._uses: dict[str, int] = {}
        self._lock = threading.Lock()

    def bind(self, key: str, target: ResponseTarget) -> None:
        """Make the response URL of ``key`` change the workspace at ``target``."""
        with self._lock:
            self._targets[key] = target

    def handle(self, key: str, body: bytes) -> Reply:
        """A post to the response URL of ``key``."""
        try:
            message = json.loads(body.decode("utf-8") or "null")
        except (UnicodeDecodeError, json.JSONDecodeError):
            message = None
        if not isinstance(message, dict):
            self._records.add_response({"key": key, "body": body, "accepted": False})
            return 400, {"ok": False, "error": "invalid_payload"}, {}
        problems = check_message(message.get("text"), message.get("blocks"))
        if "blocks" in message and problems:
            self._records.add_problems("response_url", problems)
            self._records.add_response({"key": key, "body": message, "accepted": False})
            return 400, {"ok": False, "error": "invalid_blocks"}, {}
        with self._lock:
            target = self._targets.get(key)
            refusal = self._spent(key, target)
        if refusal:
            self._records.add_response({"key": key, "body": message, "accepted": False})
            return 404, {"ok": False, "error": refusal}, {}
        if target is not None:
            self._apply(target, message)
        self._records.add_response({"key": key, "body": message, "accepted": True})
        return 200, {"ok": True}, {}

    def _spent(self, key: str, target: ResponseTarget | None) -> str | None:
        """Why an ephemeral's response_url no longer works, counting this use (caller holds
        the lock). Slack documents the limits, not the refusal's wording: these names
        are the stand-in's."""
        if target is None or target.issued_at is None:
            return None
        if self._clock() - target.issued_at > timedelta(minutes=RESPONSE_URL_MINUTES):
            return "expired_url"
        uses = self._uses.get(key, 0) + 1
        if uses > RESPONSE_URL_USES:
            return "used_url"
        self._uses[key] = uses
        return None

    def apply_ack(self, envelope: Envelope, response: dict[str, Any] | None) -> None:
        """What Slack does with an acknowledgement's payload: a slash command's becomes the
        reply the person sees, checked against Block Kit like any message."""
        if envelope.type != "slash_commands" or not response:
            return
        if not isinstance(response.get("text"), str) and not response.get("blocks"):
            return
        problems = check_message(response.get("text"), response.get("blocks"))
        if problems:
            self._records.add_problems("socket_mode_ack", problems)
            return
        payload = envelope.payload
        target = ResponseTarget(
            str(payload.get("team_id") or self._default_team_id),
            str(payload.get("channel_id") or "") or None,
            None,
            str(payload.get("user_id") or "") or None,
        )
        with contextlib.suppress(KeyError):  # a workspace the stand-in does not know
            self._apply(target, response)

    def _apply(self, target: ResponseTarget, message: dict[str, Any]) -> None:
        ws = self._workspace_of(target.team_id)
        text, blocks = message.get("text"), message.get("blocks")
        if target.ephemeral and target.channel_id and target.message_ts and target.user_id:
            if message.get("delete_original"):
                ws.delete_ephemeral(target.channel_id, target.user_id, target.message_ts)
                return
            if message.get("replace_original") and isinstance(text, str):
                ws.replace_ephemeral(
                    target.channel_id, target.user_id, target.message_ts, text=text, blocks=blocks
                )
                return
        if target.channel_id and target.message_ts:
            if message.get("delete_original"):
                ws.delete_message(target.channel_id, target.message_ts)
                return
            if message.get("replace_original"):
                ws.update_message(target.channel_id, target.message_ts, text=text, blocks=blocks)
                return
        if not target.channel_id or not isinstance(text, str):
            return
        if message.get("response_type") == "in_channel":
            ws.post_message(
                target.channel_id, text=text, blocks=blocks, user=ws.bot_user_id, bot_id=ws.bot_id
            )
        elif target.user_id:
            ws.post_ephemeral(target.channel_id, target.user_id, text=text, blocks=blocks)
