"""Installing into many workspaces: Bolt's OAuth flow on the bot's own database.

`GET /slack/install` hands the installer a one-time state and Slack's approval link;
`GET /slack/oauth_redirect` exchanges Slack's code for the workspace's bot token
(oauth.v2.access) and keeps it in the installation store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import BoltResponse
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.state_store import OAuthStateStore

from delivery.scopes import bot_scopes
from handlers.context import HandlerContext
from services import workspaces as workspace_service

log = logging.getLogger(__name__)


def _installed(ctx: HandlerContext) -> Callable[[SuccessArgs], BoltResponse]:
    def success(args: SuccessArgs) -> BoltResponse:
        workspace = args.installation.team_id
        if workspace:
            db = ctx.outbound.db
            teams = workspace_service.workspace_installed(db=db, workspace_id=workspace)
            log.info("installed in workspace %s (%d team(s) resumed)", workspace, teams)
        return args.default.success(args)

    return success


def _failed(args: FailureArgs) -> BoltResponse:
    log.warning("an install did not complete: %s", args.reason)
    return args.default.failure(args)


def oauth_settings(
    ctx: HandlerContext,
    *,
    client_id: str,
    client_secret: str,
    state_store: OAuthStateStore,
    state_expiration_seconds: int,
) -> OAuthSettings:
    """Bolt's OAuth settings: the scopes the code needs, the stores on our database (the
    state store is built where the storage is wired, and handed in)."""
    installations = ctx.outbound.installations
    assert installations is not None, "OAuth needs the installation store"
    return OAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=bot_scopes(),
        user_scopes=[],
        installation_store=installations.store,
        state_store=state_store,
        state_expiration_seconds=state_expiration_seconds,
        callback_options=CallbackOptions(success=_installed(ctx), failure=_failed),
    )
