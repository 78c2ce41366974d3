"""A join or leave counts only in the workspace the event names: an event that names none
changes no team, whichever workspace has a channel of that id."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from sqlalchemy import select

from storage.models import Member
from tests.support import MEMBERS, OUTSIDER, TEAM_CHANNEL, RunningBot, wait_for


def _members(running: RunningBot) -> dict[str, bool]:
    with running.bot.db.transaction() as session:
        return {m.user_id: m.in_channel for m in session.scalars(select(Member))}


def _joined(user: str, **envelope: Any) -> bytes:
    now = time.time()
    body = {
        "type": "event_callback",
        "api_app_id": "A0STANDIN",
        "event_id": f"Ev0JOIN{int(now * 1000)}",
        "event_time": int(now),
        "event": {
            "type": "member_joined_channel",
            "user": user,
            "channel": TEAM_CHANNEL,
            "channel_type": "C",
            "event_ts": f"{now:.6f}",
        },
        **envelope,
    }
    return json.dumps(body).encode()


@pytest.fixture
def team(running: RunningBot) -> RunningBot:
    assert running.command("setup").status == 200
    wait_for(lambda: MEMBERS[0] in _members(running))
    return running


@pytest.mark.parametrize("envelope", [{}, {"team_id": ""}, {"team_id": 7}, {"team_id": "T0ELSE"}])
def test_a_join_without_this_workspace_changes_no_team(
    team: RunningBot, envelope: dict[str, Any]
) -> None:
    before = _members(team)
    reply = team.sender.post(_joined(OUTSIDER, **envelope), content_type="application/json")
    assert reply.status in (200, 400)
    assert _members(team) == before


def test_a_join_in_this_workspace_adds_the_member(team: RunningBot) -> None:
    reply = team.sender.post(
        _joined(OUTSIDER, team_id="T0STANDIN"), content_type="application/json"
    )
    assert reply.status == 200
    assert _members(team)[OUTSIDER] is True
