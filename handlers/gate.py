"""The door before Bolt: a request must be signed by Slack and well-formed to get in.

Checking the signature first means a forged request costs no parsing; checking the shape
next means a malformed body gets a clear 400 instead of an error deep in a handler.
"""

from __future__ import annotations

import codecs
import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass
from itertools import accumulate
from typing import Any
from urllib.parse import unquote

from services.slack_ids import is_slack_id

SLASH_FIELDS = ("command", "user_id", "channel_id", "team_id")
ID_FIELDS = ("user_id", "channel_id", "team_id")
MAX_CLOCK_SKEW = 60 * 5
_TIMESTAMP = re.compile(r"[0-9]{1,12}", re.ASCII)
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}", re.ASCII)
# Slack's payloads nest a dozen levels at most; far deeper is no payload of Slack's, and
# Python's parser (or anything walking the result) would run out of stack on it.
MAX_NESTING = 64
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def signature_is_valid(
    body: bytes, timestamp: str, signature: str, *, secret: str, now: float | None = None
) -> bool:
    """Slack's v0 signature over the raw bytes, within five minutes of our clock.

    Headers are checked as ASCII first: `isdigit` accepts digits `int` refuses (superscripts)
    or reads (other scripts), and `compare_digest` raises on non-ASCII text.
    """
    if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
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
    if _nesting(text) > MAX_NESTING:
        raise _Malformed("body is nested too deeply")
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _nesting(text: str) -> int:
    """How deep a JSON text's brackets go, those inside its strings aside; without recursion.

    Escaped backslashes and quotes are dropped first, so every quote left opens or closes a
    string and the text between strings is every other piece between quotes. All of it is
    string methods and one regex, no Python loop over the tokens: a click's payload holds
    its whole message, hundreds of strings, and the gate reads one per click.
    """
    unescaped = text.replace("\\\\", "").replace('\\"', "")
    outside = "".join(unescaped.split('"')[::2])
    brackets = _NOT_BRACKETS.sub("", outside)
    return max(0, max(accumulate(map(_STEP.__getitem__, brackets)), default=0))


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


class _Malformed(ValueError):
    """A body the gate will not let in; its message is the reason given."""


@dataclass(frozen=True)
class Admitted:
    """A request let in, with its body read once, the way Bolt would read it."""

    body: dict[str, Any]


def _unquote(text: str) -> str:
    """A form field's value as `urllib.parse.unquote_plus` reads it (UTF-8, errors
    replaced).

    A click's payload is its whole message, over a thousand %-escapes, and urllib decodes
    them one at a time in Python; turned into \\x escapes they decode in one C call. Text
    where that could read differently (a backslash, a character past ASCII, an escape that
    is not two hex digits) takes urllib's way.
    """
    plain = text.replace("+", " ")
    if "%" not in plain:
        return plain
    if "\\" not in plain and plain.isascii():
        try:
            decoded: bytes = codecs.escape_decode(plain.replace("%", "\\x"))[0]
        except ValueError:
            return unquote(plain)
        return decoded.decode("utf-8", "replace")
    return unquote(plain)


def _parse_form(text: str) -> dict[str, list[str]]:
    """`parse_qs(text, strict_parsing=True, keep_blank_values=True)`, decoding faster."""
    form: dict[str, list[str]] = {}
    for field in text.split("&") if text else ():
        name, equals, value = field.partition("=")
        if not equals:
            raise _Malformed("body is not form-encoded")
        form.setdefault(_unquote(name), []).append(_unquote(value))
    return form


def _read_form(text: str) -> dict[str, Any]:
    form = _parse_form(text)
    repeated = sorted(name for name, values in form.items() if len(values) > 1)
    if repeated:
        # Bolt keeps the last of repeated fields; checking the first would let the rest through.
        raise _Malformed(f"repeated fields: {', '.join(repeated)[:200]}")
    if "payload" in form:
        payload = _json_object(form["payload"][0])
        if payload is None:
            raise _Malformed("payload is not a JSON object")
        _raise_if(_check_interaction(payload))
        return payload
    fields = {name: values[0] for name, values in form.items()}
    _check_slash(fields)
    return fields


def _check_slash(fields: dict[str, Any]) -> None:
    missing = [f for f in SLASH_FIELDS if not fields.get(f)]
    _raise_if(f"slash command lacks {', '.join(missing)}" if missing else None)
    malformed = [f for f in ID_FIELDS if not is_slack_id(fields[f])]
    _raise_if(f"slash command has a malformed {', '.join(malformed)}" if malformed else None)


def _read_json(text: str) -> dict[str, Any]:
    document = _json_object(text)
    if document is None:
        raise _Malformed("body is not a JSON object")
    _check_document(document)
    return document


def _check_document(document: dict[str, Any]) -> None:
    _raise_if(_check_nested(document))
    kind = document.get("type")
    if kind == "url_verification":
        _raise_if(None if isinstance(document.get("challenge"), str) else "no challenge")
    elif kind == "event_callback":
        event = document.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            raise _Malformed("event_callback has no event")
    elif kind != "app_rate_limited":
        raise _Malformed("unknown request type")


JSON_TYPES = frozenset({"url_verification", "event_callback", "app_rate_limited"})


def shape_problem(body: dict[str, Any]) -> str | None:
    """Why a body already parsed is malformed, or None: the gate's checks, for a request
    that reached Bolt without the gate (over Socket Mode), so that nothing acts on it."""
    try:
        if "command" in body and "type" not in body:
            _check_slash(body)
        elif body.get("type") in JSON_TYPES:
            _check_document(body)
        else:
            _raise_if(_check_interaction(body))
    except _Malformed as problem:
        return str(problem)
    return None


def _raise_if(problem: str | None) -> None:
    if problem:
        raise _Malformed(problem)


def check_request(body: bytes, headers: dict[str, str], *, secret: str) -> Admitted | Refusal:
    """The body as Bolt would read it when the request may go on; otherwise why not.

    Handing Bolt the body read here spares it reading a payload a second time.
    """
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not signature_is_valid(body, timestamp, signature, secret=secret):
        return Refusal(401, "invalid or stale signature")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return Refusal(400, "body is not UTF-8")
    try:
        return Admitted(_read_json(text) if is_json(text, headers) else _read_form(text))
    except _Malformed as problem:
        return Refusal(400, str(problem))


def replay_key(admitted: Admitted, headers: dict[str, str]) -> str | None:
    """What identifies a request that must take effect once, or None for one that may repeat.

    A slash command is known by its signature (Slack never sends the same command twice, so
    a second arrival is a replay); an event by its id (Slack's own retries keep it). Clicks
    are left out: recording the same answer again changes nothing.
    """
    body = admitted.body
    if "command" in body and "type" not in body:
        seed = "command:" + headers.get("x-slack-signature", "")
    elif body.get("type") == "event_callback" and isinstance(body.get("event_id"), str):
        seed = "event:" + body["event_id"]
    else:
        return None
    return hashlib.sha256(seed.encode()).hexdigest()


def is_json(text: str, headers: dict[str, str]) -> bool:
    """Whether Bolt will read the body as JSON; the gate must read it the same way."""
    content_type = headers.get("content-type", "").split(";")[0]
    return content_type == "application/json" or text.startswith("{")
