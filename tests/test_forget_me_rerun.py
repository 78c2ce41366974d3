"""Someone who asks to be forgotten while a round is open is not asked again when the
round is sent again, by `/pulse send` or by `pulse send` on the command line; what keeps
them out names nobody, and goes when the round closes."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from storage.models import Withdrawal
from tests.pulse_flow import close_round, send_round, setup_team
from tests.support import (
    BOT_TOKEN,
    MEMBERS,
    ROUND_WEEK,
    TEAM_CHANNEL,
    RunningBot,
    responded,
    wait_for,
)

ROOT = Path(__file__).resolve().parents[1]


def _prompts_to(running: RunningBot, user: str) -> int:
    return sum(
        1
        for call in running.slack.calls_to("chat.postMessage")
        if call.error is None and call.args.get("channel") == user
    )


def _forget(running: RunningBot, user: str) -> None:
    reply = running.command("forget-me", user=user, channel="D0MEMBER03")
    assert "deleted everything that named you" in reply.json()["text"]


def _cli_send(running: RunningBot, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": running.slack.api_url,
    }
    return subprocess.run(
        [sys.executable, "bot.py", "pulse", "send", "--team", TEAM_CHANNEL, "--week", ROUND_WEEK],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _marks(running: RunningBot) -> list[tuple[int, str]]:
    with running.bot.db.reading() as session:
        return [(w.round_id, w.mark) for w in session.scalars(select(Withdrawal))]


def test_pulse_send_again_does_not_ask_someone_who_asked_to_be_forgotten(
    running: RunningBot,
) -> None:
    setup_team(running)
    send_round(running)
    forgotten = MEMBERS[2]
    _forget(running, forgotten)
    running.command("send")
    wait_for(lambda: responded(running, "went to 0 people"))
    assert _prompts_to(running, forgotten) == 1
    assert all(_prompts_to(running, other) == 1 for other in MEMBERS if other != forgotten)


def test_a_command_line_rerun_does_not_ask_someone_who_asked_to_be_forgotten(
    running: RunningBot, database_url: str
) -> None:
    setup_team(running)
    send_round(running)
    forgotten = MEMBERS[2]
    _forget(running, forgotten)
    result = _cli_send(running, database_url)
    assert result.returncode == 0, result.stderr
    assert "0 prompt(s) sent" in result.stdout
    assert _prompts_to(running, forgotten) == 1
    assert all(_prompts_to(running, other) == 1 for other in MEMBERS if other != forgotten)


def test_the_mark_that_keeps_them_out_names_nobody_and_goes_when_the_round_closes(
    running: RunningBot,
) -> None:
    setup_team(running)
    send_round(running)
    forgotten = MEMBERS[2]
    _forget(running, forgotten)
    marks = _marks(running)
    assert len(marks) == 1
    assert all(forgotten not in mark and len(mark) == 64 for _, mark in marks)
    for guess in (forgotten, f"{marks[0][0]}:{forgotten}"):
        assert hashlib.sha256(guess.encode()).hexdigest() != marks[0][1]
    close_round(running)
    with running.bot.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Withdrawal)) == 0


def test_someone_forgotten_is_asked_again_at_the_next_round(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    forgotten = MEMBERS[2]
    _forget(running, forgotten)
    close_round(running)
    running.clock.advance(timedelta(days=7))
    running.command("send")
    wait_for(lambda: _prompts_to(running, forgotten) == 2)
