"""The partnership review reaches a member Slack refuses a DM the way the pulse does: alone
in the team channel, answered there (clicks recorded like DM clicks, redrawn through the
click's response_url), counted in `review show`, and showing nothing after close. Someone
Slack lets the bot reach neither way is counted, the managers told once, and never retried
tick after tick."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from jobs.tick import run_tick
from storage.models import ReviewEphemeralView, ReviewPrompt
from tests.connect_support import (
    CONSTABLE,
    SERGEANT,
    click_ephemeral,
    in_channel_messages,
    share_the_channel,
)
from tests.pulse_flow import SURVEYED, setup_team
from tests.support import MANAGER, RunningBot, responded, wait_for
from tests.test_partnership_review import _click, _close, _show

LEVEL_WORDS = {1: "Not in place", 2: "Basic", 3: "Better", 4: "Embedded"}


def _review_in_channel(running: RunningBot, user: str) -> Any:
    found = [
        m
        for m in in_channel_messages(running, user)
        if any(b.get("block_id", "").startswith("rq:") for b in m.blocks or [])
    ]
    assert found, f"{user} has no review in the channel"
    return found[-1]


def _click_in_channel(running: RunningBot, user: str, level: int, *, key: str) -> Any:
    message = _review_in_channel(running, user)
    block = next(b for b in message.blocks if b["type"] == "actions")
    element = next(e for e in block["elements"] if e["action_id"] == f"review-{level}")
    return click_ephemeral(running, message, block["block_id"], element, clicker=user, key=key)


def _chosen(message: Any) -> list[str]:
    return [
        e["text"]["text"]
        for b in message.blocks or []
        if b["type"] == "actions"
        for e in b["elements"]
        if e.get("style") == "primary"
    ]


def _start(running: RunningBot) -> None:
    share_the_channel(running)
    setup_team(running)
    running.command("review")
    wait_for(lambda: responded(running, "partnership review went to"))


def _views(running: RunningBot) -> int:
    with running.bot.db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(ReviewEphemeralView)) or 0)


def test_a_member_refused_a_dm_answers_the_review_in_the_channel_and_nothing_shows_after_close(
    running: RunningBot,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _start(running)
    wait_for(lambda: _review_in_channel(running, CONSTABLE))
    assert running.slack.dms_to(CONSTABLE) == []
    for user, level in zip(SURVEYED[:4], [1, 2, 2, 3], strict=False):
        _click(running, user, 0, level)
    assert _click_in_channel(running, CONSTABLE, 4, key="rv-1").status == 200
    assert _click_in_channel(running, CONSTABLE, 4, key="rv-2").status == 200  # a retry
    wait_for(lambda: any(r["key"] == "rv-2" for r in running.slack.responses))
    assert _chosen(_review_in_channel(running, CONSTABLE)) == ["Embedded"]
    assert _views(running) == 1

    running.clock.advance(timedelta(minutes=21))  # the tick hides it while its URL works
    run_tick(running.bot.outbound)
    assert _chosen(_review_in_channel(running, CONSTABLE)) == []

    asked_at = _review_in_channel(running, CONSTABLE).message_ts
    _click_in_channel(running, CONSTABLE, 4, key="rv-3")  # shown again until the close
    wait_for(lambda: _chosen(_review_in_channel(running, CONSTABLE)) == ["Embedded"])
    _close(running)
    (closed,) = [m for m in in_channel_messages(running, CONSTABLE) if m.message_ts == asked_at]
    assert "review for #partnership, " in closed.text and "has closed" in closed.text
    assert all(not _chosen(m) for m in in_channel_messages(running, CONSTABLE))
    assert _views(running) == 0  # nothing of the member's response_url is kept

    status, out, _ = _show(monkeypatch, capsys, database_url, "--format", "json")
    shown = json.loads(out)
    assert status == 0
    assert shown["participation"]["responded"] == 5
    assert shown["questions"][0]["counts"] == [1, 2, 1, 1]  # the constable's Embedded


def test_a_click_after_close_is_answered_and_the_prompt_drawn_closed(running: RunningBot) -> None:
    _start(running)
    wait_for(lambda: _review_in_channel(running, CONSTABLE))
    _close(running)
    _click_in_channel(running, CONSTABLE, 2, key="late")
    wait_for(lambda: responded(running, "review has closed"))
    assert _views(running) == 0


def test_nobody_reachable_neither_way_is_retried_and_managers_are_told_once(
    running: RunningBot,
) -> None:
    running.slack.fail_next("chat.postEphemeral", error="restricted_action", times=2)
    _start(running)
    wait_for(lambda: any("could not reach" in m.text for m in running.slack.dms_to(MANAGER)))
    with running.bot.db.reading() as session:
        states = dict(session.execute(select(ReviewPrompt.user_id, ReviewPrompt.state)).all())
    assert states[CONSTABLE] == states[SERGEANT] == "unreachable"

    running.slack.reset_calls()
    for minute in range(1, 6):
        running.clock.advance(timedelta(minutes=minute))
        run_tick(running.bot.outbound)
    to_them = [
        c
        for method in ("chat.postMessage", "chat.postEphemeral")
        for c in running.slack.calls_to(method)
        if {c.args.get("channel"), c.args.get("user")} & {CONSTABLE, SERGEANT}
        and "Partnership review" in str(c.args.get("text"))
    ]
    assert to_them == []  # five ticks (the pulse goes on as usual): the review not retried
    notices = [m for m in running.slack.dms_to(MANAGER) if "could not reach" in m.text]
    assert len(notices) == 1
    assert "partnership review" in notices[0].text
    assert CONSTABLE in notices[0].text and SERGEANT in notices[0].text
