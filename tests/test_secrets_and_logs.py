"""Secrets and answers never reach a log line, an error message, an exception or a repr.

The whole loop runs with the bot's own logging set up at DEBUG, the most it can be asked
to say, while every log record is captured (and the text the bot writes to stderr): setup,
a round, every member's clicks, a summary, a digest, forged and stale requests, Slack
failing mid-click and mid-digest, App Home. CLI failures are run as an operator runs them.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.settings import MissingSetting, load_settings
from runtime.logs import configure_logging
from standin import StandInSlack, sign
from tests.pulse_flow import SURVEYED, click, latest_prompt, send_round
from tests.support import (
    BOT_TOKEN,
    MEMBERS,
    SIGNING_SECRET,
    TEAM_CHANNEL,
    FakeClock,
    RunningBot,
    start_bot,
    wait_for,
)

ROOT = Path(__file__).resolve().parents[1]
APP_TOKEN = "xapp-1-A0STANDIN-1234567890-appleveltokensecret"
CLIENT_SECRET = "client-secret-c0ffee0123456789"
SECRETS = (BOT_TOKEN, SIGNING_SECRET, APP_TOKEN, CLIENT_SECRET)
FORM = "application/x-www-form-urlencoded"
# What identifies one person's answer: a button's value (prompt:behaviour:point), the
# button it came from, or the redrawn prompt's "You chose".
ANSWER = re.compile(r"\b\d+:[a-z0-9-]+:(?:[1-5]|skip)\b|answer-[1-5]\b|You chose|'point'")
PEOPLE = re.compile("|".join(re.escape(u[1:]) for u in SURVEYED))  # U0… and their D0… DMs
POINT = re.compile(r"(?i)\b(?:point|answer(?:ed)?|chose|value)\b\W{0,3}[1-5]\b")


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


@pytest.fixture
def bot_logging(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """The bot's logging as `bot.py` sets it up (at DEBUG), every record also captured."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {
        name: logger.level
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    yield caplog
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, logger in logging.root.manager.loggerDict.items():
        if isinstance(logger, logging.Logger):
            logger.setLevel(levels.get(name, logging.NOTSET))


def _configure(caplog: pytest.LogCaptureFixture, fmt: str) -> None:
    configure_logging(fmt, level=logging.DEBUG)
    logging.getLogger().addHandler(caplog.handler)
    caplog.handler.setLevel(logging.DEBUG)


def _everything_logged(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> list[str]:
    """Each record's message and traceback, and every line the bot wrote out."""
    formatter = logging.Formatter()
    texts = []
    for record in caplog.records:
        texts.append(f"{record.name}: {record.getMessage()}")
        if record.exc_info:
            texts.append(formatter.formatException(record.exc_info))
        if record.exc_text:
            texts.append(record.exc_text)
    captured = capsys.readouterr()
    return texts + captured.err.splitlines() + captured.out.splitlines()


def _full_loop(running: RunningBot) -> list[str]:
    """Everything a workspace does to the bot in a week; returns every HTTP answer's text."""
    slack, sender = running.slack, running.sender
    replies = [running.command("setup").text]
    time.sleep(0.3)
    send_round(running)
    for i, user in enumerate(SURVEYED):
        for question in range(3):
            replies.append(click(running, user, question, 1 + (i + question) % 5).text)
    replies.append(click(running, MEMBERS[0], 0, 2).text)  # a changed answer
    replies.append(click(running, MEMBERS[0], 0, 5, as_user=MEMBERS[1]).text)  # not theirs
    wait_for(lambda: all("You chose" in str(latest_prompt(running, u).blocks) for u in SURVEYED))

    slack.fail_next("chat.update", error="internal_error")  # Slack fails mid-click
    replies.append(click(running, MEMBERS[2], 1, 4).text)
    slack.fail_next("views.publish", error="internal_error")
    replies.append(
        sender.event({"type": "app_home_opened", "user": MEMBERS[3], "tab": "home"}).text
    )

    body = b"command=%2Fpulse&text=optout&user_id=U0MEMBER01&channel_id=C0TEAM0001&team_id=T0"
    stale = int(time.time()) - 3600
    replies.append(sender.post(body, content_type=FORM, signature="v0=" + "0" * 64).text)
    replies.append(
        sender.post(
            body, content_type=FORM, timestamp=stale, signature=sign(SIGNING_SECRET, stale, body)
        ).text
    )
    replies.append(sender.post(b"payload=%7B", content_type=FORM).text)

    replies.append(running.command("summary").text)
    slack.fail_next("chat.postMessage", error="channel_not_found")  # the digest fails once
    replies.append(running.command("digest").text)
    time.sleep(0.5)
    replies.append(running.command("digest").text)
    wait_for(lambda: slack.messages_in(TEAM_CHANNEL))
    replies.append(running.command("summary 2", user=MEMBERS[4]).text)
    time.sleep(0.5)
    return replies + [str(r["body"]) for r in slack.responses]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_whole_loop_logs_no_secret_and_no_ones_answer(
    fmt: str,
    bot_logging: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    slack: StandInSlack,
    clock: FakeClock,
) -> None:
    _configure(bot_logging, fmt)
    running = start_bot(database_url, slack, clock)
    try:
        replies = _full_loop(running)
    finally:
        running.stop()
    logged = _everything_logged(bot_logging, capsys)
    assert len(logged) > 10, "the loop should have been logged"
    assert [line for line in logged + replies if _leaks(line)] == []
    assert [line for line in logged if ANSWER.search(line)] == []
    assert [line for line in logged if PEOPLE.search(line) and POINT.search(line)] == []


def test_settings_never_show_a_secret_in_a_repr_or_a_message() -> None:
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_APP_TOKEN": APP_TOKEN,
            "SLACK_CLIENT_ID": "123.456",
            "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        }
    )
    shown = [repr(settings), str(settings), f"{settings}", repr(vars(settings))]
    shown += [repr(settings.bot_token), str(settings.signing_secret), f"{settings.app_token}"]
    assert [s for s in shown if _leaks(s)] == []
    assert settings.require_bot_token() == BOT_TOKEN  # the value is there, only never shown

    empty = load_settings({"SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_APP_TOKEN": APP_TOKEN})
    with pytest.raises(MissingSetting) as missing:
        empty.require_bot_token()
    assert "SLACK_BOT_TOKEN" in str(missing.value)
    assert not _leaks(str(missing.value) + repr(missing.value))


def test_the_running_bots_parts_show_no_secret(running: RunningBot) -> None:
    bot = running.bot
    shown = [repr(bot), repr(bot.settings), repr(bot.outbound), repr(bot.app), str(bot.db.engine)]
    assert [s for s in shown if _leaks(s)] == []


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "bot.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("args", "unset", "named"),
    [
        (["pulse", "send", "--team", TEAM_CHANNEL], "SLACK_BOT_TOKEN", "SLACK_BOT_TOKEN"),
        (["serve", "--port", "0"], "SLACK_SIGNING_SECRET", "SLACK_SIGNING_SECRET"),
        (["socket"], "SLACK_APP_TOKEN", "SLACK_APP_TOKEN"),
    ],
    ids=["bot-token", "signing-secret", "app-token"],
)
def test_a_missing_secret_stops_the_cli_without_printing_the_others(
    tmp_path: Path, args: list[str], unset: str, named: str
) -> None:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "PULSE_LOG_FORMAT": "json",
    }
    del env[unset]
    result = _cli(args, env)
    assert result.returncode == 2, result.stderr
    assert named in result.stderr
    assert _leaks(result.stderr + result.stdout) == []
    assert all(json.loads(line) for line in result.stderr.splitlines() if line.startswith("{"))
