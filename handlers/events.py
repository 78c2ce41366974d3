"""Events: membership changes and App Home opening."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from handlers.context import HandlerContext
from handlers.home import publish_home
from services import teams as team_service


def _membership(ctx: HandlerContext, *, joined: bool) -> Callable[..., None]:
    def listener(event: dict[str, Any]) -> None:
        channel, user = event.get("channel"), event.get("user")
        if isinstance(channel, str) and isinstance(user, str):
            team_service.record_membership(
                db=ctx.outbound.db, channel_id=channel, user_id=user, joined=joined
            )

    return listener


def _home_opened(ctx: HandlerContext) -> Callable[..., None]:
    def listener(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") != "home" or not isinstance(event.get("user"), str):
            return
        publish_home(ctx, client, workspace_id=str(body.get("team_id", "")), user_id=event["user"])

    return listener


def register(app: App, ctx: HandlerContext) -> None:
    """Wire the events the bot subscribes to."""
    app.event("member_joined_channel")(_membership(ctx, joined=True))
    app.event("member_left_channel")(_membership(ctx, joined=False))
    app.event("app_home_opened")(_home_opened(ctx))
