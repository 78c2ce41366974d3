"""Events: membership changes, channel renames and App Home opening."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.context import HandlerContext
from handlers.home import publish_home
from services import teams as team_service
from services.slack_ids import is_slack_id

log = logging.getLogger(__name__)


def _membership(ctx: HandlerContext, *, joined: bool) -> Callable[..., None]:
    """A join or leave, in the workspace the event names: a channel id alone could be a team
    in another workspace (a shared channel is a team in each), so without one it is ignored."""

    def listener(event: dict[str, Any], body: dict[str, Any]) -> None:
        channel, user = event.get("channel"), event.get("user")
        workspace = body.get("team_id")
        if is_slack_id(channel) and is_slack_id(user) and is_slack_id(workspace):
            team_service.record_membership(
                db=ctx.outbound.db,
                channel_id=channel,
                user_id=user,
                joined=joined,
                workspace_id=workspace,
            )

    return listener


def _renamed(ctx: HandlerContext) -> Callable[..., None]:
    """channel_rename / group_rename: digests and prompts follow the channel's new name."""

    def listener(event: dict[str, Any], body: dict[str, Any]) -> None:
        channel = event.get("channel")
        if not isinstance(channel, dict):
            return
        channel_id, name = channel.get("id"), channel.get("name")
        workspace = body.get("team_id")
        if is_slack_id(channel_id) and isinstance(name, str):
            team_service.record_channel_name(
                db=ctx.outbound.db,
                channel_id=channel_id,
                name=name,
                workspace_id=workspace if is_slack_id(workspace) else None,
            )

    return listener


def _home_opened(ctx: HandlerContext) -> Callable[..., None]:
    def listener(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") != "home" or not is_slack_id(event.get("user")):
            return
        workspace = body.get("team_id")
        try:
            publish_home(
                ctx,
                client,
                workspace_id=workspace if is_slack_id(workspace) else "",
                user_id=event["user"],
            )
        except SlackApiError as error:
            log.warning("App Home not published: Slack said %s", error.response.get("error"))

    return listener


def register(app: App, ctx: HandlerContext) -> None:
    """Wire the events the bot subscribes to."""
    app.event("member_joined_channel")(_membership(ctx, joined=True))
    app.event("member_left_channel")(_membership(ctx, joined=False))
    app.event("app_home_opened")(_home_opened(ctx))
    app.event("channel_rename")(_renamed(ctx))
    app.event("group_rename")(_renamed(ctx))
