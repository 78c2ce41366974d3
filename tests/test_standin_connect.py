"""The stand-in's Slack Connect: a channel shared by three workspaces, as the bot's token
sees it, through a real slack_sdk WebClient over HTTP (sources in standin/connect.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from standin import StandInSlack, Workspace

SHARED = "C0SHARED"
BUTTONS = {
    "type": "actions",
    "block_id": "q",
    "elements": [
        {
            "type": "button",
            "action_id": f"p{n}",
            "text": {"type": "plain_text", "text": str(n)},
            "value": str(n),
        }
        for n in range(1, 6)
    ],
}


def _shared_workspace() -> Workspace:
    ws = Workspace()
    ws.add_user("U100", "ada")
    ws.connect_team("T0NHS", "NHS Leeds", "nhs-leeds")
    ws.connect_team("T0POLICE", "West Yorkshire Police", "wyp")
    ws.add_external_user("W200", "nurse.nell", "T0NHS")
    ws.add_external_user("W300", "pc.pat", "T0POLICE", dm_refused=True)
    ws.add_external_user("W400", "far.away", "T0ELSEWHERE", stranger=True)
    ws.add_external_user("W500", "hidden", "T0POLICE", visible=False)
    ws.add_channel(SHARED, "partnership", members=["U100", "W200", "W300", "W500"])
    return ws


@pytest.fixture
def slack() -> Iterator[StandInSlack]:
    with StandInSlack(_shared_workspace()) as server:
        yield server
        assert server.block_kit_problems == [], server.block_kit_problems


def _client(slack: StandInSlack) -> WebClient:
    return WebClient(token=slack.bot_token, base_url=slack.api_url)


def _error(call: Any) -> str:
    with pytest.raises(SlackApiError) as raised:
        call()
    return str(raised.value.response["error"])


def test_a_shared_channel_lists_members_of_every_workspace_with_their_home_team(
    slack: StandInSlack,
) -> None:
    client = _client(slack)
    members = client.conversations_members(channel=SHARED)["members"]
    assert members == ["U100", "W200", "W300", "W500"]
    homes = {m: client.users_info(user=m)["user"]["team_id"] for m in members if m != "W500"}
    assert homes == {"U100": "T0STANDIN", "W200": "T0NHS", "W300": "T0POLICE"}
    assert _error(lambda: client.users_info(user="W500")) == "user_not_visible"
    assert _error(lambda: client.users_info(user="W999")) == "user_not_found"
    listed = {u["id"] for u in client.users_list()["members"]}
    assert "W200" not in listed  # users.list is the workspace's own people


def test_a_stranger_comes_back_with_a_thin_profile(slack: StandInSlack) -> None:
    user = _client(slack).users_info(user="W400")["user"]
    assert user["is_stranger"] is True and user["team_id"] == "T0ELSEWHERE"
    assert "tz" not in user and "email" not in user["profile"] and "deleted" not in user


def test_team_info_names_the_workspaces_a_channel_is_shared_with(slack: StandInSlack) -> None:
    client = _client(slack)
    assert client.team_info()["team"]["name"] == "Stand-in Workspace"
    assert client.team_info(team="T0NHS")["team"]["name"] == "NHS Leeds"
    assert _error(lambda: client.team_info(team="T0ELSEWHERE")) == "team_not_found"


def test_a_dm_slack_refuses_answers_channel_not_found(slack: StandInSlack) -> None:
    client = _client(slack)
    assert client.chat_postMessage(channel="W200", text="hello")["ok"]
    assert _error(lambda: client.chat_postMessage(channel="W300", text="hi")) == (
        "channel_not_found"
    )
    assert _error(lambda: client.conversations_open(users="W300")) == "channel_not_found"
    assert slack.dms_to("W300") == []


def test_an_ephemeral_reaches_a_member_in_the_channel_and_is_checked_like_any_message(
    slack: StandInSlack,
) -> None:
    client = _client(slack)
    reply = client.chat_postEphemeral(channel=SHARED, user="W300", text="Pulse", blocks=[BUTTONS])
    assert reply["message_ts"]
    assert _error(lambda: client.chat_postEphemeral(channel=SHARED, user="W400", text="x")) == (
        "user_not_in_channel"
    )
    bad = [{"type": "section"}]
    assert _error(
        lambda: client.chat_postEphemeral(channel=SHARED, user="W300", text="x", blocks=bad)
    ) == ("invalid_blocks")
    assert slack.block_kit_problems  # the refusal is on record, as for any message
    slack.reset_calls()
    assert [e.user for e in slack.workspace.ephemerals()] == ["W300"]


def test_an_ephemerals_response_url_replaces_and_deletes_it_within_slacks_limits(
    slack: StandInSlack,
) -> None:
    now = [datetime(2026, 11, 17, 10, tzinfo=UTC)]
    slack.clock = lambda: now[0]
    ts = _client(slack).chat_postEphemeral(
        channel=SHARED, user="W300", text="Pulse", blocks=[BUTTONS]
    )["message_ts"]
    url = slack.response_url(
        "eph", channel_id=SHARED, message_ts=ts, user_id="W300", ephemeral=True
    )
    hook = WebhookClient(url)
    assert hook.send(text="You chose 4", replace_original=True).status_code == 200
    assert [e.text for e in slack.workspace.ephemerals()] == ["You chose 4"]
    for _ in range(3):
        assert hook.send(text="again", replace_original=True).status_code == 200
    assert hook.send(delete_original=True).status_code == 200
    assert slack.workspace.ephemerals() == []
    assert hook.send(text="sixth", replace_original=True).status_code == 404

    ts = _client(slack).chat_postEphemeral(channel=SHARED, user="W300", text="Pulse")["message_ts"]
    late = WebhookClient(
        slack.response_url("late", channel_id=SHARED, message_ts=ts, user_id="W300", ephemeral=True)
    )
    now[0] += timedelta(minutes=31)
    refused = late.send(text="too late", replace_original=True)
    assert refused.status_code == 404 and "expired_url" in refused.body
    assert [e.text for e in slack.workspace.ephemerals()] == ["Pulse"]
