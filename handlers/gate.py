"""The door before Bolt: a request must be signed by Slack and well-formed to get in.

Checking the signature first means a forged request costs no parsing; checking the shape
next means a malformed body gets a clear 400 instead of an error deep in a handler.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

SLASH_FIELDS = ("command", "user_id", "channel_id", "team_id")
MAX_CLOCK_SKEW = 60 * 5


def signature_is_valid(
    body: bytes, timestamp: str, signature: str, *, secret: str, now: float | None = None
) -> bool:
    """Slack's v0 signature over the raw bytes, within five minutes of our clock."""
    if not timestamp.isdigit() or not signature.startswith("v0="):
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > MAX_CLOCK_SKEW:
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


@dataclass(frozen=True)
class Refusal:
    """Why a request is refused, as an HTTP status and a short reason."""

    status: int
    reason: str


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _check_interaction(payload: dict[str, Any]) -> str | None:
    kind = payload.get("type")
    if not isinstance(kind, str):
        return "payload has no type"
    user = payload.get("user")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        return "payload has no user"
    if kind == "block_actions":
        actions = payload.get("actions")
        if not isinstance(actions, list) or not all(isinstance(a, dict) for a in actions):
            return "block_actions payload has no actions"
    if kind in {"view_submission", "view_closed"} and not isinstance(payload.get("view"), dict):
        return "view payload has no view"
    return None


def _check_form(text: str) -> str | None:
    try:
        form = parse_qs(text, strict_parsing=True, keep_blank_values=True)
    except ValueError:
        return "body is not form-encoded"
    if "payload" in form:
        payload = _json_object(form["payload"][0])
        if payload is None:
            return "payload is not a JSON object"
        return _check_interaction(payload)
    missing = [f for f in SLASH_FIELDS if not form.get(f, [""])[0]]
    return f"slash command lacks {', '.join(missing)}" if missing else None


def _check_json(text: str) -> str | None:
    document = _json_object(text)
    if document is None:
        return "body is not a JSON object"
    kind = document.get("type")
    if kind == "url_verification":
        return None if isinstance(document.get("challenge"), str) else "no challenge"
    if kind == "event_callback":
        event = document.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return "event_callback has no event"
        return None
    if kind in {"app_rate_limited"}:
        return None
    return "unknown request type"


def check_request(body: bytes, headers: dict[str, str], *, secret: str) -> Refusal | None:
    """None when the request may go on to Bolt; otherwise why not."""
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not signature_is_valid(body, timestamp, signature, secret=secret):
        return Refusal(401, "invalid or stale signature")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return Refusal(400, "body is not UTF-8")
    content_type = headers.get("content-type", "")
    problem = _check_json(text) if "json" in content_type else _check_form(text)
    return Refusal(400, problem) if problem else None
