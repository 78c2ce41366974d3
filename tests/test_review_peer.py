"""A peer reviewer from outside the partnership, through signed requests against the
stand-in: invited by a manager to the open review, told plainly that their answers are shown
as the peer's view, and shown apart — `review show`, its text, the export's CSV and the
quarter's PDF — never added to the partners' counts. Every bad invitation (no open review,
a member, a manager, a non-manager, an unknown person, a malformed mention) is refused and
changes nothing."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot import main
from services import reviews as review_service
from standin import check_message
from storage.models import Review, ReviewPrompt
from surveys.review import ReviewResults
from surveys.review_format import reviews_csv
from tests.pulse_flow import SURVEYED, setup_team
from tests.support import MANAGER, MEMBERS, OUTSIDER, RunningBot, responded, wait_for
from tests.test_partnership_review import _click, _close, _review_dm, _show, _start

FAR_PEER = "W0FARPEER1"  # a member of another workspace, met through Slack Connect
SHY_PEER = "W0SHYPEER1"  # another workspace's member whom the bot may not DM


def _invitations(running: RunningBot) -> tuple[int, int]:
    """(review DMs queued or sent, peers counted on reviews)."""
    with running.bot.db.transaction() as session:
        return (
            session.scalar(select(func.count()).select_from(ReviewPrompt)) or 0,
            session.scalar(select(func.coalesce(func.sum(Review.peers_invited), 0))) or 0,
        )


def _refused(running: RunningBot, text: str, words: str, *, user: str = MANAGER) -> None:
    before = _invitations(running)
    reply = running.command(text, user=user).json()
    if words not in reply.get("text", ""):
        wait_for(lambda: responded(running, words))
    assert _invitations(running) == before


def test_bad_invitations_are_refused_and_change_nothing(running: RunningBot) -> None:
    setup_team(running)
    _refused(running, f"review invite <@{OUTSIDER}|outsider>", "no review open")
    assert _invitations(running) == (0, 0)
    _start(running)
    _refused(running, f"review invite <@{OUTSIDER}|outsider>", "only a manager", user=MEMBERS[0])
    _refused(running, "review invite bob", "is not a person")
    _refused(running, "review invite @bob", "couldn't tell who @bob is")
    _refused(running, "review invite", "takes one person")
    _refused(running, f"review invite <@{OUTSIDER}> <@{MEMBERS[1]}>", "is not a channel")
    _refused(running, f"review invite <@{MEMBERS[2]}|member1>", "is in the team")
    _refused(running, f"review invite <@{MANAGER}|manager>", "is in the team")
    _refused(running, "review invite <@U0NOBODY99|ghost>", "doesn't know that person")
    _refused(running, "review invite <@U0LEFTJOB|leftjob>", "deactivated")
    assert _invitations(running) == (9, 0)
    assert not running.slack.dms_to(OUTSIDER)


def test_a_peer_is_shown_apart_and_never_counted_with_the_partners(
    running: RunningBot,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    workspace = running.slack.workspace
    workspace.connect_team("T0OTHERORG", "Other Council", "other-council")
    workspace.add_external_user(FAR_PEER, "far.peer", "T0OTHERORG", stranger=True)
    workspace.add_external_user(SHY_PEER, "shy.peer", "T0OTHERORG", dm_refused=True)
    setup_team(running)
    _start(running)

    running.command(f"review invite <@{OUTSIDER}|outsider>")
    wait_for(lambda: responded(running, "They have the review by DM"))
    dm = _review_dm(running, OUTSIDER)
    assert check_message(dm.text, dm.blocks) == []
    assert "peer reviewer from outside the partnership" in dm.blocks[0]["text"]["text"]
    assert "not anonymous" in dm.blocks[0]["text"]["text"]
    _refused(running, f"review invite <@{OUTSIDER}|outsider>", "already been asked")
    running.command(f"review invite <@{FAR_PEER}|far.peer>")
    wait_for(lambda: responded(running, f"<@{FAR_PEER}> is invited"))
    running.command(f"review invite <@{SHY_PEER}|shy.peer>")
    # Slack refuses them a DM and they are not in the channel: told so, never retried.
    wait_for(lambda: responded(running, "neither by DM nor in the channel"))
    assert _invitations(running) == (12, 3)

    for user, level in zip(SURVEYED, [1, 2, 2, 3, 3], strict=False):
        _click(running, user, 0, level)
    _click(running, OUTSIDER, 0, 4)
    _click(running, OUTSIDER, 1, 2)  # a question no partner answered
    _click(running, FAR_PEER, 0, 4)
    _click(running, FAR_PEER, 2, None)
    redrawn = wait_for(
        lambda: (
            "You said you don't know" in str(running.slack.dms_to(FAR_PEER)[-1].blocks)
            and running.slack.dms_to(FAR_PEER)[-1]
        )
    )
    assert "not anonymous" in redrawn.blocks[0]["text"]["text"]
    _close(running)

    status, out, _ = _show(monkeypatch, capsys, database_url, "--format", "json")
    shown = json.loads(out)
    assert status == 0
    assert shown["participation"] == {"invited": 9, "responded": 5}
    first, second = shown["questions"][0], shown["questions"][1]
    assert first["counts"] == [1, 2, 2, 0] and first["n"] == 5
    assert second["counts"] is None and second["n"] == 0 and second["suppressed"]
    peer = shown["peer"]
    assert peer["invited"] == 3 and peer["responded"] == 2
    assert peer["questions"][0] == {"id": first["id"], "n": 2, "counts": [0, 0, 0, 2]}
    assert peer["questions"][1]["counts"] == [0, 1, 0, 0]
    assert peer["questions"][2]["counts"] == [0, 0, 0, 0]

    status, text, _ = _show(monkeypatch, capsys, database_url)
    partners, peers = text.split("Peer reviewer's view")
    assert "Not in place 1 · Basic 2 · Better 2 · Embedded 0" in partners
    assert "(2 of 3 invited answered)" in peers and "Embedded 2" in peers

    rows = list(csv.DictReader(io.StringIO(reviews_csv(_reviews(running)))))
    assert [r["view"] for r in rows] == ["partners"] * 10 + ["peer reviewer"] * 10
    assert rows[10]["embedded"] == "2" and rows[10]["responded"] == "2"
    assert rows[0]["responded"] == "5" and rows[0]["embedded"] == "0"
    _pdf_shows_the_peer_apart(monkeypatch, capsys, database_url, tmp_path)


def _reviews(running: RunningBot) -> list[ReviewResults]:
    return review_service.team_reviews(db=running.bot.db, channel_id="C0TEAM0001")


def _pdf_shows_the_peer_apart(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    tmp_path: Path,
) -> None:
    if shutil.which("pdftotext") is None:
        return  # the PDF's words need poppler-utils, which .ci/run installs
    monkeypatch.setenv("DATABASE_URL", database_url)
    pdf = tmp_path / "report.pdf"
    command = ["report", "--team", "C0TEAM0001", "--quarter", "2026-Q4", "--output", str(pdf)]
    assert main(command) == 0
    capsys.readouterr()
    pages = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.split("\f")[:-1]
    review, peer = pages[2], pages[3]
    assert "5 of 9 invited answered" in review and "peer" not in review.lower()
    assert "The peer reviewer's view" in peer and "2 of 3 invited peer reviewers" in peer
