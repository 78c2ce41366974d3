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
import itertools
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from standin.workspace import DEFAULT_APP_ID, DEFAULT_BOT_ID, DEFAULT_BOT_USER_ID, DEFAULT_TEAM_ID


@dataclass(frozen=True)
class SlackReply:
    """The bot's HTTP answer."""

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


def sign(signing_secret: str, timestamp: int | str, body: bytes) -> str:
    """Slack's v0 request signature for `body` sent at `timestamp`."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    digest = hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return f"v0={digest}"


class SlackRequestSender:
    """Builds Slack-shaped payloads, signs them and POSTs them to the bot."""

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
        self.base_url = base_url.rstrip("/")
        self.signing_secret = signing_secret
        self.events_path = events_path
        self.api_app_id = api_app_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.verification_token = verification_token
        self.timeout = timeout
        self._parts = parts
        self._ids = itertools.count(1)

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

    def _post_payload(self, payload: dict[str, Any]) -> SlackReply:
        # Interactivity payloads arrive as a single form field holding JSON.
        return self._post_form({"payload": json.dumps(payload)})

    def new_trigger_id(self) -> str:
        return f"{int(time.time())}.{next(self._ids)}.{secrets.token_hex(16)}"

    # --------------------------------------------------------------- payloads

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
        """A slash command, form-encoded like Slack sends it."""
        return self._post_form(
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
    ) -> SlackReply:
        """A button click (`block_actions`) on a message or in a view."""
        action_ts = f"{time.time():.6f}"
        container: dict[str, Any] = {"type": container_type}
        if container_type == "view":
            container["view_id"] = (view or {}).get("id", "")
        else:
            container.update(
                {"message_ts": message_ts, "channel_id": channel_id, "is_ephemeral": False}
            )
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user_id, "username": user_id, "name": user_id, "team_id": team_id},
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
        else:
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
        return self._post_payload(payload)

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
        return self._post_payload(
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
        return self._post_json(
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

    def url_verification(self, challenge: str) -> SlackReply:
        """The handshake Slack sends when the events URL is configured."""
        return self._post_json(
            {"token": self.verification_token, "challenge": challenge, "type": "url_verification"}
        )
