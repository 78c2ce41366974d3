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

from delivery.scopes import bot_scopes
from handlers.context import HandlerContext
from services import workspaces as workspace_service
from storage.installations import STATE_EXPIRATION_SECONDS, oauth_state_store

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


def oauth_settings(ctx: HandlerContext, *, client_id: str, client_secret: str) -> OAuthSettings:
    """Bolt's OAuth settings: the scopes the code needs, the stores on our database."""
    installations = ctx.outbound.installations
    assert installations is not None, "OAuth needs the installation store"
    return OAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=bot_scopes(),
        user_scopes=[],
        installation_store=installations.store,
        state_store=oauth_state_store(ctx.outbound.db),
        state_expiration_seconds=STATE_EXPIRATION_SECONDS,
        callback_options=CallbackOptions(success=_installed(ctx), failure=_failed),
    )
