"""Forged, stale, malformed and oversized requests are refused, change nothing, and the
server keeps serving."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

from sqlalchemy import func, select

from standin import sign
from storage.models import PendingAnswer, Team
from tests.pulse_flow import click, send_round, setup_team
from tests.support import MANAGER, MEMBERS, SIGNING_SECRET, TEAM_CHANNEL, RunningBot


def _count(running: RunningBot, model: type) -> int:
    with running.bot.db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _setup_form() -> bytes:
    return urlencode(
        {
            "command": "/pulse",
            "text": "setup",
            "user_id": MANAGER,
            "channel_id": TEAM_CHANNEL,
            "team_id": "T0STANDIN",
        }
    ).encode()


def test_forged_signature_is_refused_with_401_and_records_nothing(running: RunningBot) -> None:
    reply = running.sender.post(
        _setup_form(),
        content_type="application/x-www-form-urlencoded",
        signature="v0=" + "0" * 64,
    )
    assert reply.status == 401
    assert _count(running, Team) == 0


def test_body_signed_with_another_secret_is_refused(running: RunningBot) -> None:
    body = _setup_form()
    stamp = int(time.time())
    reply = running.sender.post(
        body,
        content_type="application/x-www-form-urlencoded",
        timestamp=stamp,
        signature=sign("not-the-secret", stamp, body),
    )
    assert reply.status == 401
    assert _count(running, Team) == 0


def test_stale_timestamp_is_refused_with_401(running: RunningBot) -> None:
    body = _setup_form()
    stale = int(time.time()) - 60 * 10
    reply = running.sender.post(
        body,
        content_type="application/x-www-form-urlencoded",
        timestamp=stale,
        signature=sign(SIGNING_SECRET, stale, body),
    )
    assert reply.status == 401
    assert _count(running, Team) == 0


def test_forged_click_records_no_answer(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    payload = {"type": "block_actions", "user": {"id": MEMBERS[0]}, "actions": []}
    body = urlencode({"payload": json.dumps(payload)}).encode()
    reply = running.sender.post(
        body, content_type="application/x-www-form-urlencoded", signature="v0=" + "1" * 64
    )
    assert reply.status == 401
    assert _count(running, PendingAnswer) == 0


def _signed(running: RunningBot, body: bytes, content_type: str) -> int:
    return running.sender.post(body, content_type=content_type).status


def test_malformed_bodies_get_4xx_and_the_server_keeps_serving(running: RunningBot) -> None:
    form = "application/x-www-form-urlencoded"
    cases = [
        (b"payload=%7Bnot-json", form),
        (b"payload=" + b"%5B%5D", form),
        (b'{"type": "event_callback", "event": ', "application/json"),
        (b"\xff\xfe\x00garbage", form),
        (b"", form),
    ]
    for body, content_type in cases:
        status = _signed(running, body, content_type)
        assert 400 <= status < 500, (body, status)
    assert running.command("help").status == 200


def test_slash_command_missing_fields_changes_nothing(running: RunningBot) -> None:
    body = urlencode({"command": "/pulse", "text": "setup"}).encode()
    status = _signed(running, body, "application/x-www-form-urlencoded")
    assert 400 <= status < 500
    assert _count(running, Team) == 0


def test_oversized_body_is_refused_with_413(running: RunningBot) -> None:
    body = b"text=" + b"a" * (512 * 1024)
    reply = running.sender.post(body, content_type="application/x-www-form-urlencoded")
    assert reply.status == 413
    assert running.command("help").status == 200


def test_altered_button_values_record_nothing(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    user = MEMBERS[0]
    for forged in ("999999:talk-of-us:5", "abc", "1:talk-of-us:9", "1:not-a-behaviour:3", ""):
        assert click(running, user, 0, 5, value=forged).status == 200
    assert _count(running, PendingAnswer) == 0


def test_unknown_action_is_acknowledged_and_ignored(running: RunningBot) -> None:
    reply = running.sender.block_action(
        user_id=MEMBERS[0],
        action_id="launch",
        value="x",
        block_id="b",
        channel_id="D0X",
        message_ts="1.1",
    )
    assert reply.status in (200, 404)
    assert _count(running, PendingAnswer) == 0


def test_interaction_types_the_bot_does_not_take_are_refused(running: RunningBot) -> None:
    payload = {
        "type": "interactive_message",
        "user": {"id": MEMBERS[0]},
        "actions": [{"name": "x", "value": "1:talk-of-us:5"}],
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    assert _signed(running, body, "application/x-www-form-urlencoded") == 400
    assert _count(running, PendingAnswer) == 0
