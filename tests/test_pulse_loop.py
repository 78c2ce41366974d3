"""The whole loop through Slack's real protocol: setup, round, clicks, digest."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from storage.models import Answer, PendingAnswer, Prompt
from surveys.behaviours import BEHAVIOUR_IDS
from tests.pulse_flow import (
    SURVEYED,
    behaviour_of,
    click,
    close_round,
    digest_json,
    everyone_answers,
    latest_prompt,
    send_round,
    setup_team,
)
from tests.support import (
    MEMBERS,
    OUTSIDER,
    ROUND_WEEK,
    TEAM_CHANNEL,
    RunningBot,
    responded,
    wait_for,
)


def _answers_stored(running: RunningBot) -> int:
    with running.bot.db.transaction() as session:
        pending = session.scalar(select(func.count()).select_from(PendingAnswer)) or 0
        closed = session.scalar(select(func.count()).select_from(Answer)) or 0
        return int(pending + closed)


def test_round_goes_to_channel_members_but_not_bots_or_deactivated(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    assert running.slack.dms_to("U0HELPERBOT") == []
    assert running.slack.dms_to("U0LEFTJOB") == []
    assert running.slack.dms_to(OUTSIDER) == []
    assert all(len(running.slack.dms_to(u)) == 1 for u in SURVEYED)


def test_setup_sends_nothing_by_itself(running: RunningBot) -> None:
    setup_team(running)
    assert running.slack.calls_to("chat.postMessage") == []


def test_digest_score_is_the_mean_of_the_given_answers(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    points = [5, 4, 4, 2, 5, 3, 1, 4, 5]
    for user, point in zip(SURVEYED, points, strict=True):
        assert click(running, user, 0, point).status == 200
    behaviour = behaviour_of(latest_prompt(running, SURVEYED[0]), 0)
    digest = digest_json(running, ROUND_WEEK)
    figure = next(b for b in digest["behaviours"] if b["id"] == behaviour)
    expected = sum((p - 3) / 2 for p in points) / len(points)
    assert figure["n"] == len(points)
    assert abs(figure["score"] - expected) < 1e-9
    assert digest["participation"] == {"invited": 9, "responded": 9}
    assert [b["id"] for b in digest["behaviours"]] == list(BEHAVIOUR_IDS)


def test_second_click_replaces_the_first_answer(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    user = MEMBERS[0]
    click(running, user, 0, 1)
    click(running, user, 0, 5)
    assert _answers_stored(running) == 1
    with running.bot.db.transaction() as session:
        assert session.scalar(select(PendingAnswer.point)) == 5


def test_click_updates_the_message_to_show_the_choice(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    user = MEMBERS[1]
    click(running, user, 1, 4)

    def chosen() -> bool:
        message = latest_prompt(running, user)
        return any("You chose *4*" in str(b) for b in message.blocks)

    wait_for(chosen)


def test_duplicated_click_request_adds_nothing(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    for _ in range(3):
        click(running, MEMBERS[2], 0, 3)
    assert _answers_stored(running) == 1


def test_click_by_someone_else_records_nothing(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    reply = click(running, MEMBERS[0], 0, 5, as_user=MEMBERS[1])
    assert reply.status == 200
    assert _answers_stored(running) == 0
    wait_for(lambda: responded(running, "someone else"))


def test_click_after_close_records_nothing_and_says_so(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    running.clock.advance(timedelta(days=7))
    reply = click(running, MEMBERS[0], 0, 5)
    assert reply.status == 200
    assert _answers_stored(running) == 0
    wait_for(lambda: responded(running, "has closed"))


def test_non_manager_summary_is_refused_without_numbers(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    everyone_answers(running, 5)
    reply = running.command("summary", user=MEMBERS[0])
    assert reply.status == 200
    body = reply.json()
    assert "only a manager" in body["text"]
    assert not any(ch.isdigit() for ch in body["text"])
    assert not responded(running, "Summary")


def test_manager_summary_arrives_through_response_url(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    everyone_answers(running, 5)
    close_round(running)
    reply = running.command("summary")
    assert reply.status == 200
    assert "On it" in reply.json()["text"]
    wait_for(lambda: responded(running, "Summary for"))


def test_unknown_subcommand_gets_usage_and_changes_nothing(running: RunningBot) -> None:
    reply = running.command("launch-rockets")
    assert reply.status == 200
    body = reply.json()
    assert "don't know the command" in body["text"]
    assert "/pulse setup" in body["text"]
    assert running.slack.calls_to("chat.postMessage") == []
    assert running.command("summary").json()["text"].startswith("This channel is not")


def test_opted_out_member_gets_no_dm_next_round(running: RunningBot) -> None:
    setup_team(running)
    reply = running.command("optout", user=MEMBERS[3], channel="D0MEMBER03")
    assert "paused" in reply.json()["text"]
    running.command("send")
    wait_for(lambda: all(running.slack.dms_to(u) for u in SURVEYED if u != MEMBERS[3]))
    assert running.slack.dms_to(MEMBERS[3]) == []
    running.command("optin", user=MEMBERS[3], channel="D0MEMBER03")
    running.clock.advance(timedelta(days=7))
    running.command("send")
    wait_for(lambda: running.slack.dms_to(MEMBERS[3]))


def test_sending_again_never_gives_anyone_a_second_prompt(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    running.command("send")
    wait_for(lambda: len(running.slack.responses) >= 2)
    assert all(len(running.slack.dms_to(u)) == 1 for u in SURVEYED)
    with running.bot.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Prompt)) == len(SURVEYED)


def test_manager_digest_command_posts_to_the_channel(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    everyone_answers(running, 4)
    running.command("digest")
    wait_for(lambda: running.slack.messages_in(TEAM_CHANNEL))
    message = running.slack.messages_in(TEAM_CHANNEL)[-1]
    assert "Where are we now" in str(message.blocks)
