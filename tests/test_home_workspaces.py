"""Members' home workspaces and workspace names are kept, and read back as frozen records."""

from __future__ import annotations

import dataclasses

import pytest

from storage import home_workspaces as homes
from storage import teams as team_store
from storage.database import Database
from tests.support import TUESDAY_10


def _team_with_members(db: Database, *user_ids: str) -> int:
    with db.transaction() as session:
        team = team_store.add_team(session, workspace_id="T1", channel_id="C1", now=TUESDAY_10)
        for user_id in user_ids:
            team_store.new_member(session, team_id=team.id, user_id=user_id)
        session.flush()
        return team.id


def test_home_workspaces_name_each_member_slack_has_placed(db: Database) -> None:
    team_id = _team_with_members(db, "U1", "U2", "W3")
    with db.transaction() as session:
        assert homes.record_home(session, team_id=team_id, user_id="U1", home_team_id="T1")
        assert homes.record_home(session, team_id=team_id, user_id="W3", home_team_id="T_NHS")
        homes.name_workspace(session, workspace_id="T1", name="Leeds City Council", now=TUESDAY_10)
    with db.reading() as session:
        found = homes.home_workspaces(session, team_id)
        assert homes.unnamed_workspaces(session, team_id) == ["T_NHS"]
    assert found == {
        "U1": homes.HomeWorkspace("T1", "Leeds City Council"),
        "W3": homes.HomeWorkspace("T_NHS", None),
    }
    with pytest.raises(dataclasses.FrozenInstanceError):
        found["U1"].name = "changed"  # type: ignore[misc]


def test_a_workspace_renamed_is_named_afresh_and_leavers_are_left_out(db: Database) -> None:
    team_id = _team_with_members(db, "U1", "W3")
    with db.transaction() as session:
        homes.record_home(session, team_id=team_id, user_id="W3", home_team_id="T_NHS")
        homes.record_home(session, team_id=team_id, user_id="U1", home_team_id="T_NHS")
        homes.name_workspace(session, workspace_id="T_NHS", name="NHS", now=TUESDAY_10)
        homes.name_workspace(session, workspace_id="T_NHS", name="NHS Leeds", now=TUESDAY_10)
        team_store.set_in_channel(session, team_id=team_id, user_id="U1", in_channel=False)
    with db.reading() as session:
        assert homes.workspace_name(session, "T_NHS") == "NHS Leeds"
        assert homes.home_workspaces(session, team_id) == {
            "W3": homes.HomeWorkspace("T_NHS", "NHS Leeds")
        }
        assert homes.unnamed_workspaces(session, team_id) == []


def test_recording_a_home_for_someone_not_in_the_team_changes_nothing(db: Database) -> None:
    team_id = _team_with_members(db, "U1")
    with db.transaction() as session:
        assert not homes.record_home(session, team_id=team_id, user_id="U9", home_team_id="T2")
    with db.reading() as session:
        assert homes.home_workspaces(session, team_id) == {}
