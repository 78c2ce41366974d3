"""`python -m bench.servers bot|bare|redrawing --port N`: the answer path's servers.

All run on the HTTP server the tests and the single-process bot use,
`runtime.http.HttpServer`, in a process of their own. `bot` is the bot as `build_bot`
assembles it from the environment (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL,
DATABASE_URL), serving `bot.wsgi()`. `bare` is the floor: a Bolt app with the same signing
secret, Bolt settings and Web API client, behind the same WSGI adapter, whose only listener
acks a scale button: no request gate, no database, no redraw. `redrawing` is `bare` plus
the one Web API call every click must make: after the ack it sends the clicked message back
unchanged with chat.update from a pool of background threads, as the bot's redraws go; it
still has no database and builds no blocks.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import FrameType
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from blocks.ids import ANSWER_ACTION
from config.settings import load_settings
from delivery.client import make_client
from runtime.assembly import build_bot
from runtime.http import HttpServer


def _bolt(signing_secret: str, client: WebClient) -> App:
    """Bolt as the bot sets it up, with no listener yet."""
    return App(
        signing_secret=signing_secret,
        client=client,
        process_before_response=True,
        token_verification_enabled=False,
        raise_error_for_unhandled_request=False,
    )


def bare_app(*, signing_secret: str, token: str, api_url: str) -> SlackRequestHandler:
    """The floor's WSGI app: Bolt with one listener that acks."""
    app = _bolt(signing_secret, make_client(token, api_url=api_url))

    def acknowledge(ack: Callable[[], None]) -> None:
        ack()

    app.action(ANSWER_ACTION)(acknowledge)
    return SlackRequestHandler(app)


REDRAW_THREADS = 8  # as many as the bot's redraw pool (`delivery.redraws.Redraws`)


def redrawing_app(*, signing_secret: str, token: str, api_url: str) -> SlackRequestHandler:
    """The bare app plus a chat.update per click, after the ack, in the background."""
    client = make_client(token, api_url=api_url)
    app = _bolt(signing_secret, client)
    pool = ThreadPoolExecutor(max_workers=REDRAW_THREADS, thread_name_prefix="redraw")

    def acknowledge_then_redraw(ack: Callable[[], None], body: dict[str, Any]) -> None:
        ack()
        message = body["message"]
        pool.submit(
            client.chat_update,
            channel=body["channel"]["id"],
            ts=message["ts"],
            text=message.get("text", ""),
            blocks=message["blocks"],
        )

    app.action(ANSWER_ACTION)(acknowledge_then_redraw)
    return SlackRequestHandler(app)


def wsgi_app(kind: str) -> Any:
    """The bot's WSGI app, or one of the floors."""
    if kind == "bot":
        return build_bot(load_settings()).wsgi()
    floor = redrawing_app if kind == "redrawing" else bare_app
    return floor(
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        token=os.environ["SLACK_BOT_TOKEN"],
        api_url=os.environ["SLACK_API_URL"],
    )


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGINT or SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m bench.servers")
    parser.add_argument("kind", choices=("bot", "bare", "redrawing"))
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
