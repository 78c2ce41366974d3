"""Hiding the chosen points an in-channel (ephemeral) prompt shows its member.

The member sees their choice at once after a click (through that click's response_url).
Twenty minutes later, or when the round closes if sooner, the prompt is redrawn without
it: fresh buttons while the round is open, "closed" after. Slack honours a response_url
for 30 minutes and five uses, so the hiding always comes while it still works.
"""

from __future__ import annotations

from typing import Any

from blocks.prompt import closed_prompt_message, prompt_message
from blocks.text import team_mention
from delivery.context import Outbound
from delivery.in_channel_views import hide_each
from services import answers as answer_service
from services import ephemeral_views as view_service


def hide_due(out: Outbound) -> int:
    """Redraw every due ephemeral prompt without its chosen points; how many were redrawn."""
    return hide_each(
        out,
        view_service.due_views(db=out.db, now=out.clock()),
        redraw=_without_answers,
        hidden=view_service.view_hidden,
        what="prompt",
    )


def _without_answers(out: Outbound, prompt_id: int) -> dict[str, Any] | None:
    state = answer_service.prompt_state(db=out.db, prompt_id=prompt_id)
    if state is None:
        return None
    team = team_mention(state.round.channel_id, state.round.channel_name)
    if state.round.closed or state.round.closes_at <= out.clock():
        return closed_prompt_message(week=state.round.week, team=team)
    return prompt_message(
        prompt_id=prompt_id,
        week=state.round.week,
        behaviour_ids=state.round.behaviour_ids,
        answers={},
        closes_at=state.round.closes_at,
        threshold=state.round.threshold,
        team=team,
    )
