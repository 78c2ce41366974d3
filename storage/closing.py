"""The changes a round's close makes, and the one-time claims on a closed round's posts.

They take a session and never commit: the caller's unit of work does, and the round was
locked (`storage.rounds.lock_round`) or listed for closing inside it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
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
    """Close one round (`close_many`); the round as it now is."""
    return close_many(session, [round_id], now)[0]


def close_many(session: Session, round_ids: Collection[int], now: datetime) -> list[RoundRecord]:
    """Close rounds together, a few statements for all of them: unlink their answers from
    people (naming their organisation only where that keeps them hidden), queue their DMs'
    redraws, forget who was reminded or withdrew, expire the prompts never sent, and count
    who was invited. Returns the rounds as they now are, in id order."""
    if not round_ids:
        return []
    answer_store.unlink_answers(session, round_ids, _organisation_labels(session, round_ids))
    redraw_store.queue_at_close(session, round_ids)
    ephemeral_store.at_close(session, round_ids)
    round_store.clear_reminder_marks(session, round_ids)
    privacy_store.clear_withdrawals(session, round_ids)
    round_store.expire_unsent(session, round_ids)
    return round_store.mark_closed(session, round_ids, now)


def _organisation_labels(session: Session, round_ids: Collection[int]) -> dict[int, str]:
    """The organisation each answering prompt's answers may carry once unlinked: only the
    names `kept_organisation_labels` keeps, counted round by round; the others' answers
    carry none. Only rounds with answers are looked at."""
    labels: dict[int, str] = {}
    for round_id, team_id in answer_store.rounds_with_answers(session, round_ids):
        row = session.get(Team, team_id)
        if row is None:
            continue
        team = record(TeamRecord, row)
        by_prompt = organisation_store.respondents_organisations(session, team, round_id)
        kept = kept_organisation_labels(Counter(by_prompt.values()), team.anonymity_threshold)
        labels.update({prompt: name for prompt, name in by_prompt.items() if name in kept})
    return labels


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
