"""Assembling the bot as `serve` and `socket` do says nothing alarming that is not so."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from config.settings import load_settings
from runtime.assembly import build_bot


@pytest.mark.parametrize("socket_mode", [False, True], ids=["serve", "socket"])
def test_a_bot_token_in_the_environment_draws_no_unused_token_warning(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    socket_mode: bool,
) -> None:
    environment = {
        "SLACK_BOT_TOKEN": "xoxb-from-the-environment",
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_APP_TOKEN": "xapp-from-the-environment",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'pulse.db'}",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)  # Bolt reads SLACK_BOT_TOKEN from here by itself
    with caplog.at_level(logging.WARNING):
        bot = build_bot(load_settings(environment), socket_mode=socket_mode)
    bot.db.dispose()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
