"""The Bolt app: one error handler, and every surface registered."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse

from handlers import actions, commands, events
from handlers.context import HandlerContext

log = logging.getLogger("handlers")


def _on_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
    """Log the failure (never the payload: it may hold an answer) and answer politely."""
    log.exception("handler failed on a %s request", body.get("type") or "slash command")
    return BoltResponse(status=500, body="Something went wrong on our side. Please try again.")


def build_app(
    ctx: HandlerContext, *, signing_secret: str, process_before_response: bool = True
) -> App:
    """A Bolt app whose Web API client is the bot's own (pointed at SLACK_API_URL)."""
    app = App(
        signing_secret=signing_secret,
        client=ctx.outbound.client,
        process_before_response=process_before_response,
        token_verification_enabled=False,
        raise_error_for_unhandled_request=False,
    )
    app.error(_on_error)
    commands.register(app, ctx)
    actions.register(app, ctx)
    events.register(app, ctx)
    return app
