"""The response_urls of in-channel (ephemeral) prompts their members clicked, kept until
the chosen points they show are hidden. They take a session and never commit."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage.models import EphemeralView, Prompt, Round

RESPONSE_URL_LIFETIME = timedelta(minutes=30)
"""Slack honours a response_url for 30 minutes after the click..."""
RESPONSE_URL_USES = 5
"""...and five times."""
SHOWN_FOR = timedelta(minutes=20)
"""How long a member's ephemeral prompt shows what they chose before it is redrawn without
it: well inside the response_url's life, so the hiding never finds it expired."""


@dataclass(frozen=True)
class ViewToHide:
    """An ephemeral prompt showing chosen points, due to be redrawn without them."""

    prompt_id: int
    response_url: str
    usable: bool
    round_closed: bool


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
    elif row.shows_answer and row.expires_at > now and row.uses < RESPONSE_URL_USES:
        replaced = row.response_url if row.response_url != response_url else None
    row.response_url = response_url
    row.expires_at = now + RESPONSE_URL_LIFETIME
    row.hide_at = now + SHOWN_FOR
    row.uses = 1
    row.shows_answer = True
    session.flush()
    return replaced


def due(session: Session, *, now: datetime, limit: int = 100) -> list[ViewToHide]:
    """Views showing an answer whose time is up (or whose round has closed)."""
    rows = session.execute(
        select(EphemeralView, Round.closed_at)
        .join(Round, Round.id == EphemeralView.round_id)
        .where(
            EphemeralView.shows_answer.is_(True),
            (EphemeralView.hide_at <= now) | Round.closed_at.is_not(None),
        )
        .order_by(EphemeralView.hide_at, EphemeralView.prompt_id)
        .limit(limit)
    ).all()
    return [
        ViewToHide(
            prompt_id=view.prompt_id,
            response_url=view.response_url,
            usable=view.expires_at > now and view.uses < RESPONSE_URL_USES,
            round_closed=closed_at is not None,
        )
        for view, closed_at in rows
    ]


def hidden(session: Session, *, prompt_id: int, round_closed: bool) -> None:
    """The view no longer shows an answer: once its round has closed the row goes (nothing
    of the member's response_url is kept); before, it stays for the close's redraw."""
    if round_closed:
        session.execute(delete(EphemeralView).where(EphemeralView.prompt_id == prompt_id))
        return
    session.execute(
        update(EphemeralView)
        .where(EphemeralView.prompt_id == prompt_id)
        .values(shows_answer=False, uses=EphemeralView.uses + 1)
        .execution_options(synchronize_session=False)
    )


def at_close(session: Session, round_ids: Collection[int]) -> None:
    """Closing rounds: views already hidden need nothing more and go; the rest become due
    (`due` finds them by their round's close)."""
    session.execute(
        delete(EphemeralView)
        .where(EphemeralView.round_id.in_(round_ids), EphemeralView.shows_answer.is_(False))
        .execution_options(synchronize_session=False)
    )
