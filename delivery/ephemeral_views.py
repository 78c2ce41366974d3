"""Hiding the chosen points an in-channel (ephemeral) prompt shows its member.

The member sees their choice at once after a click (through that click's response_url).
Twenty minutes later, or when the round closes if sooner, the prompt is redrawn without
it: fresh buttons while the round is open, "closed" after. Slack honours a response_url
for 30 minutes and five uses, so the hiding always comes while it still works.
"""

from __future__ import annotations

import logging

from slack_sdk.webhook import WebhookClient

from blocks.prompt import closed_prompt_message, prompt_message
from blocks.text import team_mention
from delivery.context import Outbound
from services import answers as answer_service
from services import ephemeral_views as view_service

log = logging.getLogger(__name__)


def hide_due(out: Outbound) -> int:
    """Redraw every due ephemeral prompt without its chosen points; how many were redrawn."""
    hidden = 0
    for view in view_service.due_views(db=out.db, now=out.clock()):
        if view.usable and _redraw(out, view.prompt_id, view.response_url):
            hidden += 1
        elif not view.usable:
            log.warning("an ephemeral prompt's response_url expired before it was hidden")
        view_service.view_hidden(
            db=out.db, prompt_id=view.prompt_id, round_closed=view.round_closed
        )
    return hidden


def _redraw(out: Outbound, prompt_id: int, response_url: str) -> bool:
    state = answer_service.prompt_state(db=out.db, prompt_id=prompt_id)
    if state is None:
        return False
    team = team_mention(state.round.channel_id, state.round.channel_name)
    if state.round.closed or state.round.closes_at <= out.clock():
        message = closed_prompt_message(week=state.round.week, team=team)
    else:
        message = prompt_message(
            prompt_id=prompt_id,
            week=state.round.week,
            behaviour_ids=state.round.behaviour_ids,
            answers={},
            closes_at=state.round.closes_at,
            threshold=state.round.threshold,
            team=team,
        )
    response = WebhookClient(response_url).send(replace_original=True, **message)
    if response.status_code != 200:
        log.warning("an ephemeral prompt was not redrawn: Slack answered %s", response.status_code)
        return False
    return True
