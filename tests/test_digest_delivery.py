"""The digest reaches the channel as a story in words, with its chart beside it."""

from __future__ import annotations

from tests.pulse_flow import (
    SURVEYED,
    button,
    click,
    close_round,
    latest_prompt,
    send_round,
    setup_team,
)
from tests.support import MANAGER, TEAM_CHANNEL, RunningBot, responded, wait_for


def _answered_round(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    for i, user in enumerate(SURVEYED):
        click(running, user, 0, 1 + i % 5)


def test_digest_is_posted_with_its_chart_uploaded_to_the_channel(running: RunningBot) -> None:
    _answered_round(running)
    running.command("digest")
    wait_for(lambda: running.slack.uploaded_files)
    upload = running.slack.uploaded_files[-1]
    assert upload.content is not None
    assert upload.content.startswith(b"\x89PNG")
    assert upload.filename.endswith(".png")
    words = str(running.slack.messages_in(TEAM_CHANNEL)[0].blocks)
    for part in ("Where are we now", "Where did we start from", "Where are we going"):
        assert part in words
    assert "What do we need to do" in words


def test_digest_text_stands_when_the_chart_upload_fails(running: RunningBot) -> None:
    _answered_round(running)
    running.slack.fail_next("files.getUploadURLExternal", error="internal_error")
    running.command("digest")
    wait_for(lambda: responded(running, "is in <#"))
    assert any("Where are we now" in str(m.blocks) for m in running.slack.messages_in(TEAM_CHANNEL))
    assert running.slack.uploaded_files == [] or not running.slack.uploaded_files[-1].content


def test_digest_command_closes_an_open_round_before_publishing(running: RunningBot) -> None:
    _answered_round(running)
    stale = latest_prompt(running, SURVEYED[0])  # as a client that has not yet redrawn it
    running.command("digest")
    wait_for(lambda: responded(running, "now closed"))
    block_id, element = button(stale, 1, 5)
    reply = running.sender.block_action(
        user_id=SURVEYED[0],
        action_id=element["action_id"],
        value=element["value"],
        block_id=block_id,
        channel_id=stale.channel,
        message_ts=stale.ts,
        response_url=running.slack.response_url("stale-click"),
        message_blocks=stale.blocks,
    )
    assert reply.status == 200
    wait_for(lambda: responded(running, "has closed"))


def test_summary_leaves_out_a_round_that_is_still_open(running: RunningBot) -> None:
    _answered_round(running)
    running.command("summary")
    wait_for(lambda: responded(running, "summarise") or responded(running, "No rounds"))
    (reply,) = [
        r["body"]["text"]
        for r in running.slack.responses
        if "summarise" in str(r["body"]) or "No rounds" in str(r["body"])
    ]
    assert "first round (week of 16 Nov) is still open" in reply
    assert "figures appear when it closes" in reply and "<!date^" in reply
    assert "No rounds yet" not in reply and "/pulse send" not in reply


def test_summary_before_any_round_says_how_to_start_one(running: RunningBot) -> None:
    running.command("setup")
    running.command("summary")
    wait_for(lambda: responded(running, "No rounds yet"))


def test_summary_tells_the_digests_story_with_who_took_part(running: RunningBot) -> None:
    _answered_round(running)
    close_round(running)
    running.command("summary")
    wait_for(lambda: responded(running, "Summary for"))
    reply = next(r["body"] for r in running.slack.responses if "Summary for" in r["body"]["text"])
    words = str(reply["blocks"])
    digest = next(m for m in running.slack.messages_in(TEAM_CHANNEL) if m.blocks)
    for heading in ("Where are we now", "Where are we going", "What do we need to do"):
        assert heading in words
    said_in_channel = str(digest.blocks)
    now = words.split("*Where are we now?* ")[1].split("\\n")[0]
    assert now and now in said_in_channel
    assert f"week of 16 Nov: {len(SURVEYED)} of {len(SURVEYED)}" in words
    assert "Index:" not in words


def test_export_dms_the_manager_a_csv_of_published_figures(running: RunningBot) -> None:
    _answered_round(running)
    close_round(running)
    running.command("export")
    wait_for(lambda: responded(running, "published figures"))
    csv_files = [f for f in running.slack.uploaded_files if f.filename.endswith(".csv")]
    assert len(csv_files) == 1
    text = (csv_files[0].content or b"").decode()
    assert text.splitlines()[0].startswith("team,week,figure")
    assert "2026-W47,index" in text
    assert MANAGER.replace("U", "D", 1) in csv_files[0].channels


def test_export_is_refused_to_a_member(running: RunningBot) -> None:
    _answered_round(running)
    reply = running.command("export", user=SURVEYED[3])
    assert "only a manager" in reply.json()["text"]


def test_digest_refused_by_slack_gets_a_polite_reply(running: RunningBot) -> None:
    _answered_round(running)
    running.slack.fail_next("chat.postMessage", error="not_in_channel")
    running.command("digest")
    wait_for(lambda: responded(running, "Slack didn't accept that"))
