"""The Bolt app: one error handler, and every surface registered."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.oauth.oauth_settings import OAuthSettings

from delivery.client import make_client
from handlers import action_modal, actions, commands, events, install, review, settings
from handlers.context import HandlerContext
from handlers.gate import shape_problem

log = logging.getLogger(__name__)


class _OwnClientChosen(logging.Filter):
    """Drop Bolt's warning that `token` is unused because a `client` was given.

    Bolt reads SLACK_BOT_TOKEN from the environment by itself, so it warns whenever that is
    set and the app is handed a client; but the client the bot hands it is made from that
    very token (see build_outbound), so nothing is unused and the warning only alarms.
    Every other record passes.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


_OWN_CLIENT_CHOSEN = _OwnClientChosen()


def _on_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
    """Log the failure (never the payload: it may hold an answer) and answer politely."""
    log.exception("handler failed on a %s request", body.get("type") or "slash command")
    return BoltResponse(status=500, body="Something went wrong on our side. Please try again.")


def _well_formed(body: dict[str, Any], next: Callable[[], BoltResponse]) -> BoltResponse:
    """Drop a malformed payload before any listener acts on it.

    Over HTTP the gate has refused it already (400); over Socket Mode nothing else would,
    and a click whose `view` is not an object would be recorded and redrawn before anything
    noticed it. It is acknowledged all the same: over Socket Mode an envelope left
    unacknowledged is delivered again.
    """
    problem = shape_problem(body)
    if problem:
        log.info("malformed request dropped: %s", problem)
        return BoltResponse(status=200, body="")
    return next()


def _metered_client(api_url: str) -> Callable[..., Any]:
    """Give listeners a client that counts its calls for /metrics, with the token Bolt
    found for the request's workspace."""

    def middleware(context: BoltContext, next: Callable[[], Any]) -> Any:
        context["client"] = make_client(context.token, api_url=api_url)
        return next()

    return middleware


def register_all(app: Any, ctx: HandlerContext) -> None:
    """Every listener of every surface; the manifest is checked against what this registers."""
    commands.register(app, ctx)
    actions.register(app, ctx)
    settings.register(app, ctx)
    action_modal.register(app, ctx)
    review.register(app, ctx)
    events.register(app, ctx)
    install.register(app, ctx)


def build_app(
    ctx: HandlerContext,
    *,
    signing_secret: str,
    process_before_response: bool = True,
    oauth: OAuthSettings | None = None,
) -> App:
    """A Bolt app whose Web API clients point at SLACK_API_URL.

    With `oauth`, requests are authorised from the installation store (a token per
    workspace) and /slack/install and /slack/oauth_redirect run the install flow;
    without it, the bot's own client and its single token answer everything.
    """
    logging.getLogger(f"slack_bolt.{App.__name__}").addFilter(_OWN_CLIENT_CHOSEN)
    app = App(
        signing_secret=signing_secret,
        client=ctx.outbound.client,
        process_before_response=process_before_response,
        token_verification_enabled=False,
        raise_error_for_unhandled_request=False,
        oauth_settings=oauth,
    )
    app.error(_on_error)
    app.middleware(_well_formed)
    app.middleware(_metered_client(ctx.outbound.client.base_url))
    register_all(app, ctx)
    return app
