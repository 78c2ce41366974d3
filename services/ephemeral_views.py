"""Keeping, then hiding, what a member's in-channel (ephemeral) prompt shows of their
answers: Slack lets the bot change an ephemeral message only through a click's
response_url, for 30 minutes and five uses (docs/DELIVERY.md)."""

from __future__ import annotations

from datetime import datetime

from storage import ephemeral_views as view_store
from storage.database import Database
from storage.in_channel_views import ViewToHide

__all__ = ["ViewToHide", "due_views", "remember_view", "view_hidden"]


def remember_view(*, db: Database, prompt_id: int, response_url: str, now: datetime) -> str | None:
    """Keep the click's response_url, before it shows the member their choice, so that the
    choice is hidden again later (at the latest, when the round closes); the URL it
    replaces while that may still show an answer, to hide now (another message of the
    prompt, such as the in-channel reminder)."""
    with db.transaction() as session:
        return view_store.remember(session, prompt_id=prompt_id, response_url=response_url, now=now)


def due_views(*, db: Database, now: datetime) -> list[ViewToHide]:
    """Ephemeral prompts to redraw without the chosen points now."""
    with db.transaction() as session:
        return view_store.due(session, now=now)


def view_hidden(*, db: Database, prompt_id: int, closed: bool) -> None:
    """The prompt no longer shows an answer (or never can again: `closed`)."""
    with db.transaction() as session:
        view_store.hidden(session, prompt_id=prompt_id, closed=closed)
