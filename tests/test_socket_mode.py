"""The whole loop over Socket Mode: setup, a round, clicks and a digest arrive as envelopes
on the bot's WebSocket, as they do for `bot.py socket`, and a connection that drops or is
refreshed loses no answer and doubles none."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from standin import SocketModeSender, StandInSlack
from storage.database import Database
from storage.models import Answer, PendingAnswer, Team
from tests.pulse_flow import (
    SURVEYED,
    behaviour_of,
    click,
    close_round,
    digest_json,
    latest_prompt,
    send_round,
    setup_team,
)
from tests.socket_support import SocketBot, start_socket_bot
from tests.support import (
    BOT_TOKEN,
    MANAGER,
    MEMBERS,
    ROUND_WEEK,
    TEAM_CHANNEL,
    FakeClock,
    send_command,
    wait_for,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def socket_bot(database_url: str, slack: StandInSlack, clock: FakeClock) -> Iterator[SocketBot]:
    """The bot connected to the stand-in over Socket Mode."""
    running = start_socket_bot(database_url, slack, clock)
    yield running
    running.stop()


def _answers_stored(running: SocketBot) -> int:
    with running.bot.db.transaction() as session:
        pending = session.scalar(select(func.count()).select_from(PendingAnswer)) or 0
        closed = session.scalar(select(func.count()).select_from(Answer)) or 0
        return int(pending + closed)


def _point_stored(running: SocketBot) -> int | None:
    with running.bot.db.transaction() as session:
        return session.scalar(select(PendingAnswer.point))


def test_setup_round_clicks_and_digest_run_over_socket_mode(socket_bot: SocketBot) -> None:
    slack = socket_bot.slack
    setup_team(socket_bot)
    send_round(socket_bot)
    points = [5, 4, 4, 2, 5, 3, 1, 4, 5]
    for user, point in zip(SURVEYED, points, strict=True):
        assert click(socket_bot, user, 0, point).status == 200
    behaviour = behaviour_of(latest_prompt(socket_bot, SURVEYED[0]), 0)
    close_round(socket_bot)

    assert any("Where are we now" in str(m.blocks) for m in slack.messages_in(TEAM_CHANNEL))
    digest = digest_json(socket_bot, ROUND_WEEK)
    figure = next(b for b in digest["behaviours"] if b["id"] == behaviour)
    assert figure["n"] == len(points)
    assert abs(figure["score"] - sum((p - 3) / 2 for p in points) / len(points)) < 1e-9
    assert digest["participation"] == {"invited": 9, "responded": 9}
    opened = slack.calls_to("apps.connections.open")
    assert [call.token for call in opened] == [slack.app_token]
    envelopes = slack.socket_mode.envelopes
    assert {e.type for e in envelopes} == {"slash_commands", "interactive"}
    assert all(e.acknowledged.is_set() and e.deliveries == 1 for e in envelopes)


def test_a_slash_commands_reply_comes_back_in_its_acknowledgement(socket_bot: SocketBot) -> None:
    reply = socket_bot.command("setup")
    assert "now a Partnership Pulse team" in reply.json()["text"]
    (seen,) = socket_bot.slack.ephemerals_to(MANAGER)
    assert "now a Partnership Pulse team" in seen.text
    wait_for(lambda: socket_bot.slack.calls_to("views.open"))  # then the settings modal


def test_every_setup_opens_its_settings_and_learns_its_members(socket_bot: SocketBot) -> None:
    """The ack-time listener creates the team before the lazy one looks for it, as over
    HTTP (with Bolt acknowledging at once instead, about 1 setup in 20 lost its modal)."""
    slack = socket_bot.slack
    channels = [f"C0SETUP{i:03d}" for i in range(30)]
    for channel in channels:
        slack.workspace.add_channel(channel, channel.lower(), [MANAGER, MEMBERS[0]])
        socket_bot.command("setup", channel=channel)

    def settled() -> bool:
        learnt = {call.args.get("channel") for call in slack.calls_to("conversations.members")}
        return len(slack.calls_to("views.open")) == len(channels) and learnt >= set(channels)

    wait_for(settled, timeout=20)


def test_a_click_redraws_the_prompt_to_show_the_choice(socket_bot: SocketBot) -> None:
    setup_team(socket_bot)
    send_round(socket_bot)
    click(socket_bot, MEMBERS[1], 1, 4)
    wait_for(
        lambda: any("You chose *4*" in str(b) for b in latest_prompt(socket_bot, MEMBERS[1]).blocks)
    )


def test_an_event_arrives_over_socket_mode(socket_bot: SocketBot) -> None:
    socket_bot.sender.event(
        {"type": "app_home_opened", "user": MEMBERS[0], "channel": "D0HOME", "tab": "home"}
    )
    wait_for(lambda: MEMBERS[0] in socket_bot.slack.published_views)
    (envelope,) = socket_bot.slack.socket_mode.envelopes
    assert envelope.type == "events_api" and envelope.acknowledged.is_set()


def test_a_click_lost_with_its_connection_is_recorded_once_after_reconnecting(
    socket_bot: SocketBot,
) -> None:
    setup_team(socket_bot)
    send_round(socket_bot)
    hub = socket_bot.slack.socket_mode
    before = hub.connections_made
    hub.lose_next_deliveries()
    assert click(socket_bot, MEMBERS[0], 0, 2).status == 200
    assert hub.connections_made == before + 1
    assert hub.envelopes[-1].deliveries == 2
    assert _answers_stored(socket_bot) == 1
    assert _point_stored(socket_bot) == 2


def test_a_click_whose_acknowledgement_is_lost_is_not_recorded_twice(
    socket_bot: SocketBot,
) -> None:
    setup_team(socket_bot)
    send_round(socket_bot)
    hub = socket_bot.slack.socket_mode
    hub.lose_next_acks()
    assert click(socket_bot, MEMBERS[2], 0, 5).status == 200
    assert [a.outcome for a in hub.acks[-2:]] == ["lost", "accepted"]
    assert hub.envelopes[-1].deliveries >= 2
    assert _answers_stored(socket_bot) == 1
    assert _point_stored(socket_bot) == 5


def test_an_abruptly_dropped_connection_is_replaced_and_the_next_click_counts(
    socket_bot: SocketBot,
) -> None:
    setup_team(socket_bot)
    send_round(socket_bot)
    hub = socket_bot.slack.socket_mode
    assert hub.reset_connections() == 1
    hub.wait_for_connections(2)
    click(socket_bot, MEMBERS[3], 0, 3)
    assert _answers_stored(socket_bot) == 1


@pytest.mark.parametrize("reason", ["refresh_requested", "warning", "link_disabled"])
def test_after_a_disconnect_message_the_bot_reconnects_and_answers_still_count(
    socket_bot: SocketBot, reason: str
) -> None:
    setup_team(socket_bot)
    send_round(socket_bot)
    hub = socket_bot.slack.socket_mode
    assert hub.disconnect(reason) == 1
    click(socket_bot, MEMBERS[4], 0, 1)  # sent while the old connection closes
    hub.wait_for_connections(2)
    click(socket_bot, MEMBERS[5], 0, 4)
    assert hub.disconnects_sent == [reason]
    assert len(socket_bot.slack.calls_to("apps.connections.open")) == 2
    assert _answers_stored(socket_bot) == 2
    assert all(e.acknowledged.is_set() for e in hub.envelopes)


def test_bot_py_socket_connects_answers_and_comes_back_after_drops(
    database_url: str, slack: StandInSlack, tmp_path: Path
) -> None:
    """The real command in its own process: it finds apps.connections.open through
    SLACK_API_URL, answers envelopes, replaces a reset connection and a refreshed one, and
    stops cleanly on SIGTERM."""
    hub = slack.socket_mode
    log = tmp_path / "socket.log"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PULSE_"))}
    environment = {
        **clean,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": slack.app_token,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": database_url,
        "PULSE_SCHEDULER": "off",
    }
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "bot.py", "socket"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        hub.wait_for_connections(1, timeout=60)
        sender = SocketModeSender(hub)

        def command(text: str) -> str:
            reply = send_command(slack, sender, text, user=MANAGER, channel=TEAM_CHANNEL)
            return str(reply.json()["text"])

        assert "/pulse setup" in command("help")
        assert "now a Partnership Pulse team" in command("setup")
        hub.reset_connections()
        hub.wait_for_connections(2, timeout=30)
        assert "already a team" in command("setup")
        hub.disconnect("refresh_requested")
        assert "/pulse setup" in command("help")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    assert "Connected to Slack over Socket Mode" in log.read_text()
    assert "Traceback" not in log.read_text()
    assert {call.token for call in slack.calls_to("apps.connections.open")} == {slack.app_token}
    database = Database.from_url(database_url)
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Team)) == 1
    database.dispose()
