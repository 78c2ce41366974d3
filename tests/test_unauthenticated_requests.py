"""No request, whatever its headers or body, gets a 5xx; what the bot does not handle is
acknowledged so that Slack does not retry it.

The table names the requests that once got a 500 and a traceback; the hypothesis sweep
throws headers and bodies of every shape at the bot, signed and unsigned, on each database.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from standin import SlackReply
from standin.signer import sign
from storage.models import Member, PendingAnswer, Team
from tests.support import MEMBERS, SIGNING_SECRET, RunningBot

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
DEEP = 5000  # more levels than Python's recursion limit


def _post(
    running: RunningBot,
    body: bytes,
    *,
    timestamp: str | None = None,
    signature: str | None = None,
    content_type: str = FORM,
) -> SlackReply:
    """POST raw bytes with exactly these headers (a fresh valid signature where not given)."""
    ts = timestamp if timestamp is not None else str(int(time.time()))
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature if signature is not None else sign(SIGNING_SECRET, ts, body),
    }
    return running.sender._request("POST", "/slack/events", body, headers)


def _deep_json(depth: int) -> str:
    return '{"type":"event_callback","event":' + '{"a":' * depth + "1" + "}" * depth + "}"


def _nothing_recorded(running: RunningBot) -> bool:
    with running.bot.db.transaction() as session:
        return all(
            session.scalar(select(func.count()).select_from(model)) == 0
            for model in (Team, Member, PendingAnswer)
        )


def _latin1(text: str) -> str:
    """How the server reads a header sent as UTF-8 bytes (WSGI headers are latin-1)."""
    return text.encode().decode("latin-1")


def _unauthenticated(running: RunningBot) -> list[tuple[str, dict[str, Any]]]:
    body = urlencode({"command": "/pulse", "text": "setup"}).encode()
    now = str(int(time.time()))
    good = sign(SIGNING_SECRET, now, body)
    return [
        ("superscript timestamp", {"body": body, "timestamp": _latin1("¹²³"), "signature": good}),
        ("latin-1 superscripts", {"body": body, "timestamp": "¹²³", "signature": good}),
        ("arabic-indic timestamp", {"body": body, "timestamp": _latin1("١٢٣"), "signature": good}),
        ("5000-digit timestamp", {"body": body, "timestamp": "9" * 5000, "signature": good}),
        ("signed, non-ASCII timestamp", {"body": body, "timestamp": _latin1("١٧٠٠٠٠٠٠٠٠")}),
        ("non-ASCII signature", {"body": body, "signature": "v0=é" + good[4:]}),
        ("UTF-8 signature", {"body": body, "signature": _latin1("v0=ü") + good[5:]}),
        ("empty headers", {"body": body, "timestamp": "", "signature": ""}),
        ("negative timestamp", {"body": body, "timestamp": "-1", "signature": good}),
    ]


def test_malformed_signature_headers_are_refused_with_401(running: RunningBot) -> None:
    answered = {name: _post(running, **case).status for name, case in _unauthenticated(running)}
    assert answered == {name: 401 for name in answered}
    assert _nothing_recorded(running)


@pytest.mark.parametrize("content_type", [JSON, FORM])
def test_a_signed_body_nested_beyond_any_payload_is_refused_with_400(
    running: RunningBot, content_type: str
) -> None:
    text = _deep_json(DEEP)
    body = text.encode() if content_type == JSON else urlencode({"payload": text}).encode()
    assert _post(running, body, content_type=content_type).status == 400
    # Deep enough to pass the parser, too deep for anything Slack sends.
    shallow = _deep_json(900)
    assert _post(running, shallow.encode(), content_type=JSON).status == 400
    assert _nothing_recorded(running)


def test_events_the_bot_does_not_handle_are_acknowledged(running: RunningBot) -> None:
    for kind in ("message", "app_mention", "team_join", "channel_rename"):
        reply = running.sender.event({"type": kind, "user": MEMBERS[0], "channel": "C0X"})
        assert reply.status == 200, (kind, reply.status)


def test_a_closed_modal_and_an_unknown_button_are_acknowledged(running: RunningBot) -> None:
    closed = {
        "type": "view_closed",
        "user": {"id": MEMBERS[0]},
        "team": {"id": "T0STANDIN"},
        "view": {"id": "V0X", "callback_id": "team-settings", "type": "modal"},
        "is_cleared": False,
    }
    body = urlencode({"payload": json.dumps(closed)}).encode()
    assert _post(running, body).status == 200
    reply = running.sender.block_action(
        user_id=MEMBERS[0],
        action_id="launch",
        value="x",
        block_id="b",
        channel_id="D0X",
        message_ts="1.1",
    )
    assert reply.status == 200
    assert _nothing_recorded(running)


# ------------------------------------------------------------------------- the sweep

HEADER_TEXT = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x2FFF, exclude_characters="\x7f"),
    max_size=80,
).map(_latin1)
TIMESTAMPS = st.one_of(
    HEADER_TEXT,
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(["", "¹²³", "9" * 5000, " 1", "1e9", "+1", "0x10", "1_000"]),
)
SIGNATURES = st.one_of(HEADER_TEXT, HEADER_TEXT.map(lambda s: "v0=" + s), st.just(""))
CONTENT_TYPES = st.sampled_from([FORM, JSON, "", "text/plain", f"{JSON}; charset=utf-8"])
NESTED = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=20,
)


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    """Raw bytes, JSON documents of any shape, deep nests, forms holding any of them."""
    depth = draw(st.integers(min_value=0, max_value=3000))
    document = draw(
        st.one_of(
            st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
            NESTED.map(json.dumps),
            st.just(_deep_json(depth)),
            st.just("[" * depth + "]" * depth),
        )
    )
    if draw(st.booleans()):
        return urlencode({"payload": document}).encode()
    return document.encode()


@given(
    body=bodies(),
    timestamp=TIMESTAMPS | st.none(),
    signature=SIGNATURES | st.none(),
    content_type=CONTENT_TYPES,
)
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_request_whatever_its_headers_or_body_gets_a_5xx(
    running: RunningBot,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    content_type: str,
) -> None:
    reply = _post(
        running, body, timestamp=timestamp, signature=signature, content_type=content_type
    )
    assert reply.status < 500, (reply.status, reply.text[:200], timestamp, signature, body[:200])
    assert _nothing_recorded(running)
