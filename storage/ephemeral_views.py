"""The response_urls of in-channel (ephemeral) prompts their members clicked, kept until
the chosen points they show are hidden. They take a session and never commit."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage import in_channel_views as views
from storage.in_channel_views import ViewToHide
from storage.models import EphemeralView, Prompt, Round


def remember(session: Session, *, prompt_id: int, response_url: str, now: datetime) -> str | None:
    """Keep a click's response_url (the newest replaces the older: Slack gives a fresh one,
    with fresh uses, on every click) before it is used to show the member their choice.

    The replaced URL is returned while it may still show an answer: the click may have come
    from another message of the same prompt (the in-channel reminder carries the prompt
    again), and that one must be hidden too, since only the newest URL is kept."""
    row = session.get(EphemeralView, prompt_id)
    round_id = session.scalar(select(Prompt.round_id).where(Prompt.id == prompt_id))
    if round_id is None:
        return None
    replaced = None
    if row is None:
        row = EphemeralView(prompt_id=prompt_id, round_id=round_id)
        session.add(row)
    elif views.may_still_show(row, now):
        replaced = row.response_url if row.response_url != response_url else None
    views.show(row, response_url=response_url, now=now)
    session.flush()
    return replaced


def due(session: Session, *, now: datetime, limit: int = 100) -> list[ViewToHide]:
    """Views showing an answer whose time is up (or whose round has closed)."""
    belongs = Round.id == EphemeralView.round_id
    return views.due(session, EphemeralView, parent=Round, belongs=belongs, now=now, limit=limit)


def hidden(session: Session, *, prompt_id: int, closed: bool) -> None:
    """The view no longer shows an answer (`storage.in_channel_views.hidden`)."""
    views.hidden(session, EphemeralView, prompt_id=prompt_id, closed=closed)


def at_close(session: Session, round_ids: Collection[int]) -> None:
    """Closing rounds: views already hidden need nothing more and go; the rest become due
    (`due` finds them by their round's close)."""
    session.execute(
        delete(EphemeralView)
        .where(EphemeralView.round_id.in_(round_ids), EphemeralView.shows_answer.is_(False))
        .execution_options(synchronize_session=False)
    )
