"""Messages name the team as its members know it, and weeks as people say them."""

from __future__ import annotations

from typing import Any

from charts import chart_data
from surveys.weeks import week_words
from tests.pulse_flow import SURVEYED, click, latest_prompt, send_round, setup_team
from tests.support import TEAM_CHANNEL, RunningBot, responded, wait_for
from tests.test_digest_chart import normal_digest

WEEK = "2026-W47"


def _answered_round(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    for i, user in enumerate(SURVEYED):
        click(running, user, 0, 1 + i % 5)


def _digest(running: RunningBot) -> Any:
    running.command("digest")
    wait_for(lambda: responded(running, "now closed"))
    wait_for(lambda: running.slack.uploaded_files)
    return next(m for m in running.slack.messages_in(TEAM_CHANNEL) if m.blocks)


def _rename(running: RunningBot, name: str, *, kind: str = "channel_rename") -> None:
    reply = running.sender.event(
        {"type": kind, "channel": {"id": TEAM_CHANNEL, "name": name, "created": 1700000000}}
    )
    assert reply.status == 200


def test_weeks_are_said_as_the_week_of_their_monday() -> None:
    assert week_words("2026-W49") == "week of 30 Nov"
    assert week_words("2027-W01") == "week of 4 Jan"


def test_digest_header_and_chart_name_the_channel_and_the_week_in_words(
    running: RunningBot,
) -> None:
    _answered_round(running)
    message = _digest(running)
    header = message.blocks[0]["text"]["text"]
    assert header == f"Partnership pulse · #partnership · {week_words(WEEK)}"
    assert TEAM_CHANNEL not in message.text and WEEK not in message.text
    shown = str(_shown_texts(message.blocks))
    assert TEAM_CHANNEL not in shown and WEEK not in shown
    upload = running.slack.uploaded_files[-1]
    assert "#partnership" in upload.title and TEAM_CHANNEL not in upload.title


def test_a_renamed_channel_is_named_by_its_new_name(running: RunningBot) -> None:
    _answered_round(running)
    _rename(running, "community-safety-partnership")
    message = _digest(running)
    assert "#community-safety-partnership" in message.blocks[0]["text"]["text"]


def test_a_renamed_private_channel_is_followed_too(running: RunningBot) -> None:
    _answered_round(running)
    _rename(running, "private-partners", kind="group_rename")
    assert "#private-partners" in _digest(running).blocks[0]["text"]["text"]


def test_a_name_slack_would_never_give_changes_nothing(running: RunningBot) -> None:
    _answered_round(running)
    for bad in ("<!channel>", "two words", "x" * 81, ""):
        _rename(running, bad)
    assert (
        _digest(running).blocks[0]["text"]["text"].startswith("Partnership pulse · #partnership · ")
    )


def test_the_prompt_names_the_team_and_each_question_opens_differently(
    running: RunningBot,
) -> None:
    setup_team(running)
    send_round(running)
    prompt = latest_prompt(running, SURVEYED[0])
    assert prompt.text.startswith(f"Your pulse for #partnership, {week_words(WEEK)}")
    leads = [
        b["text"]["text"].split("\n")[0]
        for b in prompt.blocks
        if b["type"] == "section" and b["text"]["text"][1:2].isdigit()
    ]
    assert len(leads) == 3
    assert len({lead.split(". ", 1)[1] for lead in leads}) == 3
    assert not any("where did things sit" in lead for lead in leads)


def test_the_chart_title_names_the_team_it_is_given() -> None:
    data = chart_data(normal_digest(), team_name="#community-safety-partnership")
    assert data.title == "Partnership Pulse · #community-safety-partnership · week of 2 Mar"


def _shown_texts(blocks: object) -> list[str]:
    """Every text a reader sees in the blocks (a button's value is for the bot, not shown)."""
    if isinstance(blocks, dict):
        return [
            text
            for key, value in blocks.items()
            if key not in {"value", "action_id", "block_id"}
            for text in ([value] if key == "text" and isinstance(value, str) else [])
            + _shown_texts(value)
        ]
    if isinstance(blocks, list):
        return [text for item in blocks for text in _shown_texts(item)]
    return []
