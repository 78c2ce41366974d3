"""A Slack Connect channel shared by three workspaces, end to end through signed requests:
members of every organisation are asked; where Slack refuses a DM the prompt reaches them
in the channel, is answered and redrawn through response_url, and shows no answer after
close; nobody Slack will not let the bot reach is dropped silently."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from delivery.ephemeral_views import hide_due
from storage import home_workspaces as homes
from storage.models import Answer, Prompt
from tests.pulse_flow import button, digest_json, send_round, setup_team
from tests.support import (
    MANAGER,
    MEMBERS,
    ROUND_WEEK,
    TEAM_CHANNEL,
    RunningBot,
    responded,
    wait_for,
)

NHS, POLICE = "T0NHS", "T0POLICE"
NURSE, DOCTOR = "W0NURSE01", "W0DOCTOR1"  # the bot may DM them
CONSTABLE = "W0PC00001"  # Slack refuses the bot a DM with them
SERGEANT = "W0SGT0001"  # refused a DM, and Slack will not describe them either


def _share_the_channel(running: RunningBot) -> None:
    ws = running.slack.workspace
    ws.connect_team(NHS, "NHS Leeds", "nhs-leeds")
    ws.connect_team(POLICE, "West Yorkshire Police", "wyp")
    ws.add_external_user(NURSE, "nurse", NHS)
    ws.add_external_user(DOCTOR, "doctor", NHS)
    ws.add_external_user(CONSTABLE, "constable", POLICE, dm_refused=True)
    ws.add_external_user(SERGEANT, "sergeant", POLICE, dm_refused=True, visible=False)
    for user in (NURSE, DOCTOR, CONSTABLE, SERGEANT):
        ws.join(TEAM_CHANNEL, user)
    running.slack.clock = running.clock


def _in_channel_prompt(running: RunningBot, user: str) -> Any:
    prompts = [e for e in running.slack.ephemerals_to(user) if e.blocks]
    assert prompts, f"{user} has no prompt in the channel"
    return prompts[-1]


def _click_in_channel(
    running: RunningBot, user: str, point: int, *, as_user: str | None = None, key: str = ""
) -> Any:
    message = _in_channel_prompt(running, user)
    block_id, element = button(message, 0, point)
    clicker = as_user or user
    return running.sender.block_action(
        user_id=clicker,
        user_team_id=POLICE,
        action_id=element["action_id"],
        value=element["value"],
        block_id=block_id,
        channel_id=TEAM_CHANNEL,
        message_ts=message.message_ts,
        is_ephemeral=True,
        response_url=running.slack.response_url(
            key or f"eph-{clicker}-{point}",
            channel_id=TEAM_CHANNEL,
            message_ts=message.message_ts,
            user_id=clicker,
            ephemeral=True,
        ),
    )


def _chosen(message: Any) -> list[str]:
    """The points a prompt shows as chosen (a chosen button is styled)."""
    return [
        element["text"]["text"]
        for block in message.blocks or []
        if block["type"] == "actions"
        for element in block["elements"]
        if element.get("style") == "primary"
    ]


def _send(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    wait_for(
        lambda: running.slack.ephemerals_to(CONSTABLE) and running.slack.ephemerals_to(SERGEANT)
    )


def test_members_of_three_workspaces_are_all_asked(running: RunningBot) -> None:
    _share_the_channel(running)
    _send(running)
    assert running.slack.dms_to(NURSE) and running.slack.dms_to(DOCTOR)
    assert running.slack.dms_to(CONSTABLE) == []
    assert _in_channel_prompt(running, CONSTABLE).channel == TEAM_CHANNEL
    assert _in_channel_prompt(running, SERGEANT).channel == TEAM_CHANNEL
    with running.bot.db.reading() as session:
        team_id = session.scalar(select(Prompt.round_id))
        found = homes.home_workspaces(session, 1)
    assert team_id is not None
    assert found[NURSE] == homes.HomeWorkspace(NHS, "NHS Leeds")
    assert found[CONSTABLE] == homes.HomeWorkspace(POLICE, "West Yorkshire Police")
    assert found[MANAGER] == homes.HomeWorkspace("T0STANDIN", "Stand-in Workspace")
    assert SERGEANT not in found  # Slack would not say where they are from
    asked = {call.args["team"] for call in running.slack.calls_to("team.info")}
    assert asked == {NHS, POLICE, "T0STANDIN"}
    running.slack.reset_calls()
    running.command("send")  # a refresh later: the names are kept, not asked again
    assert running.slack.calls_to("team.info") == []


def test_an_in_channel_click_counts_is_redrawn_and_shows_nothing_after_close(
    running: RunningBot,
) -> None:
    _share_the_channel(running)
    _send(running)
    assert _click_in_channel(running, CONSTABLE, 4).status == 200
    wait_for(lambda: _chosen(_in_channel_prompt(running, CONSTABLE)) == ["4"])
    assert _click_in_channel(running, CONSTABLE, 4, key="retry").status == 200
    assert _click_in_channel(running, CONSTABLE, 2, as_user=NURSE).status == 200
    wait_for(lambda: responded(running, "sent to someone else"))

    running.command("digest")
    wait_for(lambda: responded(running, "now closed"))
    wait_for(lambda: _chosen(_in_channel_prompt(running, CONSTABLE)) == [])
    digest = digest_json(running, ROUND_WEEK)
    assert digest["participation"]["responded"] == 1
    with running.bot.db.reading() as session:
        points = list(session.scalars(select(Answer.point)))
    assert points == [4]  # the constable's, once, however often the click came


def test_an_in_channel_prompt_hides_the_choice_before_its_response_url_expires(
    running: RunningBot,
) -> None:
    _share_the_channel(running)
    _send(running)
    _click_in_channel(running, CONSTABLE, 5)
    wait_for(lambda: _chosen(_in_channel_prompt(running, CONSTABLE)) == ["5"])
    running.clock.advance(timedelta(minutes=19))
    assert hide_due(running.bot.outbound) == 0  # the schedule's pass: not yet
    running.clock.advance(timedelta(minutes=2))
    assert hide_due(running.bot.outbound) == 1
    assert _chosen(_in_channel_prompt(running, CONSTABLE)) == []


def test_members_the_bot_cannot_reach_are_counted_and_the_manager_told_once(
    running: RunningBot,
) -> None:
    _share_the_channel(running)
    running.slack.fail_next("chat.postEphemeral", error="restricted_action", times=2)
    setup_team(running)
    send_round(running)
    notices = [m for m in running.slack.dms_to(MANAGER) if "could not reach" in m.text]
    wait_for(lambda: any("could not reach" in m.text for m in running.slack.dms_to(MANAGER)))
    notices = [m for m in running.slack.dms_to(MANAGER) if "could not reach" in m.text]
    assert len(notices) == 1
    assert CONSTABLE in notices[0].text and SERGEANT in notices[0].text
    digest = digest_json(running, ROUND_WEEK)
    assert digest["participation"]["invited"] == 1 + len(MEMBERS) + 4

    running.clock.advance(timedelta(days=7))
    running.slack.fail_next("chat.postEphemeral", error="restricted_action", times=2)
    running.command("send")
    wait_for(lambda: len(running.slack.calls_to("chat.postEphemeral")) >= 4)
    again = [m for m in running.slack.dms_to(MANAGER) if "could not reach" in m.text]
    assert len(again) == 1
