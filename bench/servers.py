"""`python -m bench.servers bot|bare --port N`: the answer path's two servers.

Both run on the HTTP server the tests and the single-process bot use,
`runtime.http.HttpServer`, in a process of their own. `bot` is the bot as `build_bot`
assembles it from the environment (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL,
DATABASE_URL), serving `bot.wsgi()`. `bare` is the floor: a Bolt app with the same signing
secret, Bolt settings and Web API client, behind the same WSGI adapter, whose only listener
acks a scale button: no request gate, no database, no redraw.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from blocks.ids import ANSWER_ACTION
from config.settings import load_settings
from delivery.client import make_client
from runtime.assembly import build_bot
from runtime.http import HttpServer


def bare_app(*, signing_secret: str, token: str, api_url: str) -> SlackRequestHandler:
    """The floor's WSGI app: Bolt with one listener that acks."""
    app = App(
        signing_secret=signing_secret,
        client=make_client(token, api_url=api_url),
        process_before_response=True,
        token_verification_enabled=False,
        raise_error_for_unhandled_request=False,
    )

    def acknowledge(ack: Callable[[], None]) -> None:
        ack()

    app.action(ANSWER_ACTION)(acknowledge)
    return SlackRequestHandler(app)


def wsgi_app(kind: str) -> Any:
    """The bot's WSGI app, or the bare one."""
    if kind == "bot":
        return build_bot(load_settings()).wsgi()
    return bare_app(
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        token=os.environ["SLACK_BOT_TOKEN"],
        api_url=os.environ["SLACK_API_URL"],
    )


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGINT or SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m bench.servers")
    parser.add_argument("kind", choices=("bot", "bare"))
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    server = HttpServer(wsgi_app(args.kind), port=args.port)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
