"""The reminder reaches a member Slack refuses a DM the way their prompt did: alone in the
team channel, with the prompt's buttons, answerable from there; and after close nothing
either in-channel message shows holds their answer."""

from __future__ import annotations

from sqlalchemy import select

from delivery.reminders import send_reminders
from services import rounds as round_service
from storage.models import Answer, Prompt
from tests.connect_support import (
    CONSTABLE,
    SERGEANT,
    chosen,
    click_in_channel,
    in_channel_messages,
    share_the_channel,
)
from tests.pulse_flow import close_round, send_round, setup_team
from tests.support import ROUND_WEEK, TEAM_CHANNEL, RunningBot, wait_for


def _remind(running: RunningBot) -> int:
    round_ = round_service.round_of_week(
        db=running.bot.db, channel_id=TEAM_CHANNEL, week=ROUND_WEEK
    )
    assert round_ is not None
    return send_reminders(running.bot.outbound, round_ids=[round_.id])


def _sent(running: RunningBot) -> None:
    share_the_channel(running)
    setup_team(running)
    send_round(running)
    wait_for(lambda: in_channel_messages(running, CONSTABLE))
    wait_for(lambda: not _unsent(running))  # every outcome recorded before the reminder


def _unsent(running: RunningBot) -> list[str]:
    with running.bot.db.reading() as session:
        return list(
            session.scalars(select(Prompt.user_id).where(Prompt.state.in_(("pending", "sending"))))
        )


def test_a_member_refused_a_dm_is_reminded_in_the_channel_with_the_prompt(
    running: RunningBot,
) -> None:
    _sent(running)
    running.slack.reset_calls()
    assert _remind(running) > 0
    assert running.slack.dms_to(CONSTABLE) == []
    _, reminder = in_channel_messages(running, CONSTABLE)
    assert reminder.channel == TEAM_CHANNEL
    assert reminder.text.startswith("Reminder:")
    assert "gentle nudge" in reminder.blocks[0]["text"]["text"]
    assert [b for b in reminder.blocks if b["type"] == "actions"]  # the buttons again
    assert chosen(reminder) == []
    to_them = running.slack.calls_to("chat.postEphemeral")
    assert {c.args["user"] for c in to_them} >= {CONSTABLE, SERGEANT}
    assert running.slack.calls_to("chat.delete") == []
    assert _remind(running) == 0  # one reminder pass


def test_an_answer_from_the_in_channel_reminder_counts_and_nothing_shows_it_after_close(
    running: RunningBot,
) -> None:
    _sent(running)
    _remind(running)
    prompt, reminder = in_channel_messages(running, CONSTABLE)
    assert click_in_channel(running, CONSTABLE, 2, message=prompt, key="first").status == 200
    wait_for(lambda: chosen(in_channel_messages(running, CONSTABLE)[0]) == ["2"])
    assert click_in_channel(running, CONSTABLE, 4, message=reminder, key="second").status == 200
    wait_for(lambda: chosen(in_channel_messages(running, CONSTABLE)[1]) == ["4"])
    # The first message no longer shows a choice: only the newest click's URL is kept.
    assert chosen(in_channel_messages(running, CONSTABLE)[0]) == []

    close_round(running)
    wait_for(lambda: all(not chosen(m) for m in in_channel_messages(running, CONSTABLE)))
    with running.bot.db.reading() as session:
        points = list(session.scalars(select(Answer.point)))
    assert points == [4]
