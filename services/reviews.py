"""The partnership-effectiveness review: started and closed by a team's managers, answered
by its members, and its results read under the pulse's anonymity rules.

Every change is checked here, not where the button was drawn: a button may be old,
altered, or clicked by someone it was not sent to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.errors import (
    InvalidAnswer,
    NotAManager,
    NotYourPrompt,
    PromptNotFound,
    PulseError,
    TeamNotFound,
)
from storage import review_organisations as organisation_store
from storage import reviews as review_store
from storage import teams as team_store
from storage.database import Database, UnitOfWork
from storage.errors import AlreadyExists
from storage.records import ReviewRecord, TeamRecord
from storage.reviews import PromptRow
from surveys.review import (
    LEVELS,
    REVIEW_DAYS,
    ReviewResults,
    peer_view,
    quarter_of,
    question,
    summarise,
)
from surveys.review_organisations import by_organisation


class ReviewOpen(PulseError):
    reply = "The team's review is already open: `/pulse review close` closes it."


class ReviewedThisQuarter(PulseError):
    reply = "The team has had its review this quarter; the next one can start next quarter."


class NoOpenReview(PulseError):
    reply = "The team has no review open, so there is nothing to close."


class NobodyToAsk(PulseError):
    reply = "Nobody in the channel can be asked yet, so no review was started."


class ReviewClosed(PulseError):
    reply = "This review has closed, so your answer wasn't recorded. Thank you all the same."


class NoReview(PulseError):
    reply = "The team has had no review in that quarter."


class NoReviewToJoin(PulseError):
    reply = (
        "The team has no review open, so there is nothing to invite a peer reviewer to: "
        "start one with `/pulse review` first."
    )


class PeerIsPartner(PulseError):
    reply = (
        "That person is in the team, so they answer the review as a partner. A peer "
        "reviewer comes from outside the partnership: invite someone who is not in the "
        "team's channel."
    )


class PeerAlreadyAsked(PulseError):
    reply = "That person has already been asked to answer this review."


@dataclass(frozen=True)
class ReviewInfo:
    """A review as callers outside the core see it."""

    id: int
    channel_id: str
    channel_name: str | None
    workspace_id: str
    quarter: str
    closes_at: datetime
    closed: bool
    threshold: int
    invited: int
    responded: int
    peers_invited: int = 0


@dataclass(frozen=True)
class PromptState:
    """A review DM with its answers so far, for its redraw."""

    prompt: PromptRow
    review: ReviewInfo
    answers: dict[str, int | None]


def _info(review: ReviewRecord, team: TeamRecord) -> ReviewInfo:
    return ReviewInfo(
        id=review.id,
        channel_id=team.channel_id,
        channel_name=team.channel_name,
        workspace_id=team.workspace_id,
        quarter=review.quarter,
        closes_at=review.closes_at,
        closed=review.closed_at is not None,
        threshold=review.threshold,
        invited=review.invited,
        responded=review.responded,
        peers_invited=review.peers_invited,
    )


def _managed(session: UnitOfWork, workspace_id: str, channel_id: str, user_id: str) -> TeamRecord:
    team = team_store.team_by_channel(session, channel_id, workspace_id, for_update=True)
    if team is None:
        raise TeamNotFound()
    if not team_store.is_manager(session, team_id=team.id, user_id=user_id):
        raise NotAManager()
    return team


def start_review(
    *, db: Database, workspace_id: str, channel_id: str, user_id: str, now: datetime
) -> ReviewInfo:
    """Open this quarter's review for a manager's team, one prompt queued per member."""
    try:
        with db.transaction() as session:
            team = _managed(session, workspace_id, channel_id, user_id)
            return _open(session, team, quarter_of(now), now)
    except AlreadyExists:
        raise ReviewedThisQuarter() from None  # started at the same moment by another manager


def start_scheduled_review(
    *, db: Database, workspace_id: str, channel_id: str, quarter: str, now: datetime
) -> ReviewInfo | None:
    """Open a team's quarterly review by itself; None when it need not or cannot (started
    meanwhile by a manager or another process, or nobody to ask)."""
    try:
        with db.transaction() as session:
            team = team_store.team_by_channel(session, channel_id, workspace_id, for_update=True)
            if team is None:
                return None
            return _open(session, team, quarter, now)
    except (AlreadyExists, ReviewOpen, ReviewedThisQuarter, NobodyToAsk):
        return None


def _open(session: UnitOfWork, team: TeamRecord, quarter: str, now: datetime) -> ReviewInfo:
    """A quarter's review opened for a team (locked by the caller), one DM queued per
    member to ask; refused while one is open or when the quarter has had its review."""
    if review_store.open_review(session, team.id) is not None:
        raise ReviewOpen()
    if any(r.quarter == quarter for r in review_store.reviews_of_team(session, team.id)):
        raise ReviewedThisQuarter()
    people = [m.user_id for m in team_store.surveyable_members(session, team)]
    if not people:
        raise NobodyToAsk()
    review = review_store.add_review(
        session,
        team=team,
        quarter=quarter,
        now=now,
        closes_at=now + timedelta(days=REVIEW_DAYS),
        threshold=team.anonymity_threshold,
        user_ids=people,
    )
    return _info(review, team)


def invite_peer(
    *,
    db: Database,
    workspace_id: str,
    channel_id: str,
    user_id: str,
    peer_id: str,
    now: datetime,
) -> ReviewInfo:
    """Ask someone from outside the partnership to answer a manager's open review as its
    peer reviewer: their DM is queued, and they are counted apart from the partners."""
    with db.transaction() as session:
        team = _managed(session, workspace_id, channel_id, user_id)
        review = review_store.open_review(session, team.id)
        if review is None or review.closes_at <= now:
            raise NoReviewToJoin()
        member = team_store.member(session, team_id=team.id, user_id=peer_id)
        in_team = member is not None and member.in_channel
        if in_team or team_store.is_manager(session, team_id=team.id, user_id=peer_id):
            raise PeerIsPartner()
        if review_store.prompt_for(session, review_id=review.id, user_id=peer_id) is not None:
            raise PeerAlreadyAsked()
        review_store.add_peer(
            session, review=review, user_id=peer_id, workspace_id=team.workspace_id
        )
        counted = review_store.review_by_id(session, review.id)
        assert counted is not None
        return _info(counted, team)


def peer_prompt_sent(*, db: Database, review_id: int, peer_id: str) -> bool:
    """Whether Slack has taken a peer reviewer's DM."""
    with db.reading() as session:
        prompt = review_store.prompt_for(session, review_id=review_id, user_id=peer_id)
        return prompt is not None and prompt.message_ts is not None


def close_review(
    *, db: Database, workspace_id: str, channel_id: str, user_id: str, now: datetime
) -> ReviewInfo:
    """Close a manager's team's open review now."""
    with db.transaction() as session:
        team = _managed(session, workspace_id, channel_id, user_id)
        review = review_store.open_review(session, team.id)
        if review is None or not review_store.close(session, review_id=review.id, now=now):
            raise NoOpenReview()
        closed_review = review_store.review_by_id(session, review.id)
        assert closed_review is not None
        closed = _info(closed_review, team)
    db.erase_deleted("review_pending_answers")
    return closed


def close_due_reviews(*, db: Database, now: datetime) -> int:
    """Close every review whose week is over."""
    closed = 0
    with db.transaction() as session:
        due = review_store.due_to_close(session, now)
    for review_id in due:
        with db.transaction() as session:
            closed += review_store.close(session, review_id=review_id, now=now)
    if closed:
        db.erase_deleted("review_pending_answers")
    return closed


def record_answer(
    *,
    db: Database,
    prompt_id: int,
    user_id: str,
    question_id: str,
    level: int | None,
    now: datetime,
) -> None:
    """Record or replace a member's answer to one question of their open review."""
    if question(question_id) is None or (level is not None and not 1 <= level <= LEVELS):
        raise InvalidAnswer()
    with db.transaction() as session:
        found = review_store.lock_for_answer(session, prompt_id)
        if found is None:
            raise PromptNotFound()
        prompt, review = found
        if prompt.user_id != user_id:
            raise NotYourPrompt()
        if review.closed_at is not None or review.closes_at <= now:
            raise ReviewClosed()
        review_store.put_answer(session, prompt_id=prompt_id, question_id=question_id, level=level)


def prompt_state(*, db: Database, prompt_id: int) -> PromptState | None:
    """A review DM, its review and its answers so far."""
    with db.reading() as session:
        found = _prompt_and_review(session, prompt_id)
        if found is None:
            return None
        prompt, review, team = found
        return PromptState(
            prompt=prompt,
            review=_info(review, team),
            answers=review_store.prompt_answers(session, prompt_id),
        )


def _prompt_and_review(
    session: UnitOfWork, prompt_id: int
) -> tuple[PromptRow, ReviewRecord, TeamRecord] | None:
    prompt = review_store.prompt_by_id(session, prompt_id)
    if prompt is None:
        return None
    review = review_store.review_by_id(session, prompt.review_id)
    team = team_store.team_by_id(session, review.team_id) if review else None
    if review is None or team is None:
        return None
    return prompt, review, team


def claim_unsent(*, db: Database, now: datetime) -> list[PromptState]:
    """Claim the review DMs still to send (a claim older than a minute is a dead sender's)."""
    with db.transaction() as session:
        claimed = review_store.claim_unsent(
            session, now=now, stale_before=now - timedelta(minutes=1)
        )
    states = [prompt_state(db=db, prompt_id=p.id) for p in claimed]
    return [s for s in states if s is not None]


def mark_sent(*, db: Database, prompt_id: int, channel_id: str, message_ts: str) -> None:
    """A review DM Slack accepted."""
    with db.transaction() as session:
        review_store.mark_sent(
            session, prompt_id=prompt_id, channel_id=channel_id, message_ts=message_ts
        )


def release(*, db: Database, prompt_id: int) -> None:
    """A review DM Slack did not take, queued again."""
    with db.transaction() as session:
        review_store.release(session, prompt_id)


def closed_unredrawn(*, db: Database) -> list[PromptState]:
    """Closed reviews' DMs still showing their questions."""
    with db.reading() as session:
        rows = review_store.closed_unredrawn(session)
    states = [prompt_state(db=db, prompt_id=r.id) for r in rows]
    return [s for s in states if s is not None]


def mark_redrawn(*, db: Database, prompt_id: int) -> None:
    """A closed review's DM redrawn without its answers."""
    with db.transaction() as session:
        review_store.mark_redrawn(session, prompt_id)


def results(*, db: Database, channel_id: str, quarter: str | None = None) -> ReviewResults:
    """A review's results (the latest, or the quarter's) beside the previous review's."""
    with db.reading() as session:
        team = team_store.team_by_channel(session, channel_id)
        if team is None:
            raise TeamNotFound()
        reviews = list(review_store.reviews_of_team(session, team.id))
        if quarter is not None:
            reviews = [r for r in reviews if r.quarter <= quarter]
            if not reviews or reviews[-1].quarter != quarter:
                raise NoReview(f"{channel_id} had no partnership review in {quarter}.")
        if not reviews:
            raise NoReview(f"{channel_id} has had no partnership review yet.")
        review = reviews[-1]
        earlier = [r for r in reviews[:-1] if r.closed_at is not None]
        answers, people = review_store.answers_of(session, review)
        previous = earlier[-1] if earlier else None
        previous_answers = review_store.answers_of(session, previous)[0] if previous else None
        threshold = max(review.threshold, team.anonymity_threshold)
        peer_answers, peers = review_store.answers_of(session, review, peer=True)
        peer = peer_view(
            invited=review.peers_invited,
            responded=review.peers_responded if review.closed_at is not None else peers,
            answers=peer_answers,
        )
        groups, earlier_groups = (
            organisation_store.answers_by_organisation(session, r.id if r else None)
            for r in (review, previous)
        )
        summary = summarise(
            team=channel_id,
            quarter=review.quarter,
            invited=review.invited,
            answers=answers,
            respondents=people,
            threshold=threshold,
            closed=review.closed_at is not None,
            previous=previous_answers,
            previous_threshold=previous.threshold if previous else None,
            previous_quarter=previous.quarter if previous else None,
            peer=peer,
        )
        return by_organisation(
            summary,
            groups,
            threshold=threshold,
            previous=earlier_groups,
            previous_threshold=previous.threshold if previous else None,
        )


def team_reviews(*, db: Database, channel_id: str) -> list[ReviewResults]:
    """Every closed review of a team, oldest first, as the export gives them."""
    with db.reading() as session:
        team = team_store.team_by_channel(session, channel_id)
        if team is None:
            return []
        quarters = [
            r.quarter
            for r in review_store.reviews_of_team(session, team.id)
            if r.closed_at is not None
        ]
    return [results(db=db, channel_id=channel_id, quarter=q) for q in quarters]
