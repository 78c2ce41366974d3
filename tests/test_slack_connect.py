"""A Slack Connect channel shared by three workspaces, end to end through signed requests:
members of every organisation are asked; where Slack refuses a DM the prompt reaches them
in the channel, is answered and redrawn through response_url, and shows no answer after
close; nobody Slack will not let the bot reach is dropped silently."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from delivery.ephemeral_views import hide_due
from storage import home_workspaces as homes
from storage.models import Answer, Prompt
from tests.connect_support import (
    CONSTABLE,
    DOCTOR,
    NHS,
    NURSE,
    POLICE,
    SERGEANT,
    chosen,
    click_in_channel,
    in_channel_prompt,
    share_the_channel,
)
from tests.pulse_flow import digest_json, send_round, setup_team
from tests.support import (
    MANAGER,
    MEMBERS,
    ROUND_WEEK,
    TEAM_CHANNEL,
    RunningBot,
    responded,
    wait_for,
)


def _send(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    wait_for(
        lambda: running.slack.ephemerals_to(CONSTABLE) and running.slack.ephemerals_to(SERGEANT)
    )


def test_members_of_three_workspaces_are_all_asked(running: RunningBot) -> None:
    share_the_channel(running)
    _send(running)
    assert running.slack.dms_to(NURSE) and running.slack.dms_to(DOCTOR)
    assert running.slack.dms_to(CONSTABLE) == []
    assert in_channel_prompt(running, CONSTABLE).channel == TEAM_CHANNEL
    assert in_channel_prompt(running, SERGEANT).channel == TEAM_CHANNEL
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
    share_the_channel(running)
    _send(running)
    assert click_in_channel(running, CONSTABLE, 4).status == 200
    wait_for(lambda: chosen(in_channel_prompt(running, CONSTABLE)) == ["4"])
    assert click_in_channel(running, CONSTABLE, 4, key="retry").status == 200
    assert click_in_channel(running, CONSTABLE, 2, as_user=NURSE).status == 200
    wait_for(lambda: responded(running, "sent to someone else"))

    running.command("digest")
    wait_for(lambda: responded(running, "now closed"))
    wait_for(lambda: chosen(in_channel_prompt(running, CONSTABLE)) == [])
    digest = digest_json(running, ROUND_WEEK)
    assert digest["participation"]["responded"] == 1
    with running.bot.db.reading() as session:
        points = list(session.scalars(select(Answer.point)))
    assert points == [4]  # the constable's, once, however often the click came


def test_anin_channel_prompt_hides_the_choice_before_its_response_url_expires(
    running: RunningBot,
) -> None:
    share_the_channel(running)
    _send(running)
    click_in_channel(running, CONSTABLE, 5)
    wait_for(lambda: chosen(in_channel_prompt(running, CONSTABLE)) == ["5"])
    running.clock.advance(timedelta(minutes=19))
    assert hide_due(running.bot.outbound) == 0  # the schedule's pass: not yet
    running.clock.advance(timedelta(minutes=2))
    assert hide_due(running.bot.outbound) == 1
    assert chosen(in_channel_prompt(running, CONSTABLE)) == []


def test_members_the_bot_cannot_reach_are_counted_and_the_manager_told_once(
    running: RunningBot,
) -> None:
    share_the_channel(running)
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
