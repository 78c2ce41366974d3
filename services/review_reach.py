"""Review prompts Slack would not take by DM: recorded as sent in the team channel,
unreachable or skipped (never claimed again, so never retried every tick); the kept
response_urls of in-channel ones; and the managers' one notice of whom nobody could reach."""

from __future__ import annotations

from datetime import datetime

from services.unreachable import UnreachableNotice, notice_for
from storage import review_reach as reach_store
from storage import reviews as review_store
from storage.database import Database
from storage.in_channel_views import ViewToHide

__all__ = [
    "ViewToHide",
    "claim_notice",
    "due_views",
    "remember_view",
    "sent_in_channel",
    "skipped",
    "unreachable",
    "view_hidden",
]


def sent_in_channel(*, db: Database, prompt_id: int, channel_id: str, message_ts: str) -> None:
    """The prompt reached its member alone in the team channel."""
    with db.transaction() as session:
        reach_store.mark_outcome(
            session,
            prompt_id=prompt_id,
            state="sent",
            route="ephemeral",
            channel_id=channel_id,
            message_ts=message_ts,
        )


def unreachable(*, db: Database, prompt_id: int) -> None:
    """Slack let the bot reach the member neither by DM nor in the channel."""
    with db.transaction() as session:
        reach_store.mark_outcome(
            session, prompt_id=prompt_id, state="unreachable", route="unreachable"
        )


def skipped(*, db: Database, prompt_id: int) -> None:
    """Slack says the person cannot be messaged at all (deactivated, unknown)."""
    with db.transaction() as session:
        reach_store.mark_outcome(session, prompt_id=prompt_id, state="skipped", route=None)


def remember_view(*, db: Database, prompt_id: int, response_url: str, now: datetime) -> None:
    """Keep a click's response_url before it shows the member their answers."""
    with db.transaction() as session:
        reach_store.remember(session, prompt_id=prompt_id, response_url=response_url, now=now)


def due_views(*, db: Database, now: datetime) -> list[ViewToHide]:
    """In-channel review prompts to redraw without their answers now."""
    with db.transaction() as session:
        reach_store.forget_hidden_of_closed(session)
        return reach_store.due(session, now=now)


def view_hidden(*, db: Database, prompt_id: int, closed: bool) -> None:
    """The prompt shows no answer now (or never can again: `closed`)."""
    with db.transaction() as session:
        reach_store.hidden(session, prompt_id=prompt_id, closed=closed)


def claim_notice(*, db: Database, review_id: int, now: datetime) -> UnreachableNotice | None:
    """The notice owed for a review's newly unreachable members, claimed; None when nobody
    new is unreachable."""
    with db.transaction() as session:
        members = reach_store.claim_untold(session, review_id=review_id, now=now)
        review = review_store.review_by_id(session, review_id) if members else None
        return notice_for(session, review.team_id if review else None, members)
