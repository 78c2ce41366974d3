"""Altered interactions act on nothing: App Home's Settings button opens a team's settings
only for one of its managers (anyone else gets no modal at all, and a Home without that
button), and a click whose shape Slack never sends is refused before anything is recorded
or redrawn, over HTTP as over Socket Mode."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from blocks.ids import ActionId
from standin import SlackReply, StandInSlack
from storage.models import PendingAnswer
from tests.pulse_flow import Loop, button, latest_prompt, send_round, setup_team
from tests.socket_support import SocketBot, start_socket_bot
from tests.support import (
    MANAGER,
    MEMBERS,
    OUTSIDER,
    TEAM_CHANNEL,
    FakeClock,
    RunningBot,
    wait_for,
)

MEMBER = MEMBERS[0]


def _press_settings(running: RunningBot, user: str, channel: str) -> SlackReply:
    return running.sender.block_action(
        user_id=user,
        action_id=ActionId.OPEN_SETTINGS.value,
        value=channel,
        block_id="b",
        channel_id="",
        message_ts="",
        container_type="view",
        view={"id": "V0HOME", "type": "home"},
    )


def _settle(slack: StandInSlack, quiet: float = 0.3) -> None:
    seen = -1
    while len(slack.calls) != seen:
        seen = len(slack.calls)
        time.sleep(quiet)


@pytest.mark.parametrize("caller", [MEMBER, OUTSIDER])
def test_an_altered_settings_button_opens_nothing_for_a_non_manager(
    running: RunningBot, caller: str
) -> None:
    setup_team(running)
    _settle(running.slack)
    opened = len(running.slack.calls_to("views.open"))
    assert _press_settings(running, caller, TEAM_CHANNEL).status == 200
    home = wait_for(lambda: running.slack.published_views.get(caller))
    _settle(running.slack)
    assert running.slack.calls_to("views.open")[opened:] == []
    text = json.dumps(home)
    assert "only a manager of this team" in text
    assert ActionId.OPEN_SETTINGS.value not in text


def test_the_settings_button_still_opens_the_settings_for_its_manager(
    running: RunningBot,
) -> None:
    setup_team(running)
    _settle(running.slack)
    opened = len(running.slack.calls_to("views.open"))
    assert _press_settings(running, MANAGER, TEAM_CHANNEL).status == 200
    (call,) = wait_for(lambda: running.slack.calls_to("views.open")[opened:])
    view = call.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert TEAM_CHANNEL in json.dumps(view) and "submit" in view


# ------------------------------------------------------------- a click of the wrong shape


def _click_with_view(running: Loop, view: Any) -> dict[str, Any]:
    message = latest_prompt(running, MEMBER)
    block_id, element = button(message, 0, 3)
    return {
        "type": "block_actions",
        "user": {"id": MEMBER},
        "team": {"id": "T0STANDIN"},
        "container": {"type": "message", "message_ts": message.ts, "channel_id": message.channel},
        "channel": {"id": message.channel},
        "message": {"ts": message.ts, "blocks": message.blocks},
        "actions": [
            {
                "type": "button",
                "action_id": element["action_id"],
                "block_id": block_id,
                "value": element["value"],
            }
        ],
        "view": view,
        "trigger_id": "1.2.3",
        "response_url": "",
    }


def _answers(running: Loop) -> int:
    with running.bot.db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(PendingAnswer)) or 0)


BAD_VIEWS: list[Any] = ["a string", None, [], 7]


@pytest.fixture
def socket_bot(database_url: str, slack: StandInSlack, clock: FakeClock) -> Iterator[SocketBot]:
    running = start_socket_bot(database_url, slack, clock)
    yield running
    running.stop()


def _refused_without_effect(running: Loop, send: Any) -> None:
    setup_team(running)
    send_round(running)
    _settle(running.slack)
    updates = len(running.slack.calls_to("chat.update"))
    for view in BAD_VIEWS:
        send(_click_with_view(running, view))
    _settle(running.slack)
    assert _answers(running) == 0
    assert running.slack.calls_to("chat.update")[updates:] == []


def test_a_click_whose_view_is_not_an_object_changes_nothing_over_http(
    running: RunningBot,
) -> None:
    def send(payload: dict[str, Any]) -> None:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        reply = running.sender.post(body, content_type="application/x-www-form-urlencoded")
        assert reply.status == 400

    _refused_without_effect(running, send)


def test_a_click_whose_view_is_not_an_object_changes_nothing_over_socket_mode(
    socket_bot: SocketBot,
) -> None:
    def send(payload: dict[str, Any]) -> None:
        socket_bot.sender._send_interaction(payload)

    _refused_without_effect(socket_bot, send)
    # The same click, well formed, is recorded: the refusal was about its shape.
    well_formed = _click_with_view(socket_bot, {"id": "V0X", "type": "home"})
    socket_bot.sender._send_interaction(well_formed)
    wait_for(lambda: _answers(socket_bot) == 1)
