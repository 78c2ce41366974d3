"""Hiding the answers an in-channel (ephemeral) prompt shows its member, for the pulse and
the review alike.

The member sees their answers at once after a click, through that click's response_url;
twenty minutes later, or when the round or review closes if sooner, the prompt is redrawn
without them (fresh buttons while open, "closed" after). Slack honours a response_url for
30 minutes and five uses, so the hiding comes while it still works.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_sdk.webhook import WebhookClient

from delivery.context import Outbound
from services.ephemeral_views import ViewToHide

log = logging.getLogger(__name__)

Redraw = Callable[[Outbound, int], dict[str, Any] | None]
"""The message a prompt shows without answers, by prompt id; None when it is gone."""
Hidden = Callable[..., None]


def hide_each(
    out: Outbound, views: Iterable[ViewToHide], *, redraw: Redraw, hidden: Hidden, what: str
) -> int:
    """Redraw each view without its answers and record it hidden; how many were redrawn."""
    count = 0
    for view in views:
        message = redraw(out, view.prompt_id) if view.usable else None
        if message is not None and _send(view.response_url, message, what):
            count += 1
        elif not view.usable:
            log.warning("an in-channel %s's response_url expired before it was hidden", what)
        hidden(db=out.db, prompt_id=view.prompt_id, closed=view.closed)
    return count


def _send(response_url: str, message: dict[str, Any], what: str) -> bool:
    response = WebhookClient(response_url).send(replace_original=True, **message)
    if response.status_code != 200:
        log.warning(
            "an in-channel %s was not redrawn: Slack answered %s", what, response.status_code
        )
        return False
    return True
