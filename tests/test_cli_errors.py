"""A command-line run with a setting it cannot use says so in one line naming the variable,
exits non-zero, prints no traceback and creates nothing (SPEC §7) — run as an operator runs
it, in a fresh working folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOT = str(ROOT / "bot.py")

COMMANDS = {
    "pulse send": ["pulse", "send", "--team", "C0TEAM0001"],
    "digest post": ["digest", "post", "--team", "C0TEAM0001"],
    "digest show": ["digest", "show", "--team", "C0TEAM0001"],
    "export": ["export", "--team", "C0TEAM0001"],
    "db upgrade": ["db", "upgrade"],
}

BAD_DATABASES = {
    "malformed": ("not a url at all", "is not a database URL"),
    "unknown engine": ("nonsense://somewhere/x", "SQLite or PostgreSQL"),
    "unreachable host": ("postgresql://postgres:hunter2@127.0.0.1:1/pulse", "cannot reach"),
    "missing folder": ("sqlite:///no/such/folder/pulse.db", "does not exist"),
}

BAD_PULSE_SETTINGS = {
    "PULSE_RETENTION_DAYS": ["-5", "0", "two years", "1.5", "７"],
    "PULSE_TICK_SECONDS": ["0", "-1", "soon"],
    "PULSE_CLAIM_LEASE_SECONDS": ["0", "60s"],
    "PULSE_WORKERS": ["0", "many"],
    "PULSE_SCHEDULER": ["maybe", "enabled"],
    "PULSE_LOG_FORMAT": ["xml"],
    "PULSE_COMMAND": ["pulse", "/Pulse", "/pulse now"],
}


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_", "PULSE_"))
    }
    return subprocess.run(
        [sys.executable, BOT, *args],
        cwd=cwd,
        env={**clean, "SLACK_BOT_TOKEN": "xoxb-test", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _assert_one_line_and_nothing_made(
    result: subprocess.CompletedProcess[str], cwd: Path, *, names: str, says: str
) -> None:
    lines = result.stderr.splitlines()
    assert result.returncode != 0
    assert len(lines) == 1, result.stderr
    assert names in lines[0] and says in lines[0], lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert list(cwd.iterdir()) == []


@pytest.mark.parametrize("command", COMMANDS, ids=str)
@pytest.mark.parametrize("problem", BAD_DATABASES, ids=str)
def test_an_unusable_database_url_is_named_in_one_line_and_nothing_is_created(
    tmp_path: Path, command: str, problem: str
) -> None:
    url, says = BAD_DATABASES[problem]
    result = _run(COMMANDS[command], tmp_path, DATABASE_URL=url)
    _assert_one_line_and_nothing_made(result, tmp_path, names="DATABASE_URL", says=says)
    assert "hunter2" not in result.stderr


@pytest.mark.parametrize("problem", BAD_DATABASES, ids=str)
def test_serve_names_an_unusable_database_url_from_its_migrating_child(
    tmp_path: Path, problem: str
) -> None:
    """`serve` checks and migrates the database in a forked child (so its workers never hold
    Alembic); what the child refuses is said by the parent in the same one line."""
    url, says = BAD_DATABASES[problem]
    serve = ["serve", "--host", "127.0.0.1", "--port", "0"]
    result = _run(serve, tmp_path, DATABASE_URL=url, SLACK_SIGNING_SECRET="s" * 32)
    _assert_one_line_and_nothing_made(result, tmp_path, names="DATABASE_URL", says=says)
    assert "hunter2" not in result.stderr


BAD_PULSE_CASES = [
    pytest.param(name, value, id=f"{name}={value}")
    for name, values in BAD_PULSE_SETTINGS.items()
    for value in values
]


@pytest.mark.parametrize(("name", "value"), BAD_PULSE_CASES)
def test_every_bad_pulse_setting_is_named_before_anything_is_created(
    tmp_path: Path, name: str, value: str
) -> None:
    result = _run(COMMANDS["pulse send"], tmp_path, **{name: value})
    _assert_one_line_and_nothing_made(result, tmp_path, names=name, says=repr(value))


def test_a_bad_slack_api_url_is_named(tmp_path: Path) -> None:
    result = _run(COMMANDS["digest post"], tmp_path, SLACK_API_URL="slack.com/api")
    _assert_one_line_and_nothing_made(result, tmp_path, names="SLACK_API_URL", says="http(s) URL")


@pytest.mark.parametrize("command", ["pulse send", "digest post"])
def test_a_missing_bot_token_creates_no_database(tmp_path: Path, command: str) -> None:
    result = _run(COMMANDS[command], tmp_path, SLACK_BOT_TOKEN="")
    _assert_one_line_and_nothing_made(result, tmp_path, names="SLACK_BOT_TOKEN", says="is not set")


@pytest.mark.parametrize("command", ["digest show", "export"])
def test_reading_commands_do_not_create_the_default_database(tmp_path: Path, command: str) -> None:
    result = _run(COMMANDS[command], tmp_path)
    _assert_one_line_and_nothing_made(result, tmp_path, names="DATABASE_URL", says="no database at")


def test_creating_the_database_prints_no_migration_chatter(tmp_path: Path) -> None:
    result = _run(COMMANDS["db upgrade"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == "Database is up to date.\n"
    assert (tmp_path / "partnership_pulse.db").exists()
    again = _run(COMMANDS["export"], tmp_path)  # a team that does not exist: one line
    assert again.returncode == 2
    assert again.stderr.splitlines() == [
        "error: This channel is not a Partnership Pulse team yet: a manager can run "
        "`/pulse setup` here."
    ]
