"""The door before Bolt: a request must be signed by Slack and well-formed to get in.

Checking the signature first means a forged request costs no parsing; checking the shape
next means a malformed body gets a clear 400 instead of an error deep in a handler.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass
from typing import Any, TypeGuard
from urllib.parse import parse_qs

SLASH_FIELDS = ("command", "user_id", "channel_id", "team_id")
ID_FIELDS = ("user_id", "channel_id", "team_id")
MAX_CLOCK_SKEW = 60 * 5
_SLACK_ID = re.compile(r"[A-Z][A-Z0-9]{1,31}")


def is_slack_id(value: object) -> TypeGuard[str]:
    """Whether a value has the shape of a Slack id (U…, C…, D…, T…): what our tables can hold."""
    return isinstance(value, str) and _SLACK_ID.fullmatch(value) is not None


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


def _check_nested(document: dict[str, Any]) -> str | None:
    """Bolt reads into these wherever they appear, whatever the request's type."""
    malformed = [key for key in ("event", "view") if key in document]
    malformed = [key for key in malformed if not isinstance(document[key], dict)]
    return f"{malformed[0]} is not an object" if malformed else None


# The interactions the bot answers; anything else is refused before Bolt, whose warning
# for an unhandled request would echo the payload's values into the log.
INTERACTIONS = frozenset({"block_actions", "view_submission", "view_closed"})


def _check_interaction(payload: dict[str, Any]) -> str | None:
    kind = payload.get("type")
    if not isinstance(kind, str):
        return "payload has no type"
    if kind not in INTERACTIONS:
        return "the bot does not take this kind of interaction"
    nested = _check_nested(payload)
    if nested:
        return nested
    user = payload.get("user")
    if not isinstance(user, dict) or not is_slack_id(user.get("id")):
        return "payload has no user"
    team = payload.get("team")
    if team is not None and not (isinstance(team, dict) and is_slack_id(team.get("id"))):
        return "payload has a malformed team"
    if kind == "block_actions":
        actions = payload.get("actions")
        if not isinstance(actions, list) or not actions:
            return "block_actions payload has no actions"
        if not all(isinstance(a, dict) and isinstance(a.get("action_id"), str) for a in actions):
            return "block_actions payload has a malformed action"
    if kind in {"view_submission", "view_closed"} and "view" not in payload:
        return "view payload has no view"
    return None


def _check_form(text: str) -> str | None:
    try:
        form = parse_qs(text, strict_parsing=True, keep_blank_values=True)
    except ValueError:
        return "body is not form-encoded"
    repeated = sorted(name for name, values in form.items() if len(values) > 1)
    if repeated:
        # Bolt keeps the last of repeated fields; checking the first would let the rest through.
        return f"repeated fields: {', '.join(repeated)[:200]}"
    if "payload" in form:
        payload = _json_object(form["payload"][0])
        if payload is None:
            return "payload is not a JSON object"
        return _check_interaction(payload)
    missing = [f for f in SLASH_FIELDS if not form.get(f, [""])[0]]
    if missing:
        return f"slash command lacks {', '.join(missing)}"
    malformed = [f for f in ID_FIELDS if not is_slack_id(form[f][0])]
    return f"slash command has a malformed {', '.join(malformed)}" if malformed else None


def _check_json(text: str) -> str | None:
    document = _json_object(text)
    if document is None:
        return "body is not a JSON object"
    kind = document.get("type")
    nested = _check_nested(document)
    if nested:
        return nested
    if kind == "url_verification":
        return None if isinstance(document.get("challenge"), str) else "no challenge"
    if kind == "event_callback":
        event = document.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return "event_callback has no event"
        return None
    if kind == "app_rate_limited":
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
    problem = _check_json(text) if is_json(text, headers) else _check_form(text)
    return Refusal(400, problem) if problem else None


def is_json(text: str, headers: dict[str, str]) -> bool:
    """Whether Bolt will read the body as JSON; the gate must read it the same way."""
    content_type = headers.get("content-type", "").split(";")[0]
    return content_type == "application/json" or text.startswith("{")
