"""Forgetting a member removes everything that names them, and nothing that was published."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from services.privacy import forget_member
from storage.models import Manager, Member, OptOut, PendingAnswer, Prompt
from tests.pulse_flow import (
    SURVEYED,
    click,
    close_round,
    digest_json,
    everyone_answers,
    send_round,
    setup_team,
)
from tests.support import MANAGER, MEMBERS, ROUND_WEEK, RunningBot, wait_for


def _rows_naming(running: RunningBot, user: str) -> int:
    with running.bot.db.transaction() as session:
        total = 0
        for model in (Member, Manager, OptOut, Prompt):
            total += (
                session.scalar(select(func.count()).select_from(model).where(model.user_id == user))
                or 0
            )
        return int(total)


def test_forgetting_a_member_deletes_every_row_that_names_them(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    user = MEMBERS[2]
    click(running, user, 0, 4)
    running.command("optout", user=user)
    assert _rows_naming(running, user) > 0
    forget_member(db=running.bot.db, workspace_id="T0STANDIN", user_id=user, marking_secret=b"k")
    assert _rows_naming(running, user) == 0
    with running.bot.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(PendingAnswer)) == 0


def test_published_figures_stay_after_a_member_is_forgotten(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    everyone_answers(running, 5)
    close_round(running)
    before = digest_json(running, ROUND_WEEK)
    forget_member(
        db=running.bot.db, workspace_id="T0STANDIN", user_id=MEMBERS[0], marking_secret=b"k"
    )
    forget_member(db=running.bot.db, workspace_id="T0STANDIN", user_id=MANAGER, marking_secret=b"k")
    after = digest_json(running, ROUND_WEEK)
    assert after["index"] == before["index"]
    assert after["behaviours"] == before["behaviours"]


def test_forgetting_someone_else_leaves_a_member_untouched(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    before = _rows_naming(running, MEMBERS[1])
    forget_member(
        db=running.bot.db, workspace_id="T0STANDIN", user_id=MEMBERS[0], marking_secret=b"k"
    )
    assert _rows_naming(running, MEMBERS[1]) == before
    with running.bot.db.transaction() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(Prompt).where(or_(Prompt.user_id == MEMBERS[1]))
            )
            == 1
        )


def test_purge_deletes_raw_answers_past_retention_and_keeps_the_figures(
    running: RunningBot,
) -> None:
    from datetime import timedelta

    from services.privacy import purge_expired_answers
    from storage.models import Answer, ArchivedFigure

    setup_team(running)
    send_round(running)
    everyone_answers(running, 5)
    close_round(running)
    published = digest_json(running, ROUND_WEEK)
    young = purge_expired_answers(db=running.bot.db, now=running.clock() + timedelta(days=700))
    assert young == 0
    purged = purge_expired_answers(db=running.bot.db, now=running.clock() + timedelta(days=740))
    assert purged == len(SURVEYED)
    with running.bot.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Answer)) == 0
        kept = session.scalar(select(func.count()).select_from(ArchivedFigure))
        assert kept == 2  # the index and the one behaviour everyone answered
    running.clock.advance(timedelta(days=7))
    running.command("send")
    wait_for(lambda: all(len(running.slack.dms_to(u)) >= 2 for u in SURVEYED))
    everyone_answers(running, 1)
    later = digest_json(running, "2026-W48")
    assert later["index"]["baseline"] == published["index"]["score"]
    assert later["index"]["previous"] == published["index"]["score"]


def test_forget_me_command_deletes_the_callers_rows_and_says_so(running: RunningBot) -> None:
    setup_team(running)
    send_round(running)
    user = MEMBERS[4]
    click(running, user, 0, 2)
    reply = running.command("forget-me", user=user, channel="D0MEMBER04")
    assert "deleted everything that named you" in reply.json()["text"]
    assert _rows_naming(running, user) == 0
    assert _rows_naming(running, MEMBERS[5]) > 0
