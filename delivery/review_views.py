"""Hiding the answers an in-channel (ephemeral) review prompt shows its member.

As for the pulse (`delivery.ephemeral_views`): the member sees their answers at once after
a click, through that click's response_url; twenty minutes later, or when the review
closes if sooner, the prompt is redrawn without them (fresh buttons while open, "closed"
after), while the response_url still works (30 minutes, five uses).
"""

from __future__ import annotations

from typing import Any

from blocks.review import closed_review_message, review_prompt_message
from blocks.text import team_mention
from delivery.context import Outbound
from delivery.in_channel_views import hide_each
from services import review_reach as reach_service
from services import reviews as review_service


def hide_due_review_views(out: Outbound) -> int:
    """Redraw every due in-channel review prompt without its answers; how many were."""
    return hide_each(
        out,
        reach_service.due_views(db=out.db, now=out.clock()),
        redraw=_without_answers,
        hidden=reach_service.view_hidden,
        what="review prompt",
    )


def _without_answers(out: Outbound, prompt_id: int) -> dict[str, Any] | None:
    state = review_service.prompt_state(db=out.db, prompt_id=prompt_id)
    if state is None:
        return None
    review = state.review
    team = team_mention(review.channel_id, review.channel_name)
    if review.closed or review.closes_at <= out.clock():
        return closed_review_message(quarter=review.quarter, team=team)
    return review_prompt_message(
        prompt_id=prompt_id,
        quarter=review.quarter,
        answers={},
        closes_at=review.closes_at,
        threshold=review.threshold,
        team=team,
        peer=state.prompt.peer,
    )
