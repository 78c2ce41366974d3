"""The changes a round's close makes, and the one-time claims on a closed round's posts.

They take a session and never commit: the caller's unit of work does, and the round was
locked (`storage.rounds.lock_round`) or listed for closing inside it.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage import answers as answer_store
from storage import ephemeral_views as ephemeral_store
from storage import organisations as organisation_store
from storage import privacy as privacy_store
from storage import redraws as redraw_store
from storage import rounds as round_store
from storage.models import Round, Team
from storage.records import RoundRecord, TeamRecord, record
from surveys.anonymity import kept_organisation_labels


def close(session: Session, round_id: int, now: datetime) -> RoundRecord:
    """Close a round: unlink its answers from people (naming their organisation only where
    that keeps them hidden), queue its DMs' redraws, forget who was reminded or withdrew,
    expire the prompts never sent, and count who was invited. Returns the round as it now
    is."""
    round_ = session.get_one(Round, round_id)
    answer_store.unlink_answers(session, round_.id, _organisation_labels(session, round_))
    redraw_store.queue_at_close(session, round_.id)
    ephemeral_store.at_close(session, round_.id)
    round_store.clear_reminder_marks(session, round_.id)
    privacy_store.clear_withdrawals(session, round_.id)
    for prompt in round_store.prompts_in_state(session, round_.id, "pending", "sending"):
        prompt.state = "expired"
    round_.invited = sum(
        round_store.count_prompts(session, round_.id, state=state)
        for state in round_store.INVITED_STATES
    )
    round_.closed_at = now
    round_.closes_at = min(round_.closes_at, now)
    return record(RoundRecord, round_)


def _organisation_labels(session: Session, round_: Round) -> dict[int, str]:
    """The organisation each answering prompt's answers may carry once unlinked: only the
    names `kept_organisation_labels` keeps; the others' answers carry none."""
    row = session.get(Team, round_.team_id)
    if row is None:
        return {}
    team = record(TeamRecord, row)
    by_prompt = organisation_store.respondents_organisations(session, team, round_.id)
    kept = kept_organisation_labels(Counter(by_prompt.values()), team.anonymity_threshold)
    return {prompt: name for prompt, name in by_prompt.items() if name in kept}


def rounds_without_digest(session: Session) -> list[RoundRecord]:
    """Closed rounds whose digest has not gone out."""
    rows = session.scalars(
        select(Round).where(Round.closed_at.is_not(None), Round.digest_posted_at.is_(None))
    )
    return [record(RoundRecord, row) for row in rows]


def claim_digest_post(session: Session, round_id: int, now: datetime) -> bool:
    """Take the right to post a round's digest, in one statement: only one caller gets it."""
    result = session.execute(
        update(Round)
        .where(Round.id == round_id, Round.digest_posted_at.is_(None))
        .values(digest_posted_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def release_digest_post(session: Session, round_id: int) -> None:
    """Give a digest post's claim back, so a later attempt retries."""
    session.execute(update(Round).where(Round.id == round_id).values(digest_posted_at=None))


def claim_reminder_pass(session: Session, round_id: int, now: datetime) -> bool:
    """Take an open round's one reminder pass, in one statement: only one caller gets it."""
    claimed = session.execute(
        update(Round)
        .where(Round.id == round_id, Round.reminded_at.is_(None), Round.closed_at.is_(None))
        .values(reminded_at=now)
    )
    return bool(claimed.rowcount)  # type: ignore[attr-defined]
