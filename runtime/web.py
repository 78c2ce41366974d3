"""The HTTP face of the bot: Bolt on /slack/events, the OAuth install pages, /healthz,
/metrics, and a cap on body size.

Slack's payloads are small; a body over the cap is refused with 413 and never parsed. Up to
a bound it is read and dropped, so that a client still sending sees the 413 rather than a
reset connection; a larger one is not read at all.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.context import BoltContext
from slack_bolt.request.internals import build_context
from sqlalchemy.exc import SQLAlchemyError

from handlers.gate import Refusal, check_request, replay_key
from metrics import HTTP_REQUESTS, REGISTRY, Sample
from services.replays import first_sighting
from services.stats import totals
from storage.database import Database
from storage.errors import StorageError
from storage.models import utc_now

MAX_BODY_BYTES = 256 * 1024
MAX_DRAINED_BYTES = 4 * 1024 * 1024
METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
ROUTES = ("/slack/events", "/healthz", "/metrics")
ADMITTED_BODY = "pulse.admitted_body"  # the WSGI environ key the gate leaves its reading in

StartResponse = Callable[..., Any]


def _plain(start_response: StartResponse, status: str, text: str) -> list[bytes]:
    body = text.encode()
    start_response(
        status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    return [body]


class _Request(BoltRequest):
    """A request built from the body the gate already read, whose copies (handed to lazy
    listeners) keep that body rather than reading the raw one again."""

    @classmethod
    def admitted(cls, raw: str, body: dict[str, Any], *, query: str, headers: Any) -> _Request:
        request = cls(body="", query=query, headers=headers)
        request.raw_body = raw  # Bolt checks the signature over it once more
        request.body = body
        request.context = build_context(BoltContext(), body)
        return request

    def to_copyable(self) -> BoltRequest:
        copy = super().to_copyable()
        copy.body = self.body
        return copy


class _BoltAdapter(SlackRequestHandler):
    """Bolt's WSGI adapter, given the body as the gate read it.

    The gate reads a form body holding a "payload" field as an interaction and any other
    form as a slash command, so a command that mentions the word (in its text, or in a
    channel's or person's name) arrives whole, where Bolt alone would take it for an empty
    interaction. And a payload whose ids are not the shapes Bolt assumes is malformed,
    answered 400 rather than 500. What no listener takes (an event the bot does not handle,
    a modal closed) is acknowledged: Bolt's 404 would have Slack send it again.
    """

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        raw, headers = request.get_body(), request.get_headers()
        body = request.environ.get(ADMITTED_BODY)
        try:
            if body is None:
                bolt_request = _Request(body=raw, query=request.query_string, headers=headers)
            else:
                bolt_request = _Request.admitted(
                    raw, body, query=request.query_string, headers=headers
                )
        except (AttributeError, IndexError, KeyError, TypeError, ValueError):
            return BoltResponse(status=400, body="payload is malformed")
        response = self.app.dispatch(bolt_request)
        if response.status == 404:
            return BoltResponse(status=200, body="")
        return response


class PulseWsgiApp:
    """WSGI app for any WSGI server (gunicorn in production, wsgiref in tests)."""

    def __init__(
        self, app: App, db: Database, *, signing_secret: str, max_body: int = MAX_BODY_BYTES
    ) -> None:
        self._slack = _BoltAdapter(app)
        self._secret = signing_secret
        self._db = db
        self._max_body = max_body
        flow = app.oauth_flow
        self._oauth_paths = (flow.install_path, flow.redirect_uri_path) if flow else ()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        route = path if path in (*ROUTES, *self._oauth_paths) else "other"

        def counted(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            HTTP_REQUESTS.inc(route=route, status=status.split(" ", 1)[0])
            return start_response(status, headers, *args)

        return self._answer(environ, counted)

    def _answer(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == "/metrics":
            return self._metrics(start_response)
        if path in self._oauth_paths and method == "GET":
            return self._slack(environ, start_response)
        if path == "/healthz":
            if self._db.reachable():
                return _plain(start_response, "200 OK", "ok")
            return _plain(start_response, "503 Service Unavailable", "database unreachable")
        if path != "/slack/events":
            return _plain(start_response, "404 Not Found", "not found")
        if method != "POST":
            return _plain(start_response, "405 Method Not Allowed", "POST only")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _plain(start_response, "400 Bad Request", "bad Content-Length")
        if length > self._max_body:
            _drain(environ["wsgi.input"], min(length, MAX_DRAINED_BYTES))
            return _plain(start_response, "413 Payload Too Large", "request body too large")
        body = environ["wsgi.input"].read(length) if length else b""
        headers = _headers(environ)
        verdict = check_request(body, headers, secret=self._secret)
        if isinstance(verdict, Refusal):
            status = "401 Unauthorized" if verdict.status == 401 else "400 Bad Request"
            return _plain(start_response, status, verdict.reason)
        key = replay_key(verdict, headers)
        try:
            repeated = key is not None and not first_sighting(db=self._db, key=key, now=utc_now())
        except (StorageError, SQLAlchemyError):
            return _plain(start_response, "503 Service Unavailable", "database unreachable")
        if repeated:
            # Already acted on: acknowledged, so Slack's own retry of an event stops here.
            return _plain(start_response, "200 OK", "")
        environ["wsgi.input"] = io.BytesIO(body)
        environ[ADMITTED_BODY] = verdict.body
        return self._slack(environ, start_response)

    def _metrics(self, start_response: StartResponse) -> list[bytes]:
        """Prometheus' text format: the database's totals, then the processes' counters."""
        try:
            done = totals(db=self._db)
        except Exception:
            return _plain(start_response, "503 Service Unavailable", "database unreachable")
        body = REGISTRY.render(
            [
                Sample(
                    "pulse_prompts_sent_total",
                    "counter",
                    "Prompts Slack accepted (from the database).",
                    done.prompts_sent,
                ),
                Sample(
                    "pulse_answers_recorded_total",
                    "counter",
                    "Answers held, one per question answered (from the database).",
                    done.answers_recorded,
                ),
                Sample(
                    "pulse_teams_active",
                    "gauge",
                    "Teams the schedule looks after (from the database).",
                    done.active_teams,
                ),
            ]
        ).encode()
        start_response(
            "200 OK", [("Content-Type", METRICS_CONTENT_TYPE), ("Content-Length", str(len(body)))]
        )
        return [body]


def _drain(stream: Any, length: int) -> None:
    """Read and drop a refused body."""
    while length > 0:
        chunk = stream.read(min(length, 64 * 1024))
        if not chunk:
            return
        length -= len(chunk)


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    headers["content-type"] = str(environ.get("CONTENT_TYPE", ""))
    return headers
