"""`pulse send` run again straight after a `kill -9` in the middle of its fan-out finishes
the round at once: the dead sender's claims are free as soon as it is gone, not when
their lease runs out. Real processes, a slowed stand-in Slack, many trials."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from config.settings import load_settings
from runtime.assembly import open_database
from services import teams as team_service
from standin import StandInSlack, Workspace
from tests.support import BOT_TOKEN, wait_for

ROOT = Path(__file__).resolve().parents[1]
CHANNEL = "C0RERUN"
MEMBERS = 40
TRIALS = 10


@pytest.fixture
def slow_slack() -> Iterator[StandInSlack]:
    workspace = Workspace()
    people = [f"U{i:07d}" for i in range(MEMBERS)]
    for user in people:
        workspace.add_user(user, user.lower())
    workspace.add_channel(CHANNEL, "rerun-partnership", people)
    with StandInSlack(workspace, latency_seconds=0.03) as server:
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


def _env(database_url: str, slack: StandInSlack) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": slack.api_url,
        "PULSE_CLAIM_LEASE_SECONDS": "60",
    }


def _send(env: dict[str, str], week: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "bot.py", "pulse", "send", "--team", CHANNEL, "--week", week],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _prompts(slack: StandInSlack, since: int) -> Counter[str]:
    calls = slack.calls[since:]
    return Counter(
        str(c.args.get("channel", ""))
        for c in calls
        if c.method == "chat.postMessage" and c.error is None
    )


def _wait_for_prompts(slack: StandInSlack, since: int, count: int) -> None:
    wait_for(lambda: sum(_prompts(slack, since).values()) >= count, timeout=60)


def test_a_rerun_straight_after_kill_nine_sends_every_missing_prompt_and_repeats_at_most_one(
    database_url: str, slow_slack: StandInSlack
) -> None:
    _prepare(database_url)
    env = _env(database_url, slow_slack)
    missed: list[int] = []
    duplicated: list[int] = []
    failed_reruns: list[str] = []
    took: list[float] = []
    for trial in range(TRIALS):
        week = f"2027-W{trial + 10:02d}"
        since = len(slow_slack.calls)
        first = _send(env, week)
        _wait_for_prompts(slow_slack, since, 8)
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=10)  # reaps it and closes its pipes
        assert sum(_prompts(slow_slack, since).values()) < MEMBERS, "nothing left to prove"
        second = _send(env, week)
        started = time.monotonic()
        out, err = second.communicate(timeout=180)
        took.append(round(time.monotonic() - started, 1))
        if second.returncode != 0:
            failed_reruns.append(f"{second.returncode}: {out.decode()} {err.decode()[-300:]}")
        counts = _prompts(slow_slack, since)
        missed.append(MEMBERS - len(counts))
        duplicated.append(sum(n - 1 for n in counts.values()))
    print(
        f"\n{database_url.split(':')[0]}: {TRIALS} kills, missed {missed}, "
        f"repeated {duplicated}, re-runs took {took} s"
    )
    assert failed_reruns == []
    assert missed == [0] * TRIALS
    assert max(duplicated) <= 1


def test_a_rerun_beside_a_live_sender_leaves_its_claims_until_their_lease_then_finishes(
    database_url: str, slow_slack: StandInSlack
) -> None:
    _prepare(database_url)
    env = {**_env(database_url, slow_slack), "PULSE_CLAIM_LEASE_SECONDS": "4"}
    first = _send(env, "2027-W30")
    _wait_for_prompts(slow_slack, 0, 5)
    first.send_signal(signal.SIGSTOP)  # alive, holding its lock and its claims
    try:
        second = _send(env, "2027-W30")
        _out, err = second.communicate(timeout=180)
    finally:
        first.send_signal(signal.SIGCONT)
        first.communicate(timeout=180)
    assert second.returncode == 0, err.decode()
    counts = _prompts(slow_slack, 0)
    assert len(counts) == MEMBERS
    assert sum(n - 1 for n in counts.values()) <= 1


def test_a_rerun_that_cannot_reach_slack_says_who_is_still_owed_and_fails(
    database_url: str, slow_slack: StandInSlack
) -> None:
    _prepare(database_url)
    slow_slack.fail_next("chat.postMessage", http_status=500, times=1000)
    run = _send(_env(database_url, slow_slack), "2027-W31")
    _out, err = run.communicate(timeout=180)
    assert run.returncode != 0
    assert f"{MEMBERS} member(s) are still owed a prompt" in err.decode()
    assert "Run `pulse send` again" in err.decode()
