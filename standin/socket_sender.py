"""Send slash commands, clicks and events to a bot over Socket Mode, as Slack does.

The Socket Mode twin of `SlackRequestSender`: the same payloads (standin.payloads), put in
envelopes on the bot's WebSocket by the stand-in's `SocketModeHub` instead of signed POSTs.
Each call waits for the bot's acknowledgement, redeliveries included, and returns it as a
`SlackReply` (status 200, the acknowledgement's payload as the JSON body), so a test written
against HTTP reads the answer the same way.
"""

from __future__ import annotations

import json
from typing import Any

from standin.identity import DEFAULT_APP_ID, DEFAULT_BOT_ID, DEFAULT_BOT_USER_ID
from standin.payloads import SlackPayloads, SlackReply
from standin.socket_mode import SocketModeHub


class SocketModeSender(SlackPayloads):
    """Puts Slack-shaped payloads in envelopes and waits until the bot acknowledges them."""

    def __init__(
        self,
        hub: SocketModeHub,
        *,
        api_app_id: str = DEFAULT_APP_ID,
        bot_user_id: str = DEFAULT_BOT_USER_ID,
        bot_id: str = DEFAULT_BOT_ID,
        verification_token: str = "standin-verification-token",
        timeout: float = 15.0,
    ) -> None:
        super().__init__(
            api_app_id=api_app_id,
            bot_user_id=bot_user_id,
            bot_id=bot_id,
            verification_token=verification_token,
        )
        self.hub = hub
        self.timeout = timeout

    def _deliver(self, kind: str, payload: dict[str, Any]) -> SlackReply:
        envelope = self.hub.wait_for_ack(self.hub.send(kind, payload), self.timeout)
        body = b"" if envelope.response is None else json.dumps(envelope.response).encode()
        headers = {"Content-Type": "application/json", "X-Envelope-Id": envelope.envelope_id}
        return SlackReply(200, headers, body)

    def _send_command(self, fields: dict[str, str]) -> SlackReply:
        return self._deliver("slash_commands", dict(fields))

    def _send_interaction(self, payload: dict[str, Any]) -> SlackReply:
        return self._deliver("interactive", payload)

    def _send_event(self, body: dict[str, Any]) -> SlackReply:
        return self._deliver("events_api", body)
