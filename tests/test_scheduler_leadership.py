"""Exactly one server runs the schedule, even after the leader's lock connection is cut
(`pg_terminate_backend`): the leader notices at its next tick and either takes the lock
again or stops ticking. Real `serve` processes on PostgreSQL, several cuts in a row."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from runtime.server import LEAD_RETRY_SECONDS
from standin import StandInSlack
from storage.database import normalise_url
from storage.leader import LEADER_LOCK
from tests.support import BOT_TOKEN, standard_workspace, wait_for

ROOT = Path(__file__).resolve().parents[1]
CUTS = 3
TICKS = re.compile(r"^pulse_scheduler_ticks_total (\S+)$", re.MULTILINE)


@pytest.fixture
def postgresql_url(database_url: str) -> str:
    if database_url.startswith("sqlite"):
        pytest.skip("a SQLite file's lock dies only with its process; no connection to cut")
    return database_url


@pytest.fixture
def quiet_slack() -> Iterator[StandInSlack]:
    with StandInSlack(standard_workspace()) as server:
        yield server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(url: str, slack: StandInSlack, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": "s" * 32,
        "SLACK_API_URL": slack.api_url,
        "PULSE_TICK_SECONDS": "1",
        "PULSE_WORKERS": "1",
    }
    return subprocess.Popen(
        [sys.executable, "bot.py", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _ticks(port: int) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as reply:
        found = TICKS.search(reply.read().decode())
    return float(found.group(1)) if found else 0.0


def _cut_the_leaders_lock(url: str) -> int:
    engine = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            return len(
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_locks"
                        " WHERE locktype = 'advisory' AND granted AND objsubid = 1"
                        " AND database = (SELECT oid FROM pg_database"
                        " WHERE datname = current_database())"
                        " AND classid::bigint = :high AND objid::bigint = :low"
                    ),
                    {"high": LEADER_LOCK >> 32, "low": LEADER_LOCK & 0xFFFFFFFF},
                ).all()
            )
    finally:
        engine.dispose()


def _who_ticks(ports: list[int], seconds: float) -> list[bool]:
    before = [_ticks(port) for port in ports]
    time.sleep(seconds)
    return [after > start for after, start in zip([_ticks(p) for p in ports], before, strict=True)]


def test_after_the_leaders_lock_connection_is_cut_only_one_server_ticks(
    postgresql_url: str, quiet_slack: StandInSlack
) -> None:
    ports = [_free_port(), _free_port()]
    servers = [_serve(postgresql_url, quiet_slack, port) for port in ports]
    ticking: list[list[bool]] = []
    cut: list[int] = []
    try:
        wait_for(lambda: any(_ticks_or_zero(port) for port in ports), timeout=60)
        for _ in range(CUTS):
            cut.append(_cut_the_leaders_lock(postgresql_url))
            time.sleep(LEAD_RETRY_SECONDS + 3)  # every seat has asked for the lock again
            ticking.append(_who_ticks(ports, 6))
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=60)
    print(f"\nlocks cut {cut}; servers ticking after each cut: {ticking}")
    assert cut == [1] * CUTS
    assert all(sum(round_) == 1 for round_ in ticking), ticking


def _ticks_or_zero(port: int) -> float:
    try:
        return _ticks(port)
    except OSError:
        return 0.0
