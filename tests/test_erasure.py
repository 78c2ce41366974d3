"""Rows deleted at a close, a forget-me and a purge cannot be carved back from the
database's own files: the SQLite file and its -wal, PostgreSQL's table and index files."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from jobs.tick import run_tick
from services import privacy as privacy_service
from services import rounds as round_service
from tests.pulse_flow import SURVEYED, click, close_round, send_round, setup_team
from tests.support import MEMBERS, ROUND_WEEK, TEAM_CHANNEL, RunningBot, wait_for

LINKED = ("pending_answers", "prompts", "members", "managers", "opt_outs", "answers")


def _files(running: RunningBot) -> list[Path]:
    """The files that hold the linked tables, or skip saying why they can't be read."""
    engine = running.bot.db.engine
    if engine.dialect.name == "sqlite":
        main = Path(str(engine.url.database))
        return [p for p in (main, Path(f"{main}-wal")) if p.exists()]
    with engine.connect() as connection:
        data = Path(connection.execute(text("SHOW data_directory")).scalar_one())
        names = connection.execute(
            text(
                "SELECT pg_relation_filepath(c.oid) FROM pg_class c "
                "WHERE c.relname = ANY(:t) OR c.oid IN (SELECT indexrelid FROM pg_index i "
                "JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname = ANY(:t))"
            ),
            {"t": list(LINKED)},
        ).scalars()
        connection.execute(text("CHECKPOINT"))
    files = [data / name for name in names if name]
    try:
        return [f for f in files if f.exists() and f.read_bytes() is not None]
    except PermissionError:
        pytest.skip(f"the PostgreSQL data directory {data} cannot be read by this user")


def _count(running: RunningBot, needle: str) -> int:
    return sum(f.read_bytes().count(needle.encode()) for f in _files(running))


def _live_count(running: RunningBot, needle: str, tmp: Path) -> int:
    """How often the needle appears in a clean copy of what the database still holds."""
    engine = running.bot.db.engine
    if engine.dialect.name != "sqlite":
        return 0
    copy = tmp / "clean.db"
    copy.unlink(missing_ok=True)
    with sqlite3.connect(str(engine.url.database)) as source:
        source.execute(f"VACUUM INTO '{copy}'")
    return copy.read_bytes().count(needle.encode())


def test_a_forgotten_member_cannot_be_carved_from_the_database_files(
    running: RunningBot, tmp_path: Path
) -> None:
    setup_team(running)
    send_round(running)
    user = MEMBERS[3]
    for question in range(3):
        click(running, user, question, 4)
    running.command("forget-me", user=user)
    assert _count(running, user) == 0


def test_answers_unlinked_at_close_leave_no_linked_copy_in_the_files(
    running: RunningBot, tmp_path: Path
) -> None:
    round_ = _answered_round(running)
    # The close alone, so that nothing written after it (the digest) shares the files.
    round_service.close_round(db=running.bot.db, round_id=round_.id, now=running.clock())
    _assert_no_deleted_copy(running, tmp_path)
    with running.bot.db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM pending_answers")).scalar() == 0


def test_answers_unlinked_by_the_schedules_close_leave_no_linked_copy_in_the_files(
    running: RunningBot, tmp_path: Path
) -> None:
    round_ = _answered_round(running)
    files_before = _filenodes(running)
    running.clock.set(round_.closes_at + timedelta(minutes=1))
    assert run_tick(running.bot.outbound).closed == 1
    _assert_no_deleted_copy(running, tmp_path)
    if files_before:  # PostgreSQL: rewritten, so no dead row of theirs is left in a file
        assert not set(_filenodes(running)) & set(files_before)


def _answered_round(running: RunningBot) -> round_service.RoundInfo:
    """This week's round, sent and answered by everyone surveyed, their redraws done."""
    setup_team(running)
    send_round(running)
    for i, user in enumerate(SURVEYED):
        click(running, user, 0, 1 + i % 5)
    wait_for(lambda: len(running.slack.calls_to("chat.update")) >= len(SURVEYED))
    round_ = round_service.round_of_week(
        db=running.bot.db, channel_id=TEAM_CHANNEL, week=ROUND_WEEK
    )
    assert round_ is not None
    return round_


def _assert_no_deleted_copy(running: RunningBot, tmp: Path) -> None:
    """Each behaviour id still appears where live rows hold it (the round, the unlinked
    answers); never more often, as it would while a deleted linked row could be read."""
    if running.bot.db.engine.dialect.name != "sqlite":
        return
    with running.bot.db.engine.connect() as connection:
        behaviours = connection.execute(text("SELECT DISTINCT behaviour_id FROM answers"))
        for behaviour in list(behaviours.scalars()):
            assert _count(running, behaviour) <= _live_count(running, behaviour, tmp)


def _filenodes(running: RunningBot) -> list[int]:
    """The files PostgreSQL keeps the close's linked tables in (none on SQLite)."""
    if running.bot.db.engine.dialect.name == "sqlite":
        return []
    with running.bot.db.engine.connect() as connection:
        return list(
            connection.execute(
                text(
                    "SELECT pg_relation_filenode(c) FROM unnest("
                    "ARRAY['pending_answers', 'prompts']::regclass[]) AS c"
                )
            ).scalars()
        )


def test_purged_answers_leave_nothing_in_the_files(running: RunningBot, tmp_path: Path) -> None:
    setup_team(running)
    send_round(running)
    for user in SURVEYED:
        click(running, user, 0, 2)
    close_round(running)
    later = running.clock() + timedelta(days=privacy_service.DEFAULT_RETENTION_DAYS + 1)
    assert privacy_service.purge_expired_answers(db=running.bot.db, now=later) > 0
    with running.bot.db.engine.connect() as connection:
        behaviours = connection.execute(text("SELECT DISTINCT behaviour_id FROM pending_answers"))
        assert list(behaviours) == []
    if running.bot.db.engine.dialect.name == "sqlite":
        for behaviour in ("partner", "the"):
            assert _count(running, behaviour) <= _live_count(running, behaviour, tmp_path)
