"""`python bot.py serve` as production runs it: gunicorn with two workers, as a real
process, against the stand-in Slack. Health, a signed command, metrics added up across
processes, JSON logs, and a SIGTERM that lets the request in flight finish."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from standin import SlackReply, SlackRequestSender, StandInSlack
from tests.support import BOT_TOKEN, MANAGER, SIGNING_SECRET

ROOT = Path(__file__).resolve().parents[1]
SLOW_SECONDS = 2.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class Server:
    """`bot.py serve` in a subprocess, with its logs in a file."""

    def __init__(self, database_url: str, slack: StandInSlack, logs: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.logs = logs
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PULSE_"))}
        env = {
            **clean,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": database_url,
            "PULSE_LOG_FORMAT": "json",
            "PULSE_SCHEDULER": "on",
        }
        command = [sys.executable, "bot.py", "serve", "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--workers", "2"]
        self._log_file = logs.open("w")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT
        )
        self.healthy = 0

    def wait_until_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.logs.read_text()
            try:
                status, _ = _get(f"{self.base}/healthz")
            except OSError:
                time.sleep(0.2)
                continue
            if status == 200:
                self.healthy += 1
                return
        raise AssertionError(f"never healthy:\n{self.logs.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self._log_file.close()

    def log_entries(self) -> list[dict[str, Any]]:
        lines = [line for line in self.logs.read_text().splitlines() if line.strip()]
        return [json.loads(line) for line in lines]


@pytest.fixture
def server(database_url: str, slack: StandInSlack, tmp_path: Path) -> Iterator[Server]:
    running = Server(database_url, slack, tmp_path / "serve.log")
    try:
        running.wait_until_healthy()
        yield running
    finally:
        running.stop()


def _metric(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = re.escape(name + ("{" + wanted + "}" if wanted else "")) + r" (\S+)"
    match = re.search("^" + pattern + "$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def test_serve_answers_health_commands_and_metrics(server: Server) -> None:
    for _ in range(5):
        assert _get(f"{server.base}/healthz") == (200, "ok")
        server.healthy += 1
    sender = SlackRequestSender(server.base, SIGNING_SECRET)
    reply = sender.slash_command(text="help", user_id=MANAGER, channel_id="C0TEAM0001")
    assert reply.status == 200
    assert "/pulse setup" in reply.json()["text"]
    forged = sender.post(b"command=/pulse", content_type="text/plain", signature="v0=forged")
    assert forged.status == 401

    time.sleep(3)  # every worker writes its figures within two seconds
    status, text = _get(f"{server.base}/metrics")
    assert status == 200
    assert _metric(text, "pulse_http_requests_total", route="/healthz", status="200") == (
        server.healthy
    )
    assert _metric(text, "pulse_http_requests_total", route="/slack/events", status="401") == 1
    assert _metric(text, "pulse_prompts_sent_total") == 0
    assert "# TYPE pulse_slack_api_request_duration_seconds histogram" in text


def test_sigterm_lets_the_request_in_flight_finish_and_exits_cleanly(
    server: Server, slack: StandInSlack
) -> None:
    started = threading.Event()
    publish = slack._handlers["views.publish"]

    def slow_publish(args: dict[str, Any], token: str | None) -> Any:
        started.set()
        time.sleep(SLOW_SECONDS)
        return publish(args, token)

    slack._handlers["views.publish"] = slow_publish
    sender = SlackRequestSender(server.base, SIGNING_SECRET, timeout=30)
    replies: list[SlackReply] = []
    request = threading.Thread(
        target=lambda: replies.append(
            sender.event({"type": "app_home_opened", "user": MANAGER, "tab": "home"})
        )
    )
    request.start()
    assert started.wait(20), server.logs.read_text()
    server.process.send_signal(signal.SIGTERM)
    request.join(30)
    assert replies and replies[0].status == 200
    assert MANAGER in slack.published_views
    assert server.process.wait(60) == 0

    entries = server.log_entries()
    assert sum("scheduler started" in e["message"] for e in entries) == 1
    assert any(e.get("path") == "/healthz" and e.get("status") == 200 for e in entries)
    assert not any("?" in str(e.get("path", "")) for e in entries)
