"""Hiding the answers an in-channel (ephemeral) review prompt shows its member.

As for the pulse (`delivery.ephemeral_views`): the member sees their answers at once after
a click, through that click's response_url; twenty minutes later, or when the review
closes if sooner, the prompt is redrawn without them (fresh buttons while open, "closed"
after), while the response_url still works (30 minutes, five uses).
"""

from __future__ import annotations

import logging

from slack_sdk.webhook import WebhookClient

from blocks.review import closed_review_message, review_prompt_message
from blocks.text import team_mention
from delivery.context import Outbound
from services import review_reach as reach_service
from services import reviews as review_service

log = logging.getLogger(__name__)


def hide_due_review_views(out: Outbound) -> int:
    """Redraw every due in-channel review prompt without its answers; how many were."""
    hidden = 0
    for view in reach_service.due_views(db=out.db, now=out.clock()):
        if view.usable and _redraw(out, view.prompt_id, view.response_url):
            hidden += 1
        elif not view.usable:
            log.warning("an in-channel review prompt's response_url expired before hiding")
        reach_service.view_hidden(
            db=out.db, prompt_id=view.prompt_id, review_closed=view.review_closed
        )
    return hidden


def _redraw(out: Outbound, prompt_id: int, response_url: str) -> bool:
    state = review_service.prompt_state(db=out.db, prompt_id=prompt_id)
    if state is None:
        return False
    review = state.review
    team = team_mention(review.channel_id, review.channel_name)
    if review.closed or review.closes_at <= out.clock():
        message = closed_review_message(quarter=review.quarter, team=team)
    else:
        message = review_prompt_message(
            prompt_id=prompt_id,
            quarter=review.quarter,
            answers={},
            closes_at=review.closes_at,
            threshold=review.threshold,
            team=team,
            peer=state.prompt.peer,
        )
    response = WebhookClient(response_url).send(replace_original=True, **message)
    if response.status_code != 200:
        log.warning(
            "an in-channel review prompt was not redrawn: Slack answered %s", response.status_code
        )
        return False
    return True
