"""The partnership review by organisation, end to end through signed HTTP against the
stand-in: three organisations (the police, one person, too small to show), a review
answered by DM and closed, and `review show`, its text and the export giving each
question's counts by organisation only where the threshold and complementary suppression
allow (SPEC §6; docs/METHOD.md, "The review by organisation"). SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select, update

from services import reviews as review_service
from storage.models import ReviewAnswer
from surveys.review import QUESTION_IDS
from surveys.review_format import reviews_csv
from tests.pulse_flow import SURVEYED
from tests.support import OUTSIDER, TEAM_CHANNEL, RunningBot, responded, wait_for
from tests.test_organisations import (  # noqa: F401  (slack: the fixture with email domains)
    ASSIGNMENT,
    COUNCIL,
    NHS,
    POLICE,
    setup_partnership,
    slack,
    submit_organisations,
)
from tests.test_partnership_review import _click, _close, _show, _start

OTHER = "Other partners"
# SURVEYED is the manager (the police), four council people, then four NHS people.
PLAN: dict[int, list[int | None]] = {
    # everyone answers: the NHS's four sit high, the other five low
    0: [1, 2, 1, 2, 2, 3, 4, 4, 3],
    # two NHS people don't know: the NHS's two are too few, and the other partners' five
    # are withheld beside them (the team's less theirs would be the NHS's two)
    1: [1, 2, 3, 4, 2, 2, 3, None, None],
    # the NHS's four all say "Better": unanimity under ten, so withheld, and the other
    # partners' beside them (the team's less theirs would be the NHS's unanimity)
    2: [1, 2, 3, 4, 4, 3, 3, 3, 3],
}


def _answer(running: RunningBot) -> None:
    for question, levels in PLAN.items():
        for user, level in zip(SURVEYED, levels, strict=True):
            _click(running, user, question, level)


def _labels(running: RunningBot) -> dict[tuple[str | None, bool], int]:
    """Closed review answers by (organisation kept, peer)."""
    with running.bot.db.reading() as session:
        rows = session.execute(select(ReviewAnswer.organisation, ReviewAnswer.peer)).all()
    found: dict[tuple[str | None, bool], int] = {}
    for organisation, peer in rows:
        found[organisation, bool(peer)] = found.get((organisation, bool(peer)), 0) + 1
    return found


def _published(
    running: RunningBot,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> tuple[dict[str, Any], str, str, str]:
    """`review show` as JSON (parsed and raw) and text, and the export's reviews CSV."""
    status, raw, _ = _show(monkeypatch, capsys, database_url, "--format", "json")
    assert status == 0
    status, text, _ = _show(monkeypatch, capsys, database_url)
    assert status == 0
    export = reviews_csv(review_service.team_reviews(db=running.bot.db, channel_id=TEAM_CHANNEL))
    return json.loads(raw), raw, text, export


def test_a_review_by_three_organisations_shows_each_only_where_it_hides_its_people(
    running: RunningBot,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Council 4, NHS 4, police 1 at threshold 3: the police fold into "Other partners",
    and the council with them (else the team less the two named would be the police)."""
    setup_partnership(running)
    submit_organisations(running, ASSIGNMENT, threshold="3")
    _start(running)
    running.command(f"review invite <@{OUTSIDER}|outsider>")
    wait_for(lambda: responded(running, "They have the review by DM"))
    _answer(running)
    _click(running, OUTSIDER, 0, 1)  # a peer: never in any organisation's counts
    _click(running, OUTSIDER, 1, 1)

    status, preview, _ = _show(monkeypatch, capsys, database_url, "--format", "json")
    assert status == 0
    assert all(q["organisations"] == [] for q in json.loads(preview)["questions"])
    _close(running)

    # The database keeps the NHS's name (four people) and no one else's; never a peer's.
    assert _labels(running) == {(NHS, False): 12, (None, False): 15, (None, True): 2}

    shown, raw, text, export = _published(running, database_url, monkeypatch, capsys)
    first, second, third = shown["questions"][:3]
    assert first["counts"] == [2, 3, 2, 2]
    assert first["organisations"] == [
        {"name": NHS, "n": 4, "counts": [0, 0, 2, 2], "previous_counts": None,
         "suppressed": False},
        {"name": OTHER, "n": 5, "counts": [2, 3, 0, 0], "previous_counts": None,
         "suppressed": False},
    ]  # fmt: skip
    assert first["differ"] == {"higher": NHS, "lower": OTHER, "gap": 1.0, "beyond_chance": True}
    assert shown["differ_most"] == [QUESTION_IDS[0]]
    for withheld in (second, third):
        assert not withheld["suppressed"]  # the team's own counts are shown
        assert [o["suppressed"] for o in withheld["organisations"]] == [True, True]
        assert all(o["n"] is None and o["counts"] is None for o in withheld["organisations"])
        assert withheld["differ"] is None
    for later in shown["questions"][3:]:
        assert later["suppressed"] and all(o["suppressed"] for o in later["organisations"])

    assert f"· {NHS} (4 answered): Not in place 0 · Basic 0 · Better 2 · Embedded 2" in text
    assert "by organisation: withheld" in text
    assert "Organisations' answers differ most on:" in text
    assert f"({NHS}' answers sit higher than Other partners'; gap 1.00)" in text
    assert f"{QUESTION_IDS[0]}," in export and f",organisation,{NHS}" in export
    for published in (raw, text, export):
        assert COUNCIL not in published and POLICE not in published


def test_swapping_answers_behind_withheld_organisations_changes_nothing_published(
    running: RunningBot,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """On the second question the NHS's two answers and the other partners' five are both
    withheld: giving an NHS answer's level to another partner and theirs to the NHS (the
    team's counts unchanged) leaves `review show`, its text and the export byte-identical."""
    setup_partnership(running)
    submit_organisations(running, ASSIGNMENT, threshold="3")
    _start(running)
    _answer(running)
    _close(running)
    before = _published(running, database_url, monkeypatch, capsys)[1:]

    question = QUESTION_IDS[1]
    with running.bot.db.transaction() as session:
        rows = session.execute(
            select(ReviewAnswer.id, ReviewAnswer.organisation, ReviewAnswer.level).where(
                ReviewAnswer.question_id == question, ReviewAnswer.level.is_not(None)
            )
        ).all()
        nhs = next(r for r in rows if r.organisation == NHS)
        other = next(r for r in rows if r.organisation is None and r.level != nhs.level)
        for row, level in ((nhs, other.level), (other, nhs.level)):
            session.execute(
                update(ReviewAnswer).where(ReviewAnswer.id == row.id).values(level=level)
            )
    after = _published(running, database_url, monkeypatch, capsys)[1:]
    assert after == before
