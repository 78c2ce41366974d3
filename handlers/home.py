"""App Home: rendered from the member's state and published with views.publish."""

from __future__ import annotations

from slack_sdk import WebClient

from blocks.home import OpenPrompt, home_view
from blocks.text import team_mention
from handlers.context import HandlerContext
from services.home import home_for


def publish_home(
    ctx: HandlerContext,
    client: WebClient,
    *,
    workspace_id: str,
    user_id: str,
    notice: str | None = None,
) -> None:
    """Render and publish one member's App Home (with a notice on top, when given)."""
    state = home_for(db=ctx.outbound.db, workspace_id=workspace_id, user_id=user_id)
    prompts = [
        OpenPrompt(
            prompt_id=p.prompt_id,
            week=p.round.week,
            behaviour_ids=p.round.behaviour_ids,
            answers=p.answers,
            closes_at=p.round.closes_at,
            threshold=p.round.threshold,
            team=team_mention(p.round.channel_id, p.round.channel_name),
        )
        for p in state.open_prompts
    ]
    view = home_view(
        open_prompts=prompts,
        digests=state.digests,
        opted_out=state.opted_out,
        managed_channels=state.managed_channels,
        notice=notice,
        organisations=state.organisations,
        actions=[
            (
                team_mention(item.channel_id, item.channel_name),
                item.action,
                item.channel_id in state.managed_channels,
            )
            for item in state.actions
        ],
    )
    client.views_publish(user_id=user_id, view=view)
