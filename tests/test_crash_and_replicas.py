"""Real processes under real faults: `kill -9` in the middle of a fan-out, and two
processes sending the same round at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from config.settings import load_settings
from runtime.assembly import open_database
from services import teams as team_service
from standin import StandInSlack, Workspace
from tests.support import BOT_TOKEN, wait_for

ROOT = Path(__file__).resolve().parents[1]
CHANNEL = "C0BIGTEAM"
WEEK = "2026-W47"


def _big_workspace(size: int) -> Workspace:
    workspace = Workspace()
    people = [f"U{i:07d}" for i in range(size)]
    for user in people:
        workspace.add_user(user, user.lower())
    workspace.add_channel(CHANNEL, "big-partnership", people)
    return workspace


@pytest.fixture
def big_slack() -> Iterator[StandInSlack]:
    with StandInSlack(_big_workspace(500), latency_seconds=0.003) as server:
        yield server


def _prepare(database_url: str) -> None:
    db = open_database(load_settings({"DATABASE_URL": database_url}))
    team_service.setup_team(
        db=db,
        workspace_id="T0STANDIN",
        channel_id=CHANNEL,
        user_id="U0000000",
        now=datetime(2026, 11, 16, tzinfo=UTC),
    )
    db.dispose()


def _env(database_url: str, slack: StandInSlack, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": slack.api_url,
        # The default lease: a dead sender's claims are freed by its released lock at once,
        # and a live sender stalled by a busy machine keeps its claims, as in production.
        **extra,
    }


def _send(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "bot.py", "pulse", "send", "--team", CHANNEL, "--week", WEEK],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _prompt_counts(slack: StandInSlack) -> Counter[str]:
    return Counter(
        c.args.get("channel", "") for c in slack.calls_to("chat.postMessage") if c.error is None
    )


def test_kill_nine_mid_fan_out_then_restart_gives_each_member_one_prompt(
    database_url: str, big_slack: StandInSlack
) -> None:
    _prepare(database_url)
    env = _env(database_url, big_slack)
    first = _send(env)
    wait_for(lambda: sum(_prompt_counts(big_slack).values()) >= 150, timeout=60)
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=10)  # reaps it and closes its stderr pipe
    before = sum(_prompt_counts(big_slack).values())
    assert before < 500, "the fan-out finished before the kill; the test proves nothing"
    time.sleep(1.2)  # the dead process's one in-flight claim outlives its lease
    second = _send(env)
    _, errors = second.communicate(timeout=120)
    assert second.returncode == 0, errors.decode()
    counts = _prompt_counts(big_slack)
    assert len(counts) == 500
    duplicates = [user for user, n in counts.items() if n > 1]
    assert len(duplicates) <= 1, f"more than the one in-flight message repeated: {duplicates}"


def test_two_processes_sending_one_round_never_both_send_to_anyone(
    database_url: str, big_slack: StandInSlack
) -> None:
    _prepare(database_url)
    env = _env(database_url, big_slack)
    runs = [_send(env), _send(env)]
    for run in runs:
        _, errors = run.communicate(timeout=120)
        assert run.returncode == 0, errors.decode()
    counts = _prompt_counts(big_slack)
    assert len(counts) == 500
    assert set(counts.values()) == {1}


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "bot.py", "serve", "--host", "127.0.0.1", "--port", str(_free_port())],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _texts(slack: StandInSlack, prefix: str) -> Counter[str]:
    return Counter(
        c.args.get("channel", "")
        for c in slack.calls_to("chat.postMessage")
        if c.error is None and str(c.args.get("text", "")).startswith(prefix)
    )


def _execute(database_url: str, statement: str) -> None:
    from sqlalchemy import text

    db = open_database(load_settings({"DATABASE_URL": database_url}), migrate=False)
    with db.transaction() as session:
        session.execute(text(statement))
    db.dispose()


def test_two_serve_replicas_send_each_prompt_reminder_and_digest_once(
    database_url: str, big_slack: StandInSlack
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("replicas share a PostgreSQL database; a SQLite file belongs to one process")
    _prepare(database_url)
    # The pulse and reminder slots a few minutes ago, on whatever day the test runs; the
    # team's schedule starts before them, so the round is due as soon as the replicas tick.
    due = datetime.now(UTC) - timedelta(minutes=5)
    slot = f"pulse_weekday = {due.weekday()}, pulse_time = '{due:%H:%M}'"
    reminder = f"reminder_weekday = {due.weekday()}, reminder_time = '{due:%H:%M}'"
    _execute(
        database_url,
        f"UPDATE teams SET {slot}, {reminder}, timezone = 'UTC', "
        f"schedule_from = '{due - timedelta(hours=1):%Y-%m-%d %H:%M:%S}+00'",
    )
    env = _env(database_url, big_slack, SLACK_SIGNING_SECRET="s" * 32, PULSE_TICK_SECONDS="1")
    replicas = [_serve(env), _serve(env)]
    try:
        wait_for(lambda: len(_texts(big_slack, "Your pulse for")) == 500, timeout=120)
        # A round's reminder moment is worked out from when it opened, so moving the opening
        # back behind the bot's ORM also forgets the moment a tick may already have stored.
        _execute(
            database_url,
            "UPDATE rounds SET opened_at = opened_at - interval '2 days', remind_at = NULL",
        )
        wait_for(lambda: len(_texts(big_slack, "Reminder")) == 500, timeout=120)
        _execute(database_url, "UPDATE rounds SET closes_at = now() - interval '1 minute'")
        wait_for(lambda: _texts(big_slack, "Partnership pulse · ")[CHANNEL] >= 1, timeout=60)
        time.sleep(3)  # several more ticks from both replicas
    finally:
        for replica in replicas:
            replica.terminate()
            replica.wait(timeout=30)
    assert set(_texts(big_slack, "Your pulse for").values()) == {1}
    assert set(_texts(big_slack, "Reminder").values()) == {1}
    assert _texts(big_slack, "Partnership pulse · ")[CHANNEL] == 1
