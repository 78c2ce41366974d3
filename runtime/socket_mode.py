"""`python bot.py socket`: Slack's requests over the app's own WebSocket, no public URL.

Bolt's SocketModeHandler (slack_sdk's built-in client) does the protocol: it calls
apps.connections.open with the app-level token, connects to the URL it gets back,
acknowledges each envelope once the listener has called ack(), and opens a new connection
when Slack sends `disconnect` or the connection drops. apps.connections.open goes through
the app's own Web API client (SocketModeHandler passes `app.client` as the client's
`web_client`, and slack_sdk's BaseSocketModeClient.issue_new_wss_url calls
`web_client.apps_connections_open`), so it follows SLACK_API_URL like every other call.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.errors import SlackApiError

from config.settings import BadSetting, Settings
from jobs.scheduler import build_scheduler
from runtime.assembly import Bot, build_bot

log = logging.getLogger(__name__)

# Seconds between the client's pings, and so how soon a dead connection is replaced: Bolt's
# own default.
PING_INTERVAL = 10.0


def socket_handler(
    bot: Bot, app_token: str, *, ping_interval: float = PING_INTERVAL
) -> SocketModeHandler:
    """The handler that serves the bot's Bolt app over Socket Mode (not yet connected)."""
    if bot.app is None:
        raise ValueError("Socket Mode needs the Bolt app: build the bot with with_app=True")
    return SocketModeHandler(bot.app, app_token, ping_interval=ping_interval)


def _stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM and Ctrl-C end the wait, so the schedule can finish its tick and stop."""

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


def _connect(handler: SocketModeHandler) -> None:
    """Open the first connection; a refused app-level token is a setting to fix, said so."""
    try:
        handler.connect()
    except SlackApiError as error:
        code = error.response.get("error") if error.response is not None else None
        raise BadSetting(
            f"Slack refused to open a Socket Mode connection ({code}): check SLACK_APP_TOKEN "
            "(an app-level token, xapp-…, with connections:write) and that Socket Mode is on "
            "in the app's settings. `python bot.py check` says what else is wrong."
        ) from error


def run(settings: Settings) -> int:
    """Connect, run the schedule beside it (PULSE_SCHEDULER), and serve until stopped."""
    app_token = settings.require_app_token()
    bot = build_bot(settings, socket_mode=True)
    scheduler = None
    if settings.run_scheduler:
        scheduler = build_scheduler(
            bot.outbound, tick_seconds=settings.tick_seconds, retention_days=settings.retention_days
        )
    stop = threading.Event()
    _stop_on_signals(stop)
    handler = socket_handler(bot, app_token)
    if scheduler:
        scheduler.start()
    try:
        _connect(handler)
        print("Connected to Slack over Socket Mode. Ctrl-C stops the bot.", flush=True)
        stop.wait()
        log.info("stopping: closing the Socket Mode connection")
    finally:
        handler.close()
        if scheduler:
            scheduler.shutdown(wait=True)
        bot.db.dispose()
    return 0
