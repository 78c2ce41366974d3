"""Hot-path writes compiled once per database and run with the driver's own parameters."""

from __future__ import annotations

from sqlalchemy import bindparam, select, update

from storage.database import Database
from storage.models import Team, utc_now
from storage.prepared import Prepared

RENAME = Prepared(
    update(Team)
    .where(Team.channel_id == bindparam("channel"), Team.workspace_id != "T0GONE")
    .values(workspace_id="T0MOVED", timezone=bindparam("zone"))
)


def _add_team(db: Database, channel: str) -> None:
    with db.transaction() as session:
        session.add(Team(workspace_id="T0", channel_id=channel, created_at=utc_now()))


def test_a_prepared_write_uses_its_own_literals_and_each_call_s_values(db: Database) -> None:
    _add_team(db, "C0ONE")
    _add_team(db, "C0TWO")
    with db.reading() as session:
        untouched_zone = session.scalar(select(Team.timezone).where(Team.channel_id == "C0TWO"))
    with db.hot.writing() as connection:
        changed = RENAME.execute(connection, {"channel": "C0ONE", "zone": "Europe/London"})
    assert changed.rowcount == 1
    with db.reading() as session:
        rows = session.execute(
            select(Team.channel_id, Team.workspace_id, Team.timezone).order_by(Team.channel_id)
        ).all()
    assert [tuple(row) for row in rows] == [
        ("C0ONE", "T0MOVED", "Europe/London"),
        ("C0TWO", "T0", untouched_zone),
    ]


def test_a_prepared_write_rolls_back_with_its_transaction(db: Database) -> None:
    _add_team(db, "C0ONE")
    try:
        with db.hot.writing() as connection:
            RENAME.execute(connection, {"channel": "C0ONE", "zone": "Asia/Tokyo"})
            raise RuntimeError("the caller fails after the write")
    except RuntimeError:
        pass
    with db.reading() as session:
        assert session.scalar(select(Team.workspace_id)) == "T0"
