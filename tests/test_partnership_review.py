"""The partnership-effectiveness review through signed requests against the stand-in: started
by a manager, answered by DM, closed, and shown by `review show` with counts equal to the
answers given and withheld where too few answered; beside the previous quarter's review.
Every misuse (a member starting it, a click on a closed review, forged values) changes
nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot import main
from standin import check_message
from storage.models import Review, ReviewAnswer, ReviewPendingAnswer
from surveys.review import QUESTION_IDS
from tests.pulse_flow import SURVEYED, setup_team
from tests.support import MANAGER, MEMBERS, OUTSIDER, RunningBot, responded, wait_for

TUESDAY_Q1 = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)


def _review_dm(running: RunningBot, user: str) -> Any:
    dms = [
        m
        for m in running.slack.dms_to(user)
        if any(b.get("block_id", "").startswith("rq:") for b in m.blocks or [])
    ]
    assert dms, f"{user} has no review DM"
    return dms[-1]


def _click(
    running: RunningBot,
    user: str,
    question: int,
    level: int | None,
    *,
    as_user: str | None = None,
    value: str | None = None,
    action_id: str | None = None,
) -> None:
    message = _review_dm(running, user)
    blocks = [b for b in message.blocks if b["type"] == "actions"]
    block = blocks[question]
    wanted = f"review-{'dk' if level is None else level}"
    element = next(e for e in block["elements"] if e["action_id"] == wanted)
    reply = running.sender.block_action(
        user_id=as_user or user,
        action_id=action_id or wanted,
        value=element["value"] if value is None else value,
        block_id=block["block_id"],
        channel_id=message.channel,
        message_ts=message.ts,
        response_url=running.slack.response_url(f"review-{len(running.slack.calls)}"),
        message_blocks=message.blocks,
    )
    assert reply.status == 200, reply.text


def _stored(running: RunningBot) -> tuple[int, int, int]:
    """(reviews, linked answers, unlinked answers) in the database."""
    with running.bot.db.transaction() as session:
        return (
            session.scalar(select(func.count()).select_from(Review)) or 0,
            session.scalar(select(func.count()).select_from(ReviewPendingAnswer)) or 0,
            session.scalar(select(func.count()).select_from(ReviewAnswer)) or 0,
        )


def _show(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    *args: str,
) -> tuple[int, str, str]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    capsys.readouterr()
    status = main(["review", "show", "--team", "C0TEAM0001", *args])
    out = capsys.readouterr()
    return status, out.out, out.err


def _start(running: RunningBot) -> None:
    running.command("review")
    wait_for(lambda: responded(running, "partnership review went to 9 people"))
    wait_for(lambda: all(_has_review_dm(running, u) for u in SURVEYED))


def _has_review_dm(running: RunningBot, user: str) -> bool:
    try:
        _review_dm(running, user)
    except AssertionError:
        return False
    return True


def _close(running: RunningBot) -> None:
    before = len(running.slack.responses)
    running.command("review close")
    wait_for(
        lambda: any(
            "is closed" in r["body"].get("text", "") for r in running.slack.responses[before:]
        )
    )


FIRST: dict[int, list[int | None]] = {
    # question 0: six people, spread over every level
    0: [1, 2, 2, 3, 3, 4],
    # question 1: three people answer (under the threshold of five), the rest don't know
    1: [4, 4, 3, None, None, None, None],
    # question 2: all nine answer alike: nine people is too few to show unanimity
    2: [3] * 9,
    # question 3: five people split between the two ends
    3: [1, 1, 4, 4, 4],
}


def _answer(running: RunningBot, plan: dict[int, list[int | None]]) -> None:
    for question, levels in plan.items():
        for user, level in zip(SURVEYED, levels, strict=False):
            _click(running, user, question, level)


def test_a_review_is_started_answered_closed_and_shown_with_its_counts(
    running: RunningBot,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    setup_team(running)
    refused = running.command("review", user=MEMBERS[0]).json()
    assert "only a manager" in refused["text"]
    assert _stored(running) == (0, 0, 0)

    _start(running)
    dm = _review_dm(running, MEMBERS[1])
    assert check_message(dm.text, dm.blocks) == []
    questions = [b for b in dm.blocks if b["type"] == "actions"]
    assert [b["block_id"].split(":")[2] for b in questions] == list(QUESTION_IDS)
    assert [e["text"]["text"] for e in questions[0]["elements"]] == [
        "Not in place",
        "Basic",
        "Better",
        "Embedded",
        "Don't know",
    ]
    running.command("review")
    wait_for(lambda: responded(running, "already open"))

    _answer(running, FIRST)
    _click(running, MANAGER, 0, 4)  # a change of mind replaces the answer
    _click(running, MANAGER, 0, 1)
    wait_for(lambda: _stored(running)[1] == 6 + 7 + 9 + 5)

    # Forged and misplaced clicks: each is refused and changes nothing.
    _click(running, MEMBERS[0], 0, 1, as_user=OUTSIDER)
    wait_for(lambda: responded(running, "sent to someone else"))
    _click(running, MEMBERS[5], 4, 1, value="1:collating-and-analysing-data:5")
    _click(running, MEMBERS[5], 4, 1, value="999999999:collating-and-analysing-data:1")
    _click(running, MEMBERS[5], 4, 1, value="1:no-such-question:1")
    _click(running, MEMBERS[5], 4, 1, value="99999999999:changing-what-isnt-working:2")
    wait_for(lambda: responded(running, "doesn't fit this pulse"))
    wait_for(lambda: responded(running, "could not be found"))
    assert _stored(running) == (1, 27, 0)

    status, out, _ = _show(monkeypatch, capsys, database_url, "--format", "json")
    assert status == 0 and json.loads(out)["closed"] is False
    stale = next(b for b in _review_dm(running, MEMBERS[4]).blocks if b["type"] == "actions")
    stale_value = stale["elements"][1]["value"]

    _close(running)
    assert _stored(running) == (1, 0, 27)
    closed_dm = wait_for(
        lambda: (
            "has closed" in running.slack.dms_to(MEMBERS[1])[-1].text
            and running.slack.dms_to(MEMBERS[1])[-1]
        )
    )
    assert not any(b["type"] == "actions" for b in closed_dm.blocks)
    message = running.slack.dms_to(MEMBERS[4])[-1]
    reply = running.sender.block_action(
        user_id=MEMBERS[4],
        action_id="review-2",
        value=stale_value,
        block_id=stale["block_id"],
        channel_id=message.channel,
        message_ts=message.ts,
        response_url=running.slack.response_url("stale-click"),
    )
    assert reply.status == 200
    wait_for(lambda: responded(running, "review has closed"))
    assert _stored(running) == (1, 0, 27)

    status, out, _ = _show(monkeypatch, capsys, database_url, "--format", "json")
    shown = json.loads(out)
    assert status == 0
    assert shown["team"] == "C0TEAM0001" and shown["quarter"] == "2026-Q4"
    assert shown["participation"] == {"invited": 9, "responded": 9}
    assert [q["id"] for q in shown["questions"]] == list(QUESTION_IDS)
    q = shown["questions"]
    assert q[0]["counts"] == [1, 2, 2, 1] and q[0]["n"] == 6 and not q[0]["suppressed"]
    assert q[1]["counts"] is None and q[1]["suppressed"] and q[1]["n"] == 3
    assert q[2]["counts"] is None and q[2]["suppressed"] and q[2]["n"] == 9
    assert q[3]["counts"] == [2, 0, 0, 3]
    assert all(x["counts"] is None and x["n"] == 0 for x in q[4:])
    assert all(x["previous_counts"] is None and x["organisations"] == [] for x in q)
    assert all(len(x["levels"]) == 4 for x in q)
    assert shown["spread_most"] == [QUESTION_IDS[3], QUESTION_IDS[0]]
    assert "total" not in out

    running.command("review")
    wait_for(lambda: responded(running, "this quarter"))
    assert _stored(running)[0] == 1

    running.clock.set(TUESDAY_Q1)
    _start(running)
    _answer(running, {0: [4, 4, 4, 3, 3]})
    wait_for(lambda: _stored(running)[1] == 5)
    _close(running)
    status, out, _ = _show(monkeypatch, capsys, database_url, "--format", "json")
    latest = json.loads(out)
    assert latest["quarter"] == "2027-Q1" and latest["previous_quarter"] == "2026-Q4"
    assert latest["questions"][0]["counts"] == [0, 0, 2, 3]
    assert latest["questions"][0]["previous_counts"] == [1, 2, 2, 1]
    assert latest["questions"][3]["previous_counts"] == [2, 0, 0, 3]
    assert latest["questions"][1]["previous_counts"] is None

    status, text, _ = _show(monkeypatch, capsys, database_url, "--quarter", "2026-Q4")
    assert status == 0 and "withheld" in text and "Not in place 1 · Basic 2" in text
    status, _, err = _show(monkeypatch, capsys, database_url, "--quarter", "2025-Q2")
    assert status == 2 and "no partnership review in 2025-Q2" in err


def test_a_review_left_open_closes_itself_after_a_week(running: RunningBot) -> None:
    from datetime import timedelta

    from jobs.tick import run_tick

    setup_team(running)
    _start(running)
    _answer(running, {0: [1, 2, 3, 4, 4]})
    wait_for(lambda: _stored(running)[1] == 5)
    running.clock.set(running.clock() + timedelta(days=6, hours=23))
    run_tick(running.bot.outbound)
    assert _stored(running) == (1, 5, 0)
    running.clock.set(running.clock() + timedelta(hours=2))
    run_tick(running.bot.outbound)
    assert _stored(running) == (1, 0, 5)
    for user in SURVEYED:
        reviews = [m for m in running.slack.dms_to(user) if "review" in m.text]
        assert [m.text for m in reviews] == [
            "The partnership review for #partnership, 2026-Q4, has closed. Thank you for "
            "taking part."
        ]
