"""Readers and writers sharing the database: reading never waits for, or blocks, a writer."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from storage.database import Database
from storage.models import Team, utc_now


def _add_team(db: Database, n: int) -> None:
    with db.transaction() as session:
        session.add(Team(workspace_id="T0", channel_id=f"C{n:07d}", created_at=utc_now()))


def test_a_write_goes_ahead_while_a_read_is_open(db: Database) -> None:
    with db.reading() as session:
        session.scalar(select(func.count()).select_from(Team))
        started = time.perf_counter()
        _add_team(db, 1)  # on SQLite, a read holding the write lock would stall this for 10 s
        assert time.perf_counter() - started < 2
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Team)) == 1


def test_a_read_sees_one_snapshot_while_others_write(db: Database) -> None:
    _add_team(db, 1)
    with db.reading() as session:
        before = session.scalar(select(func.count()).select_from(Team))
        _add_team(db, 2)
        assert session.scalar(select(func.count()).select_from(Team)) == before


def test_many_threads_writing_at_once_all_land(db: Database) -> None:
    failures: list[BaseException] = []

    def write(first: int) -> None:
        try:
            for n in range(first, first + 20):
                _add_team(db, n)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=write, args=(i * 100,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Team)) == 160
