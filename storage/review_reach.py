"""Review prompts that could not go by DM: sent in the team channel, or unreachable, or
skipped; the response_urls of in-channel ones their members clicked, kept until the
answers they show are hidden; and who the managers must be told of. They take a session
and never commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage import in_channel_views as views
from storage.in_channel_views import ViewToHide
from storage.models import Review, ReviewEphemeralView, ReviewPrompt
from storage.unreachable import claim_untold_among


def mark_outcome(
    session: Session,
    *,
    prompt_id: int,
    state: str,
    route: str | None,
    channel_id: str | None = None,
    message_ts: str | None = None,
) -> None:
    """A claimed prompt's outcome other than a DM: "sent" in the channel (route
    "ephemeral"), "unreachable", or "skipped" (Slack says the person cannot be messaged);
    none of them is claimed again."""
    session.execute(
        update(ReviewPrompt)
        .where(ReviewPrompt.id == prompt_id)
        .values(state=state, route=route, channel_id=channel_id, message_ts=message_ts)
        .execution_options(synchronize_session=False)
    )


def remember(session: Session, *, prompt_id: int, response_url: str, now: datetime) -> None:
    """Keep a click's response_url before it shows the member their answers (the newest
    replaces the older: each click brings a fresh one)."""
    review_id = session.scalar(select(ReviewPrompt.review_id).where(ReviewPrompt.id == prompt_id))
    if review_id is None:
        return
    row = session.get(ReviewEphemeralView, prompt_id)
    if row is None:
        row = ReviewEphemeralView(prompt_id=prompt_id, review_id=review_id)
        session.add(row)
    views.show(row, response_url=response_url, now=now)
    session.flush()


def due(session: Session, *, now: datetime, limit: int = 100) -> list[ViewToHide]:
    """Views showing answers whose time is up, or whose review has closed."""
    belongs = Review.id == ReviewEphemeralView.review_id
    return views.due(
        session, ReviewEphemeralView, parent=Review, belongs=belongs, now=now, limit=limit
    )


def hidden(session: Session, *, prompt_id: int, closed: bool) -> None:
    """The view shows no answer now (`storage.in_channel_views.hidden`)."""
    views.hidden(session, ReviewEphemeralView, prompt_id=prompt_id, closed=closed)


def forget_hidden_of_closed(session: Session) -> None:
    """Closed reviews' views already hidden need nothing more: their URLs go."""
    closed = select(Review.id).where(Review.closed_at.is_not(None))
    session.execute(
        delete(ReviewEphemeralView)
        .where(
            ReviewEphemeralView.review_id.in_(closed),
            ReviewEphemeralView.shows_answer.is_(False),
        )
        .execution_options(synchronize_session=False)
    )


def claim_untold(session: Session, *, review_id: int, now: datetime) -> list[str]:
    """The review's unreachable partners whose managers were never told of them, marked as
    told now (the same mark as the pulse's: each person is told of once)."""
    review = session.get(Review, review_id)
    if review is None:
        return []
    unreachable = select(ReviewPrompt.user_id).where(
        ReviewPrompt.review_id == review_id, ReviewPrompt.state == "unreachable"
    )
    return claim_untold_among(session, team_id=review.team_id, user_ids=unreachable, now=now)
