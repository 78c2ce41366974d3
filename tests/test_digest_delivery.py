"""The digest reaches the channel as a story in words, with its chart beside it."""

from __future__ import annotations

from tests.pulse_flow import SURVEYED, click, send_round, setup_team
from tests.support import TEAM_CHANNEL, RunningBot, responded, wait_for


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
    wait_for(lambda: responded(running, "digest for"))
    assert any("Where are we now" in str(m.blocks) for m in running.slack.messages_in(TEAM_CHANNEL))
    assert running.slack.uploaded_files == [] or not running.slack.uploaded_files[-1].content
