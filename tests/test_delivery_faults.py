"""Slack's faults during a round's fan-out: each member still gets exactly one prompt,
except those Slack will not let us reach, who are skipped without stopping the round."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from storage.models import Prompt
from tests.pulse_flow import SURVEYED, send_round, setup_team
from tests.support import RunningBot, wait_for


def _states(running: RunningBot) -> list[str]:
    with running.bot.db.transaction() as session:
        return list(session.scalars(select(Prompt.state)))


def _dm_counts(running: RunningBot) -> list[int]:
    return [len(running.slack.dms_to(u)) for u in SURVEYED]


@pytest.mark.parametrize("error", ["user_not_found", "account_inactive", "cannot_dm_bot"])
def test_member_specific_error_skips_that_member_and_the_round_goes_on(
    running: RunningBot, error: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    setup_team(running)
    running.slack.fail_next("chat.postMessage", error=error)
    running.command("send")
    wait_for(lambda: sum(_dm_counts(running)) == len(SURVEYED) - 1)
    wait_for(lambda: "pending" not in _states(running) and "sending" not in _states(running))
    assert sorted(_states(running)).count("skipped") == 1
    assert any(error in r.getMessage() for r in caplog.records)


def test_a_refused_dm_reaches_the_member_in_the_team_channel_instead(
    running: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    setup_team(running)
    running.slack.fail_next("chat.postMessage", error="channel_not_found")
    running.command("send")
    wait_for(lambda: sum(_dm_counts(running)) == len(SURVEYED) - 1)
    wait_for(lambda: "pending" not in _states(running) and "sending" not in _states(running))
    assert _states(running).count("sent") == len(SURVEYED)
    assert len(running.slack.calls_to("chat.postEphemeral")) == 1
    assert any("refused the DM (channel_not_found)" in r.getMessage() for r in caplog.records)


def test_rate_limited_send_honours_retry_after_and_sends_each_prompt_once(
    running: RunningBot,
) -> None:
    setup_team(running)
    running.slack.fail_next("chat.postMessage", http_status=429, retry_after=1, times=2)
    send_round(running)
    assert _dm_counts(running) == [1] * len(SURVEYED)
    assert running.slack.rate_limited == 2


def test_server_errors_are_retried_with_backoff(running: RunningBot) -> None:
    setup_team(running)
    running.slack.fail_next("chat.postMessage", http_status=503, times=2)
    send_round(running)
    assert _dm_counts(running) == [1] * len(SURVEYED)


def test_outage_pauses_delivery_and_the_next_pass_finishes_it(running: RunningBot) -> None:
    setup_team(running)
    running.slack.fail_next("chat.postMessage", http_status=500, times=6)
    running.command("send")
    wait_for(lambda: running.slack.calls_to("chat.postMessage"), timeout=10)
    wait_for(lambda: "sending" not in _states(running), timeout=15)
    from jobs.tick import run_tick

    run_tick(running.bot.outbound)
    assert _dm_counts(running) == [1] * len(SURVEYED)


def test_membership_refresh_follows_every_page_of_a_large_channel() -> None:
    from delivery.client import make_client
    from delivery.context import Outbound
    from delivery.members import channel_member_ids
    from standin import StandInSlack, Workspace
    from storage.database import Database

    workspace = Workspace()
    people = [f"U{i:07d}" for i in range(2_500)]
    for user in people:
        workspace.add_user(user, user.lower())
    workspace.add_channel("C0HUGE", "huge", people)
    with StandInSlack(workspace) as slack:
        client = make_client("xoxb-standin-token", api_url=slack.api_url)
        out = Outbound(db=Database.from_url("sqlite://"), client=client)
        found = channel_member_ids(out, "C0HUGE")
        pages = slack.calls_to("conversations.members")
    assert sorted(found) == people
    assert len(pages) == 3
