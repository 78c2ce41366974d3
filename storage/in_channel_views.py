"""The rules the pulse's and the review's in-channel (ephemeral) prompts share: the latest
response_url a member's click brought is kept until the answers it shows are hidden.

Slack lets the bot change an ephemeral message only through a click's response_url, for
30 minutes and five uses; the bot hides the answers at ``hide_at`` (before the URL
expires) or when the round or review closes, whichever comes first, and deletes the row
once nothing the member's client shows holds an answer. The two keep their views in two
tables, each keyed by its own prompts. These take a session and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.orm import Session

from storage.models import EphemeralView, InChannelView, Review, ReviewEphemeralView, Round

RESPONSE_URL_LIFETIME = timedelta(minutes=30)
"""Slack honours a response_url for 30 minutes after the click..."""
RESPONSE_URL_USES = 5
"""...and five times."""
SHOWN_FOR = timedelta(minutes=20)
"""How long an in-channel prompt shows what its member chose before it is redrawn without
it: well inside the response_url's life, so the hiding never finds it expired."""

ViewTable = type[EphemeralView] | type[ReviewEphemeralView]


@dataclass(frozen=True, slots=True)
class ViewToHide:
    """An in-channel prompt showing answers, due to be redrawn without them."""

    prompt_id: int
    response_url: str
    usable: bool
    closed: bool
    """Its round (or review) has closed: once hidden, the row and its URL go."""


def show(view: InChannelView, *, response_url: str, now: datetime) -> None:
    """A click's fresh response_url (with fresh uses), about to show the member their
    answers; the newest replaces the older."""
    view.response_url = response_url
    view.expires_at = now + RESPONSE_URL_LIFETIME
    view.hide_at = now + SHOWN_FOR
    view.uses = 1
    view.shows_answer = True


def may_still_show(view: InChannelView, now: datetime) -> bool:
    """Whether the member's client may still show an answer through the view's URL."""
    return view.shows_answer and view.expires_at > now and view.uses < RESPONSE_URL_USES


def due(
    session: Session,
    table: ViewTable,
    *,
    parent: type[Round] | type[Review],
    belongs: ColumnElement[bool],
    now: datetime,
    limit: int = 100,
) -> list[ViewToHide]:
    """Views showing answers whose time is up, or whose round or review (``parent``, joined
    on ``belongs``) has closed."""
    closed_at = parent.closed_at
    rows = session.execute(
        select(table.prompt_id, table.response_url, table.expires_at, table.uses, closed_at)
        .join(parent, belongs)
        .where(table.shows_answer.is_(True), (table.hide_at <= now) | closed_at.is_not(None))
        .order_by(table.hide_at, table.prompt_id)
        .limit(limit)
    ).all()
    return [
        ViewToHide(
            prompt_id=prompt_id,
            response_url=response_url,
            usable=expires_at > now and uses < RESPONSE_URL_USES,
            closed=closed is not None,
        )
        for prompt_id, response_url, expires_at, uses, closed in rows
    ]


def hidden(session: Session, table: ViewTable, *, prompt_id: int, closed: bool) -> None:
    """The view shows no answer now: once its round or review has closed the row (and the
    member's URL) goes; before, it stays so the close can redraw it as closed."""
    if closed:
        session.execute(delete(table).where(table.prompt_id == prompt_id))
        return
    session.execute(
        update(table)
        .where(table.prompt_id == prompt_id)
        .values(shows_answer=False, uses=table.uses + 1)
        .execution_options(synchronize_session=False)
    )
