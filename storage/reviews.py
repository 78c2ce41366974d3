"""Partnership reviews in the database: opened with their prompts, answered while open,
closed (answers unlinked from the people who gave them, each keeping its organisation's
name only where that keeps them hidden), and read for their results.

A click locks its review shared, then its prompt; a close locks the review exclusively by
updating it. So a click either commits before the close reads the answers, or waits for it
and then finds the review closed: no answer is left linked after a close.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from storage import review_organisations as review_organisation_store
from storage.models import Review, ReviewAnswer, ReviewPendingAnswer, ReviewPrompt, Team
from storage.records import ReviewRecord, TeamRecord, record


@dataclass(frozen=True)
class PromptRow:
    """A review DM as the sender and the redraw need it."""

    id: int
    user_id: str
    workspace_id: str
    channel_id: str | None
    message_ts: str | None
    review_id: int
    peer: bool = False


def prompt_row(row: ReviewPrompt) -> PromptRow:
    return PromptRow(
        id=row.id,
        user_id=row.user_id,
        workspace_id=row.workspace_id,
        channel_id=row.channel_id,
        message_ts=row.message_ts,
        review_id=row.review_id,
        peer=bool(row.peer),
    )


def _review(row: Review | None) -> ReviewRecord | None:
    return None if row is None else record(ReviewRecord, row)


def prompt_by_id(session: Session, prompt_id: int) -> PromptRow | None:
    """One review DM, or None."""
    row = session.get(ReviewPrompt, prompt_id)
    return None if row is None else prompt_row(row)


def review_by_id(session: Session, review_id: int) -> ReviewRecord | None:
    """One review as the database has it now (a close earlier in the unit of work shows),
    or None."""
    return _review(session.get(Review, review_id, populate_existing=True))


def reviews_of_team(session: Session, team_id: int) -> list[ReviewRecord]:
    """Every review of a team, oldest quarter first."""
    rows = session.scalars(
        select(Review).where(Review.team_id == team_id).order_by(Review.quarter)
    ).all()
    return [record(ReviewRecord, row) for row in rows]


def open_review(session: Session, team_id: int) -> ReviewRecord | None:
    """The team's review still open, if any."""
    return _review(
        session.scalars(
            select(Review).where(Review.team_id == team_id, Review.closed_at.is_(None))
        ).first()
    )


def teams_reviewing_quarterly(session: Session) -> list[TeamRecord]:
    """Active teams whose managers asked for the review to start by itself each quarter."""
    rows = session.scalars(
        select(Team)
        .where(Team.active.is_(True), Team.review_schedule_from.is_not(None))
        .order_by(Team.id)
    ).all()
    return [record(TeamRecord, row) for row in rows]


def has_review(session: Session, *, team_id: int, quarter: str) -> bool:
    """Whether the team has a review for the quarter, or one still open from before."""
    found = session.scalar(
        select(Review.id)
        .where(Review.team_id == team_id)
        .where((Review.quarter == quarter) | Review.closed_at.is_(None))
        .limit(1)
    )
    return found is not None


def schedule_reviews(session: Session, team_id: int, *, wanted: bool, now: datetime) -> TeamRecord:
    """Turn the quarterly start on (from now, unless it was already on) or off; the team as
    it now is."""
    team = session.get_one(Team, team_id)
    if not wanted:
        team.review_schedule_from = None
    elif team.review_schedule_from is None:
        team.review_schedule_from = now
    return record(TeamRecord, team)


def add_review(
    session: Session,
    *,
    team: TeamRecord,
    quarter: str,
    now: datetime,
    closes_at: datetime,
    threshold: int,
    user_ids: Sequence[str],
) -> ReviewRecord:
    """Store a review and one unsent prompt per person to ask."""
    review = Review(
        team_id=team.id,
        quarter=quarter,
        opened_at=now,
        closes_at=closes_at,
        threshold=threshold,
        invited=len(user_ids),
        responded=0,
    )
    session.add(review)
    session.flush()
    session.add_all(
        ReviewPrompt(
            review_id=review.id,
            user_id=user,
            workspace_id=team.workspace_id,
            state="pending",
            redrawn_closed=False,
        )
        for user in user_ids
    )
    session.flush()
    return record(ReviewRecord, review)


def prompt_for(session: Session, *, review_id: int, user_id: str) -> PromptRow | None:
    """The review DM a person has been sent (or is queued to be sent), if any."""
    row = session.scalars(
        select(ReviewPrompt).where(
            ReviewPrompt.review_id == review_id, ReviewPrompt.user_id == user_id
        )
    ).first()
    return None if row is None else prompt_row(row)


def add_peer(
    session: Session, *, review: ReviewRecord, user_id: str, workspace_id: str
) -> PromptRow:
    """Queue a peer reviewer's DM and count them among the review's peers, not its partners."""
    row = ReviewPrompt(
        review_id=review.id,
        user_id=user_id,
        workspace_id=workspace_id,
        state="pending",
        redrawn_closed=False,
        peer=True,
    )
    session.add(row)
    session.execute(
        update(Review)
        .where(Review.id == review.id)
        .values(peers_invited=Review.peers_invited + 1)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return prompt_row(row)


def claim_unsent(session: Session, *, now: datetime, stale_before: datetime) -> list[PromptRow]:
    """Claim the unsent prompts of open reviews (and claims a dead sender left), so that
    only this sender sends them: each is marked 'sending' by a conditional update."""
    candidates = session.scalars(
        select(ReviewPrompt)
        .join(Review, Review.id == ReviewPrompt.review_id)
        .where(Review.closed_at.is_(None), Review.closes_at > now)
        .where(
            (ReviewPrompt.state == "pending")
            | ((ReviewPrompt.state == "sending") & (ReviewPrompt.claimed_at < stale_before))
        )
        .order_by(ReviewPrompt.id)
    ).all()
    claimed = []
    for row in candidates:
        won = session.execute(
            update(ReviewPrompt)
            .where(ReviewPrompt.id == row.id, ReviewPrompt.state == row.state)
            .where(
                ReviewPrompt.claimed_at.is_(None)
                if row.claimed_at is None
                else ReviewPrompt.claimed_at == row.claimed_at
            )
            .values(state="sending", claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        if won.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(prompt_row(row))
    return claimed


def mark_sent(session: Session, *, prompt_id: int, channel_id: str, message_ts: str) -> None:
    """A DM Slack accepted: where it is, so it can be redrawn."""
    session.execute(
        update(ReviewPrompt)
        .where(ReviewPrompt.id == prompt_id)
        .values(state="sent", channel_id=channel_id, message_ts=message_ts)
        .execution_options(synchronize_session=False)
    )


def release(session: Session, prompt_id: int) -> None:
    """A DM Slack did not take: back to the queue for a later tick."""
    session.execute(
        update(ReviewPrompt)
        .where(ReviewPrompt.id == prompt_id, ReviewPrompt.state == "sending")
        .values(state="pending", claimed_at=None)
        .execution_options(synchronize_session=False)
    )


def lock_for_answer(session: Session, prompt_id: int) -> tuple[PromptRow, ReviewRecord] | None:
    """The prompt and its review, the review locked shared and the prompt exclusively."""
    review_id = session.scalar(select(ReviewPrompt.review_id).where(ReviewPrompt.id == prompt_id))
    if review_id is None:
        return None
    review = session.scalars(
        select(Review).where(Review.id == review_id).with_for_update(read=True)
    ).first()
    prompt = session.scalars(
        select(ReviewPrompt).where(ReviewPrompt.id == prompt_id).with_for_update()
    ).first()
    if review is None or prompt is None:
        return None
    return prompt_row(prompt), record(ReviewRecord, review)


def put_answer(session: Session, *, prompt_id: int, question_id: str, level: int | None) -> None:
    """Record or replace one answer of a prompt (the prompt is locked by the caller)."""
    row = session.scalars(
        select(ReviewPendingAnswer).where(
            ReviewPendingAnswer.prompt_id == prompt_id,
            ReviewPendingAnswer.question_id == question_id,
        )
    ).first()
    if row is None:
        session.add(ReviewPendingAnswer(prompt_id=prompt_id, question_id=question_id, level=level))
    else:
        row.level = level
    session.flush()


def prompt_answers(session: Session, prompt_id: int) -> dict[str, int | None]:
    """A prompt's answers so far, by question."""
    rows = session.execute(
        select(ReviewPendingAnswer.question_id, ReviewPendingAnswer.level).where(
            ReviewPendingAnswer.prompt_id == prompt_id
        )
    ).all()
    return {question: level for question, level in rows}


def close(session: Session, *, review_id: int, now: datetime) -> bool:
    """Close a review once: its answers are moved under numbers drawn at random, in a
    shuffled order, and the linked rows deleted. A partner's answers keep their
    organisation's name only where `kept_organisation_labels` keeps it; a peer's never do.
    False when it was already closed."""
    won = session.execute(
        update(Review)
        .where(Review.id == review_id, Review.closed_at.is_(None))
        .values(closed_at=now)
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        return False
    prompts = select(ReviewPrompt.id).where(ReviewPrompt.review_id == review_id)
    rows = session.execute(
        select(
            ReviewPendingAnswer.prompt_id,
            ReviewPendingAnswer.question_id,
            ReviewPendingAnswer.level,
            ReviewPrompt.peer,
        )
        .join(ReviewPrompt, ReviewPrompt.id == ReviewPendingAnswer.prompt_id)
        .where(ReviewPendingAnswer.prompt_id.in_(prompts))
    ).all()
    partners = _numbered({p for p, _, _, peer in rows if not peer})
    peers = _numbered({p for p, _, _, peer in rows if peer})
    respondent = {**partners, **peers}
    labels = review_organisation_store.closing_labels(session, review_id, sorted(partners))
    unlinked = [
        ReviewAnswer(
            review_id=review_id,
            respondent=respondent[p],
            question_id=q,
            level=level,
            peer=bool(peer),
            organisation=None if peer else labels.get(p),
        )
        for p, q, level, peer in rows
    ]
    secrets.SystemRandom().shuffle(unlinked)
    session.add_all(unlinked)
    session.execute(
        delete(ReviewPendingAnswer)
        .where(ReviewPendingAnswer.prompt_id.in_(prompts))
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Review)
        .where(Review.id == review_id)
        .values(responded=len(partners), peers_responded=len(peers))
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return True


def _numbered(prompt_ids: set[int]) -> dict[int, int]:
    """Each prompt a number from 1 drawn at random, linked to nothing else."""
    ids = list(prompt_ids)
    numbers = list(range(1, len(ids) + 1))
    secrets.SystemRandom().shuffle(numbers)
    return dict(zip(ids, numbers, strict=True))


def due_to_close(session: Session, now: datetime) -> list[int]:
    """Open reviews whose week is over."""
    return list(
        session.scalars(
            select(Review.id).where(Review.closed_at.is_(None), Review.closes_at <= now)
        )
    )


def answers_of(
    session: Session, review: ReviewRecord, *, peer: bool = False
) -> tuple[dict[str, list[int | None]], int]:
    """A review's answers by question, and how many people gave any: the unlinked ones of a
    closed review, the pending ones of an open review (a preview). The partners' by default;
    with ``peer``, the peer reviewers' (never the two together)."""
    if review.closed_at is not None:
        mine = (ReviewAnswer.review_id == review.id) & (ReviewAnswer.peer.is_(peer))
        rows = session.execute(
            select(ReviewAnswer.question_id, ReviewAnswer.level).where(mine)
        ).all()
        people = session.scalar(
            select(func.count(func.distinct(ReviewAnswer.respondent))).where(mine)
        )
    else:
        prompts = select(ReviewPrompt.id).where(
            ReviewPrompt.review_id == review.id, ReviewPrompt.peer.is_(peer)
        )
        rows = session.execute(
            select(ReviewPendingAnswer.question_id, ReviewPendingAnswer.level).where(
                ReviewPendingAnswer.prompt_id.in_(prompts)
            )
        ).all()
        people = session.scalar(
            select(func.count(func.distinct(ReviewPendingAnswer.prompt_id))).where(
                ReviewPendingAnswer.prompt_id.in_(prompts)
            )
        )
    grouped: dict[str, list[int | None]] = {}
    for question, level in rows:
        grouped.setdefault(question, []).append(level)
    return grouped, int(people or 0)


def closed_unredrawn(session: Session) -> list[PromptRow]:
    """Sent DMs of closed reviews not yet redrawn as closed."""
    rows = session.scalars(
        select(ReviewPrompt)
        .join(Review, Review.id == ReviewPrompt.review_id)
        .where(Review.closed_at.is_not(None), ReviewPrompt.redrawn_closed.is_(False))
        .where(ReviewPrompt.message_ts.is_not(None))
        .order_by(ReviewPrompt.id)
    ).all()
    return [prompt_row(r) for r in rows]


def mark_redrawn(session: Session, prompt_id: int) -> None:
    """A closed review's DM now shows no answer."""
    session.execute(
        update(ReviewPrompt)
        .where(ReviewPrompt.id == prompt_id)
        .values(redrawn_closed=True)
        .execution_options(synchronize_session=False)
    )


def forget_user(session: Session, *, workspace_id: str, user_id: str) -> None:
    """Delete the review DMs that went to a person (their open answers go with them)."""
    session.execute(
        delete(ReviewPrompt)
        .where(ReviewPrompt.workspace_id == workspace_id, ReviewPrompt.user_id == user_id)
        .execution_options(synchronize_session=False)
    )
