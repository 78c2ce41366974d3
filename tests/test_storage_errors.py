"""A unit of work fails in storage's own words, so services decide without knowing SQLAlchemy."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from storage import teams as team_store
from storage.database import Database, retrying
from storage.errors import AlreadyExists, StorageError, TransientConflict
from tests.support import TUESDAY_10


def test_a_duplicate_row_is_already_exists_and_nothing_is_kept(db: Database) -> None:
    with db.transaction() as session:
        team = team_store.add_team(session, workspace_id="T1", channel_id="C1", now=TUESDAY_10)
        team_store.new_member(session, team_id=team.id, user_id="U1")
    with pytest.raises(AlreadyExists) as raised, db.transaction() as session:
        team_store.new_member(session, team_id=team.id, user_id="U2")
        team_store.new_member(session, team_id=team.id, user_id="U1")
    assert isinstance(raised.value.__cause__, IntegrityError)
    with db.reading() as session:
        assert sorted(m.user_id for m in team_store.members_of(session, team.id)) == ["U1"]


def test_any_other_database_failure_is_a_storage_error(db: Database) -> None:
    with pytest.raises(StorageError) as raised, db.reading() as session:
        session.execute(text("SELECT * FROM no_such_table"))
    assert not isinstance(raised.value, AlreadyExists | TransientConflict)
    assert isinstance(raised.value.__cause__, DBAPIError)


def test_a_transient_conflict_is_run_again_and_the_last_one_is_raised() -> None:
    attempts: list[int] = []

    def conflicting() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise TransientConflict("rolled back for a concurrent transaction")
        return "done"

    assert retrying(conflicting) == "done"
    assert len(attempts) == 3

    def always() -> str:
        raise TransientConflict("rolled back for a concurrent transaction")

    with pytest.raises(TransientConflict):
        retrying(always, attempts=2)


def test_records_are_frozen_copies_not_rows(db: Database) -> None:
    with db.transaction() as session:
        team = team_store.add_team(session, workspace_id="T1", channel_id="C1", now=TUESDAY_10)
    with pytest.raises(dataclasses.FrozenInstanceError):
        team.target = 7.0  # type: ignore[misc]
    with db.transaction() as session:
        changed = team_store.set_target(session, team.id, 7.0)
    assert (team.target, changed.target) == (None, 7.0)
