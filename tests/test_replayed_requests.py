"""A manager's command takes effect once: the same signed request sent again inside Slack's
five-minute window (one after the other, or several at the same moment, to one process or
to two) is acknowledged and does nothing. An event Slack sends again is followed once.

Each trial sends a fresh `/pulse digest` (a new response_url, so a new signature), several
times over; the digest must reach the channel once per trial and the manager hear back once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from services.replays import KEPT_FOR, first_sighting
from standin import SlackReply, SlackRequestSender, StandInSlack
from standin.signer import sign
from storage.database import Database
from storage.models import Member, SeenRequest, utc_now
from tests.pulse_flow import SURVEYED, everyone_answers, send_round, setup_team
from tests.support import (
    BOT_TOKEN,
    MANAGER,
    OUTSIDER,
    SIGNING_SECRET,
    TEAM_CHANNEL,
    RunningBot,
    wait_for,
)
from tests.test_serve import ROOT, _free_port, _get

FORM = "application/x-www-form-urlencoded"
TRIALS = 10
COPIES = 3


def _digest_posts(slack: StandInSlack) -> int:
    return len(
        [
            c
            for c in slack.calls_to("chat.postMessage")
            if c.args.get("channel") == TEAM_CHANNEL and c.ok
        ]
    )


def _replies_to(slack: StandInSlack, url: str) -> int:
    return len([r for r in slack.responses if url.endswith("/response/" + r["key"])])


class SignedOnce:
    """One `/pulse digest`, signed once, to be sent as many times as wanted."""

    def __init__(self, slack: StandInSlack, trial: int) -> None:
        self.url = slack.response_url(f"digest-replay-{trial}-{time.monotonic_ns()}")
        fields = {
            "command": "/pulse",
            "text": "digest",
            "user_id": MANAGER,
            "user_name": "manager",
            "channel_id": TEAM_CHANNEL,
            "team_id": "T0STANDIN",
            "response_url": self.url,
            "trigger_id": f"1.{trial}.replay",
        }
        self.body = urlencode(fields).encode()
        self.timestamp = int(time.time())
        self.signature = sign(SIGNING_SECRET, self.timestamp, self.body)

    def send(self, sender: SlackRequestSender) -> SlackReply:
        return sender.post(
            self.body, content_type=FORM, timestamp=self.timestamp, signature=self.signature
        )

    def send_together(self, senders: list[SlackRequestSender]) -> list[int]:
        """Every sender sends the request at the same moment; their statuses."""
        start = threading.Barrier(len(senders))
        statuses: list[int] = []

        def go(sender: SlackRequestSender) -> None:
            start.wait()
            statuses.append(self.send(sender).status)

        threads = [threading.Thread(target=go, args=(s,)) for s in senders]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return statuses


def _answered(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    everyone_answers(running, 4)


def _settled(slack: StandInSlack, url: str) -> None:
    wait_for(lambda: _replies_to(slack, url) >= 1, timeout=20)
    time.sleep(0.5)  # time for a second effect, were there one, to show


def test_a_replayed_digest_command_posts_once(running: RunningBot) -> None:
    _answered(running)
    lost = doubled = 0
    for trial in range(TRIALS):
        before = _digest_posts(running.slack)
        command = SignedOnce(running.slack, trial)
        assert [command.send(running.sender).status for _ in range(COPIES)] == [200] * COPIES
        _settled(running.slack, command.url)
        posts = _digest_posts(running.slack) - before
        lost += posts == 0
        doubled += posts > 1 or _replies_to(running.slack, command.url) > 1
    assert (lost, doubled) == (0, 0)


def test_concurrent_replays_of_a_digest_command_post_once(running: RunningBot) -> None:
    _answered(running)
    senders = [SlackRequestSender(running.server.url, SIGNING_SECRET) for _ in range(COPIES)]
    doubled = 0
    for trial in range(TRIALS):
        before = _digest_posts(running.slack)
        command = SignedOnce(running.slack, trial)
        assert command.send_together(senders) == [200] * COPIES
        _settled(running.slack, command.url)
        doubled += _digest_posts(running.slack) - before != 1
        doubled += _replies_to(running.slack, command.url) != 1
    assert doubled == 0


def test_an_event_sent_again_with_its_id_is_followed_once(running: RunningBot) -> None:
    setup_team(running)
    wait_for(lambda: len(_members(running)) > 1)

    def left_then_joined(event_id: str, kind: str) -> None:
        event = {"type": kind, "user": OUTSIDER, "channel": TEAM_CHANNEL}
        assert running.sender.event(event, event_id=event_id).status == 200

    left_then_joined("Ev0JOINED1", "member_joined_channel")
    left_then_joined("Ev0LEFT01", "member_left_channel")
    left_then_joined("Ev0JOINED1", "member_joined_channel")  # Slack's retry of the first
    assert _members(running)[OUTSIDER] is False


def _members(running: RunningBot) -> dict[str, bool]:
    with running.bot.db.transaction() as session:
        return {m.user_id: m.in_channel for m in session.scalars(select(Member))}


def test_seen_requests_are_forgotten_after_the_window(db: Database) -> None:
    start = utc_now()
    assert first_sighting(db=db, key="a" * 64, now=start)
    assert not first_sighting(db=db, key="a" * 64, now=start + timedelta(minutes=5))
    later = start + KEPT_FOR + timedelta(seconds=1)
    assert first_sighting(db=db, key="b" * 64, now=later)
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(SeenRequest)) == 1


# ------------------------------------------------------------ two real processes


class Workers:
    """`bot.py serve` (gunicorn, two worker processes) with the schedule off."""

    def __init__(self, database_url: str, slack: StandInSlack, logs: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PULSE_"))}
        env = {
            **clean,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": database_url,
            "PULSE_SCHEDULER": "off",
        }
        command = [sys.executable, "bot.py", "serve", "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--workers", "2"]
        self.logs = logs
        self._log_file = logs.open("w")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, logs.read_text()
            try:
                if _get(f"{self.base}/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("bot.py serve did not become healthy")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self._log_file.close()


@pytest.fixture
def workers(database_url: str, slack: StandInSlack, tmp_path: Path) -> Iterator[Workers]:
    served = Workers(database_url, slack, tmp_path / "serve.log")
    yield served
    served.stop()


def test_replays_reaching_two_processes_at_once_post_once(
    workers: Workers, slack: StandInSlack
) -> None:
    senders = [SlackRequestSender(workers.base, SIGNING_SECRET) for _ in range(COPIES + 1)]
    first = senders[0]
    for text in ("setup", "send"):
        reply = first.slash_command(
            text=text, user_id=MANAGER, channel_id=TEAM_CHANNEL, response_url=""
        )
        assert reply.status == 200
        time.sleep(1.0)
    wait_for(lambda: all(slack.dms_to(u) for u in SURVEYED), timeout=20)
    doubled = 0
    for trial in range(TRIALS):
        before = _digest_posts(slack)
        command = SignedOnce(slack, trial)
        assert command.send_together(senders) == [200] * len(senders)
        wait_for(lambda: _replies_to(slack, command.url) >= 1, timeout=30)  # noqa: B023
        time.sleep(0.5)
        doubled += _replies_to(slack, command.url) != 1
        doubled += _digest_posts(slack) - before > 1
    assert doubled == 0, workers.logs.read_text()[-3000:]
