"""The app removed from a workspace, or its bot token revoked: forget the token, and stop
surveying the workspace's teams."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext

from handlers.context import HandlerContext
from services import workspaces as workspace_service
from services.slack_ids import is_slack_id

log = logging.getLogger(__name__)


def _forget(ctx: HandlerContext, context: BoltContext, workspace: str) -> None:
    installations = ctx.outbound.installations
    if installations is not None:
        installations.store.delete_all(enterprise_id=context.enterprise_id, team_id=workspace)
    teams = workspace_service.workspace_uninstalled(
        db=ctx.outbound.db, workspace_id=workspace, now=ctx.outbound.clock()
    )
    log.info("workspace %s removed the app; %d team(s) paused", workspace, teams)


def uninstalled(ctx: HandlerContext) -> Callable[..., None]:
    """app_uninstalled."""

    def listener(body: dict[str, Any], context: BoltContext) -> None:
        workspace = body.get("team_id")
        if is_slack_id(workspace):
            _forget(ctx, context, workspace)

    return listener


def tokens_revoked(ctx: HandlerContext) -> Callable[..., None]:
    """tokens_revoked: only the bot token matters; the app keeps no user tokens."""

    def listener(event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
        workspace = body.get("team_id")
        tokens = event.get("tokens")
        bots = tokens.get("bot") if isinstance(tokens, dict) else None
        if is_slack_id(workspace) and bots:
            _forget(ctx, context, workspace)

    return listener


def register(app: App, ctx: HandlerContext) -> None:
    """Wire the events that end an installation."""
    app.event("app_uninstalled")(uninstalled(ctx))
    app.event("tokens_revoked")(tokens_revoked(ctx))
