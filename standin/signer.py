"""Send requests to the bot's HTTP endpoint exactly as Slack signs them.

Slack signs every slash command, interaction and event with
`X-Slack-Signature: v0=hex(HMAC-SHA256(secret, "v0:{ts}:{body}"))` and
`X-Slack-Request-Timestamp`. Bolt rejects anything else, so tests that
drive the bot from outside need real signatures, and tests of the
verification itself need a way to forge, replay and corrupt them
(`post(...)` with explicit `timestamp`/`signature`).

Only the standard library is used, so this works against any server.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

from standin.identity import DEFAULT_APP_ID, DEFAULT_BOT_ID, DEFAULT_BOT_USER_ID
from standin.payloads import SlackPayloads, SlackReply

__all__ = ["SlackReply", "SlackRequestSender", "sign"]


def sign(signing_secret: str, timestamp: int | str, body: bytes) -> str:
    """Slack's v0 request signature for `body` sent at `timestamp`."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    digest = hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return f"v0={digest}"


class SlackRequestSender(SlackPayloads):
    """Signs Slack-shaped payloads (built by SlackPayloads) and POSTs them to the bot."""

    def __init__(
        self,
        base_url: str,
        signing_secret: str,
        *,
        events_path: str = "/slack/events",
        api_app_id: str = DEFAULT_APP_ID,
        bot_user_id: str = DEFAULT_BOT_USER_ID,
        bot_id: str = DEFAULT_BOT_ID,
        verification_token: str = "standin-verification-token",
        timeout: float = 10.0,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        super().__init__(
            api_app_id=api_app_id,
            bot_user_id=bot_user_id,
            bot_id=bot_id,
            verification_token=verification_token,
        )
        self.base_url = base_url.rstrip("/")
        self.signing_secret = signing_secret
        self.events_path = events_path
        self.timeout = timeout
        self._parts = parts

    # ------------------------------------------------------------- low level

    def _connection(self) -> http.client.HTTPConnection:
        host, port = self._parts.hostname or "", self._parts.port
        if self._parts.scheme == "https":
            return http.client.HTTPSConnection(host, port, timeout=self.timeout)
        return http.client.HTTPConnection(host, port, timeout=self.timeout)

    def _full_path(self, path: str) -> str:
        return (self._parts.path.rstrip("/") + "/" + path.lstrip("/")) or "/"

    def _request(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> SlackReply:
        connection = self._connection()
        try:
            connection.request(method, self._full_path(path), body=body, headers=headers)
            response = connection.getresponse()
            return SlackReply(response.status, dict(response.getheaders()), response.read())
        finally:
            connection.close()

    def post(
        self,
        body: bytes,
        *,
        content_type: str,
        timestamp: int | None = None,
        signature: str | None = None,
        extra_headers: dict[str, str] | None = None,
        path: str | None = None,
    ) -> SlackReply:
        """POST `body` signed now; pass `timestamp`/`signature` to send stale or forged ones."""
        ts = int(time.time()) if timestamp is None else timestamp
        if signature is None:
            signature = sign(self.signing_secret, ts, body)
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": signature,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }
        headers.update(extra_headers or {})
        return self._request("POST", path or self.events_path, body, headers)

    def get(self, path: str, *, headers: dict[str, str] | None = None) -> SlackReply:
        """Plain unsigned GET, e.g. for health checks or the OAuth install page."""
        return self._request("GET", path, None, headers or {})

    def _post_form(self, fields: dict[str, str]) -> SlackReply:
        return self.post(
            urlencode(fields).encode(), content_type="application/x-www-form-urlencoded"
        )

    def _post_json(self, document: dict[str, Any]) -> SlackReply:
        return self.post(json.dumps(document).encode(), content_type="application/json")

    # --------------------------------------------------------------- delivery

    def _send_command(self, fields: dict[str, str]) -> SlackReply:
        # Slash commands arrive form-encoded.
        return self._post_form(fields)

    def _send_interaction(self, payload: dict[str, Any]) -> SlackReply:
        # Interactivity payloads arrive as a single form field holding JSON.
        return self._post_form({"payload": json.dumps(payload)})

    def _send_event(self, body: dict[str, Any]) -> SlackReply:
        return self._post_json(body)

    def url_verification(self, challenge: str) -> SlackReply:
        """The handshake Slack sends when the events URL is configured."""
        return self._post_json(
            {"token": self.verification_token, "challenge": challenge, "type": "url_verification"}
        )
