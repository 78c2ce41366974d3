"""`python bot.py …` as an operator runs it: every command, its help, and clear errors."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot import build_parser
from tests.pulse_flow import SURVEYED, click, everyone_answers, send_round, setup_team
from tests.support import BOT_TOKEN, ROUND_WEEK, TEAM_CHANNEL, RunningBot

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = [
    ["serve"],
    ["socket"],
    ["check"],
    ["pulse", "send"],
    ["digest", "post"],
    ["digest", "show"],
    ["export"],
    ["review", "show"],
    ["report"],
    ["demo"],
    ["db", "upgrade"],
]


def _bot(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "bot.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(command: list[str]) -> None:
    result = _bot([*command, "--help"], {})
    assert result.returncode == 0
    assert "usage: bot.py" in result.stdout


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for command in COMMANDS:
        assert f"python bot.py {' '.join(command)}" in readme, command
    subcommands = next(
        a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)
    )
    assert set(subcommands.choices) == {c[0] for c in COMMANDS}


def test_missing_bot_token_fails_with_a_message_naming_the_variable(tmp_path: Path) -> None:
    result = _bot(
        ["pulse", "send", "--team", TEAM_CHANNEL],
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"},
    )
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN is not set" in result.stderr


def test_missing_signing_secret_stops_serve(tmp_path: Path) -> None:
    result = _bot(
        ["serve", "--port", "0"],
        {"SLACK_BOT_TOKEN": "xoxb-x", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"},
    )
    assert result.returncode == 2
    assert "SLACK_SIGNING_SECRET is not set" in result.stderr


@pytest.mark.parametrize("week", ["2026-W60", "next week", "2026-47"])
def test_bad_week_is_refused_clearly(tmp_path: Path, week: str) -> None:
    result = _bot(
        ["digest", "show", "--team", TEAM_CHANNEL, "--week", week, "--format", "json"],
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"},
    )
    assert result.returncode == 2
    assert "week" in result.stderr.lower()


def test_unknown_team_is_refused_clearly(tmp_path: Path) -> None:
    database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    assert _bot(["db", "upgrade"], database).returncode == 0
    result = _bot(["digest", "show", "--team", "C0NOPE", "--format", "text"], database)
    assert result.returncode == 2
    assert "not a Partnership Pulse team" in result.stderr


def _env(running: RunningBot) -> dict[str, str]:
    return {
        "DATABASE_URL": running.bot.settings.database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": running.slack.api_url,
    }


def test_digest_show_json_prints_the_digest_of_the_given_answers(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    points = [1, 2, 3, 4, 5, 5, 4, 3, 2]
    for user, point in zip(SURVEYED, points, strict=True):
        click(running, user, 1, point)
    result = _bot(
        ["digest", "show", "--team", TEAM_CHANNEL, "--week", ROUND_WEEK, "--format", "json"],
        _env(running),
    )
    assert result.returncode == 0, result.stderr
    digest = json.loads(result.stdout)
    asked = [b for b in digest["behaviours"] if b["n"]]
    assert len(asked) == 1
    assert asked[0]["score"] == pytest.approx(sum((p - 3) / 2 for p in points) / len(points))
    assert set(digest) == {
        "team",
        "week",
        "participation",
        "index",
        "overall",
        "behaviours",
        "organisations",
        "convergence",
        "actions",
    }
    assert digest["organisations"] == []
    assert digest["convergence"]["shift"] == "insufficient_data"
    assert len(digest["behaviours"]) == 13


def test_digest_show_text_tells_the_story(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    everyone_answers(running, 4)
    result = _bot(
        ["digest", "show", "--team", TEAM_CHANNEL, "--week", ROUND_WEEK, "--format", "text"],
        _env(running),
    )
    assert result.returncode == 0, result.stderr
    for heading in ("Where are we now", "Where did we start from", "Where are we going"):
        assert heading in result.stdout


def test_pulse_send_twice_sends_each_prompt_once(running: RunningBot) -> None:
    setup_team(running)
    for _ in range(2):
        result = _bot(
            ["pulse", "send", "--team", TEAM_CHANNEL, "--week", "2026-W40"], _env(running)
        )
        assert result.returncode == 0, result.stderr
    assert all(len(running.slack.dms_to(u)) == 1 for u in SURVEYED)


def test_digest_post_puts_the_digest_in_the_channel(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    result = _bot(["digest", "post", "--team", TEAM_CHANNEL, "--week", ROUND_WEEK], _env(running))
    assert result.returncode == 0, result.stderr
    assert running.slack.messages_in(TEAM_CHANNEL)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_digest_show_for_a_week_without_a_round_says_there_was_none(
    running: RunningBot, fmt: str
) -> None:
    setup_team(running)
    send_round(running)
    result = _bot(
        ["digest", "show", "--team", TEAM_CHANNEL, "--week", "2026-W30", "--format", fmt],
        _env(running),
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "no round in the week of 20 Jul (2026-W30)" in result.stderr
    assert "0 of 0" not in result.stderr


def test_digest_post_for_a_week_without_a_round_posts_nothing(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    result = _bot(["digest", "post", "--team", TEAM_CHANNEL, "--week", "2026-W30"], _env(running))
    assert result.returncode == 2
    assert "Nothing was posted" in result.stderr
    assert running.slack.messages_in(TEAM_CHANNEL) == []
    assert running.slack.calls_to("files.getUploadURLExternal") == []


def test_digest_show_of_an_open_round_says_it_is_a_preview(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    click(running, SURVEYED[0], 0, 4)
    result = _bot(
        ["digest", "show", "--team", TEAM_CHANNEL, "--week", ROUND_WEEK, "--format", "text"],
        _env(running),
    )
    assert result.returncode == 0, result.stderr
    assert "Not enough answers yet" in result.stdout
    assert "still open" in result.stdout


def test_db_upgrade_is_idempotent(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    for _ in range(2):
        result = _bot(["db", "upgrade"], env)
        assert result.returncode == 0, result.stderr
        assert "up to date" in result.stdout


def test_socket_mode_without_an_app_token_fails_naming_the_variable(tmp_path: Path) -> None:
    result = _bot(
        ["socket"],
        {"SLACK_BOT_TOKEN": "xoxb-x", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"},
    )
    assert result.returncode == 2
    assert "SLACK_APP_TOKEN is not set" in result.stderr


def test_socket_mode_builds_without_a_signing_secret(tmp_path: Path) -> None:
    from config.settings import load_settings
    from runtime.assembly import build_bot

    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": "xoxb-x",
            "SLACK_APP_TOKEN": "xapp-x",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        }
    )
    bot = build_bot(settings, socket_mode=True)
    assert bot.app is not None
    bot.db.dispose()


def test_serve_without_a_client_secret_fails_naming_the_variable(tmp_path: Path) -> None:
    result = _bot(
        ["serve", "--port", "0"],
        {
            "SLACK_CLIENT_ID": "123.456",
            "SLACK_SIGNING_SECRET": "s",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        },
    )
    assert result.returncode == 2
    assert "SLACK_CLIENT_SECRET is not set" in result.stderr
