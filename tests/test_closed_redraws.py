"""When a round closes, every prompt DM of it ends up the same message and its reminders
are gone, whatever each member chose; a redraw cut short is finished by the next pass."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from delivery.closed_redraws import redraw_closed
from delivery.reminders import send_reminders
from jobs.tick import run_tick
from services import rounds as round_service
from standin import StandInSlack
from storage.models import ClosedRedraw
from tests.pulse_flow import SURVEYED, click, close_round, latest_prompt, send_round, setup_team
from tests.race_support import distinct_prompt_messages
from tests.support import (
    MEMBERS,
    ROUND_WEEK,
    TEAM_CHANNEL,
    RunningBot,
    standard_workspace,
    wait_for,
)


@pytest.fixture
def slack() -> Iterator[StandInSlack]:
    """The standard workspace (Block Kit checked as in every test)."""
    with StandInSlack(standard_workspace()) as server:
        yield server
        assert server.block_kit_problems == [], server.block_kit_problems


def _prompts(running: RunningBot) -> dict[str, object]:
    return {user: latest_prompt(running, user) for user in SURVEYED}


def _waiting(running: RunningBot) -> int:
    with running.bot.db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(ClosedRedraw)) or 0)


def test_closing_leaves_every_member_the_same_message_and_no_reminder(
    running: RunningBot,
) -> None:
    setup_team(running)
    send_round(running)
    prompts = _prompts(running)
    for point, user in enumerate(MEMBERS[:5], start=1):
        click(running, user, 0, point)
    round_ = round_service.round_of_week(
        db=running.bot.db, channel_id=TEAM_CHANNEL, week=ROUND_WEEK
    )
    assert round_ is not None
    assert send_reminders(running.bot.outbound, round_ids=[round_.id]) > 0
    assert distinct_prompt_messages(running.slack, prompts, None) > 1
    close_round(running)
    assert distinct_prompt_messages(running.slack, prompts, None) == 1
    assert not any("nudge" in repr(m.blocks) for u in SURVEYED for m in running.slack.dms_to(u))
    assert _waiting(running) == 0


def test_forget_me_clears_the_members_choices_from_their_prompt_dm_at_once(
    running: RunningBot,
) -> None:
    setup_team(running)
    send_round(running)
    user = MEMBERS[0]
    prompt = latest_prompt(running, user)
    click(running, user, 0, 4)
    wait_for(lambda: "You chose" in repr(_shown(running, user, prompt.ts)))
    assert running.command("forget-me", user=user).status == 200
    assert redraw_closed(running.bot.outbound) == 1
    shown = repr(_shown(running, user, prompt.ts))
    assert "You chose" not in shown and "*4*" not in shown
    assert "asked to be forgotten" in shown
    assert _waiting(running) == 0


def _shown(running: RunningBot, user: str, ts: str) -> object:
    message = next(m for m in running.slack.dms_to(user) if m.ts == ts)
    return (message.text, message.blocks)


def test_a_redraw_cut_short_by_slack_is_finished_by_the_next_tick(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    prompts = _prompts(running)
    for point, user in enumerate(MEMBERS[:4], start=2):
        click(running, user, 1, point)
    wait_for(lambda: len(running.slack.calls_to("chat.update")) >= 4)
    running.slack.fail_next("chat.update", error="internal_error")
    close_round(running)
    assert _waiting(running) > 0
    assert distinct_prompt_messages(running.slack, prompts, None) > 1
    running.clock.advance(timedelta(minutes=5))
    run_tick(running.bot.outbound)
    assert _waiting(running) == 0
    assert distinct_prompt_messages(running.slack, prompts, None) == 1
