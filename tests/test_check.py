"""`python bot.py check`, run as a person runs it, against the stand-in Slack: each thing it
can find wrong is named with its fix, the exit status says whether anything is, and
nothing is changed."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from delivery.scopes import bot_scopes
from services import teams as team_service
from standin import DEFAULT_TEAM_ID, StandInSlack
from storage.database import Database
from tests.support import BOT_TOKEN, MANAGER, SIGNING_SECRET, TEAM_CHANNEL

ROOT = Path(__file__).resolve().parents[1]


def _check(slack: StandInSlack, database_url: str, **overrides: str) -> tuple[int, list[str]]:
    """Run `bot.py check` in Socket Mode against the stand-in; its status and lines."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PULSE_"))}
    environment = {
        **clean,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": slack.app_token,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": database_url,
        **overrides,
    }
    environment = {k: v for k, v in environment.items() if v}
    result = subprocess.run(
        [sys.executable, "bot.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout.splitlines()


def _line(lines: list[str], subject: str) -> str:
    return next(line for line in lines if line[5:].startswith(subject))


@pytest.fixture
def team(db: Database, slack: StandInSlack) -> str:
    """A team set up in the standard channel, with the bot invited to it."""
    team_service.setup_team(
        db=db,
        workspace_id=DEFAULT_TEAM_ID,
        channel_id=TEAM_CHANNEL,
        user_id=MANAGER,
        now=datetime(2026, 11, 17, 10, tzinfo=UTC),
    )
    slack.workspace.join(TEAM_CHANNEL, slack.workspace.bot_user_id)
    return TEAM_CHANNEL


def test_everything_ready_is_all_ok_and_exits_zero(
    slack: StandInSlack, database_url: str, team: str
) -> None:
    status, lines = _check(slack, database_url)
    assert status == 0, lines
    assert [line[:3] for line in lines[1:-1]] == ["OK "] * (len(lines) - 2)
    assert "Socket Mode" in _line(lines, "Mode")
    assert "works in Stand-in Workspace" in _line(lines, "Bot token")
    assert "at the latest schema" in _line(lines, "Database")
    assert "the bot is in the channel" in _line(lines, "Team #partnership")
    assert lines[-1].startswith("Everything is ready")


def test_a_missing_scope_is_named_with_where_to_add_it(
    slack: StandInSlack, database_url: str, team: str
) -> None:
    slack.grant_scopes(tuple(s for s in bot_scopes() if s != "files:write"))
    status, lines = _check(slack, database_url)
    assert status == 1
    scopes = _line(lines, "Scopes")
    assert scopes.startswith("FIX")
    assert "lacks files:write" in scopes
    assert "OAuth & Permissions" in scopes and "Reinstall to Workspace" in scopes


def test_a_revoked_token_says_to_install_again(
    slack: StandInSlack, database_url: str, team: str
) -> None:
    slack.revoke_token(BOT_TOKEN)
    status, lines = _check(slack, database_url)
    assert status == 1
    token = _line(lines, "Bot token")
    assert token.startswith("FIX") and "token_revoked" in token and "Install App" in token
    assert _line(lines, "Teams").startswith("FIX")


def test_an_unknown_token_says_where_to_copy_the_right_one(
    slack: StandInSlack, tmp_path: Path
) -> None:
    status, lines = _check(
        slack, f"sqlite:///{tmp_path / 'p.db'}", SLACK_BOT_TOKEN="xoxb-not-this-one"
    )
    assert status == 1
    assert "invalid_auth" in _line(lines, "Bot token")
    assert "Bot User OAuth Token" in _line(lines, "Bot token")


def test_a_channel_the_bot_was_removed_from_says_how_to_invite_it(
    slack: StandInSlack, database_url: str, team: str
) -> None:
    slack.workspace.leave(TEAM_CHANNEL, slack.workspace.bot_user_id)
    status, lines = _check(slack, database_url)
    assert status == 1
    channel = _line(lines, "Team #partnership")
    assert channel.startswith("FIX")
    assert "invite the bot with /invite @pulse in #partnership" in channel


def test_a_refused_app_level_token_says_how_to_generate_one(
    slack: StandInSlack, tmp_path: Path
) -> None:
    status, lines = _check(slack, f"sqlite:///{tmp_path / 'p.db'}", SLACK_APP_TOKEN="xapp-wrong")
    assert status == 1
    app_token = _line(lines, "App-level token")
    assert "invalid_auth" in app_token and "connections:write" in app_token


def test_http_mode_without_a_signing_secret_says_where_to_find_it(
    slack: StandInSlack, tmp_path: Path
) -> None:
    status, lines = _check(slack, f"sqlite:///{tmp_path / 'p.db'}", SLACK_APP_TOKEN="")
    assert status == 1
    mode = _line(lines, "Mode")
    assert mode.startswith("FIX") and "SLACK_SIGNING_SECRET" in mode and "Signing Secret" in mode
    status, lines = _check(
        slack,
        f"sqlite:///{tmp_path / 'p.db'}",
        SLACK_APP_TOKEN="",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
    )
    assert status == 0, lines


def test_a_missing_bot_token_says_where_to_get_it(slack: StandInSlack, tmp_path: Path) -> None:
    status, lines = _check(slack, f"sqlite:///{tmp_path / 'p.db'}", SLACK_BOT_TOKEN="")
    assert status == 1
    assert "SLACK_BOT_TOKEN is not set" in _line(lines, "Bot token")


def _set_revision(db: Database, revision: str) -> str:
    """Mark the schema as at another revision; the database's URL."""
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    return db.engine.url.render_as_string(hide_password=False)


def test_a_database_behind_the_code_says_to_upgrade(slack: StandInSlack, db: Database) -> None:
    status, lines = _check(slack, _set_revision(db, "0005"))
    assert status == 1
    assert "`python bot.py db upgrade`" in _line(lines, "Database")
    with db.engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == "0005"


def test_a_database_ahead_of_the_code_is_named(slack: StandInSlack, db: Database) -> None:
    status, lines = _check(slack, _set_revision(db, "9999"))
    assert status == 1
    assert "a newer version of the bot upgraded it" in _line(lines, "Database")


def test_an_unreachable_database_is_named_without_its_password(
    slack: StandInSlack,
) -> None:
    status, lines = _check(slack, "postgresql://pulse:hunter2@127.0.0.1:9/pulse")
    assert status == 1
    database = _line(lines, "Database")
    assert "cannot reach" in database
    assert "hunter2" not in "\n".join(lines)


def test_a_new_database_file_is_fine_and_is_not_created(
    slack: StandInSlack, tmp_path: Path
) -> None:
    path = tmp_path / "partnership_pulse.db"
    status, lines = _check(slack, f"sqlite:///{path}")
    assert status == 0, lines
    assert "does not exist yet" in _line(lines, "Database")
    assert "none yet" in _line(lines, "Teams")
    assert not path.exists()
