"""Socket Mode as Slack speaks it, served by the stand-in over its own HTTP port.

Sources: Slack's "Using Socket Mode" (docs.slack.dev/apis/events-api/using-socket-mode),
the apps.connections.open reference (docs.slack.dev/reference/methods/apps.connections.open),
and slack_sdk's own client (slack_sdk/socket_mode/builtin/, slack_sdk/socket_mode/request.py),
which is what the bot connects with.

The protocol, as the stand-in plays it:
- `apps.connections.open`, called with the app-level token (xapp-…) in the Authorization
  header, answers `{"ok": true, "url": "ws://…/link/?ticket=…&app_id=…"}`: a one-time URL.
  (Slack's URL is `wss://`; on loopback there is no TLS, and slack_sdk's built-in client
  speaks plain TCP to any port other than 443.)
- On connecting, the app gets `hello`, with `num_connections`, `debug_info` (whose
  `approximate_connection_time` says how long the connection should last) and
  `connection_info.app_id`.
- Payloads arrive in envelopes: `{"envelope_id", "type", "payload", "accepts_response_payload"}`
  with `type` one of `slash_commands`, `interactive`, `events_api`; Events API envelopes also
  carry `retry_attempt` and `retry_reason` (as slack_sdk's SocketModeRequest reads them).
- The app acknowledges each envelope by sending `{"envelope_id": …}` back, with an optional
  `payload`: for a slash command, the immediate response Slack shows the user.
- Slack closes connections: `disconnect` with `reason` `warning` (about 10 seconds before
  the close), `refresh_requested`, or `link_disabled` (Socket Mode turned off); the app is
  expected to open a new connection. Up to 10 connections may be open at once, and a payload
  may go to any of them.
- Slack's docs: "Your app still needs to acknowledge receiving each event so that Slack knows
  whether to retry." The stand-in therefore sends an envelope again, with `retry_attempt`
  one higher and `retry_reason` "timeout", when it is not acknowledged within `ack_timeout`
  seconds or when the connection it went out on closes first; it gives up after
  `max_retries` retries, as the Events API does after three. It does so for every type of
  envelope, not only events: Slack does not say it retries a slash command or a click, but
  a person whose click failed clicks again, and the bot must take either without losing or
  doubling an answer.

Tests drive it through `StandInSlack.socket_mode` (a `SocketModeHub`): send envelopes (or
use `SocketModeSender`, the Socket Mode twin of `SlackRequestSender`), wait for their
acknowledgements, send `disconnect`, reset connections, and lose a delivery or an ack.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import secrets
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BufferedIOBase
from typing import Any
from urllib.parse import parse_qs, urlsplit

from standin import websocket as ws

ENVELOPE_TYPES = ("slash_commands", "interactive", "events_api")
DISCONNECT_REASONS = ("warning", "refresh_requested", "link_disabled")
# How long Slack keeps a connection open after each kind of `disconnect` (seconds): the docs
# give "about 10 seconds" for a warning; a refresh and a disabled link close at once here.
CLOSE_AFTER = {"warning": 10.0, "refresh_requested": 0.5, "link_disabled": 0.0}
MAX_CONNECTIONS = 10
APPROXIMATE_CONNECTION_TIME = 3600


class NotAcknowledged(TimeoutError):
    """An envelope was not acknowledged in time (after every retry)."""


@dataclass
class Envelope:
    """One payload Slack is delivering, and what became of it."""

    envelope_id: str
    type: str
    payload: dict[str, Any]
    accepts_response_payload: bool
    deliveries: int = 0
    connection_id: int | None = None
    sent_at: float = 0.0
    acknowledged: threading.Event = field(default_factory=threading.Event, repr=False)
    response: dict[str, Any] | None = None
    given_up: bool = False

    def message(self) -> dict[str, Any]:
        """The JSON text frame for the next delivery."""
        body: dict[str, Any] = {
            "envelope_id": self.envelope_id,
            "payload": self.payload,
            "type": self.type,
            "accepts_response_payload": self.accepts_response_payload,
        }
        attempt = self.deliveries  # deliveries made so far: 0 on the first
        if self.type == "events_api" or attempt:
            body["retry_attempt"] = attempt
            body["retry_reason"] = "timeout" if attempt else ""
        return body


@dataclass(frozen=True)
class Ack:
    """An acknowledgement as it arrived: which envelope, with what, on which connection."""

    envelope_id: str
    payload: dict[str, Any] | None
    connection_id: int
    outcome: str  # "accepted", "duplicate", "unknown" or "lost"


class _Connection:
    """One open WebSocket: frames out under a lock, and the ways it can end."""

    def __init__(self, connection_id: int, sock: socket.socket) -> None:
        self.id = connection_id
        self.sock = sock
        self.opened_at = time.monotonic()
        self.alive = True
        self.draining = False  # a `disconnect` was sent: no new envelopes go here
        self.reset_requested = False
        self._send_lock = threading.Lock()

    def send(self, frame: bytes) -> bool:
        """Write a frame; False if the connection has gone."""
        with self._send_lock:
            if not self.alive:
                return False
            try:
                self.sock.sendall(frame)
                return True
            except OSError:
                return False

    def send_json(self, message: dict[str, Any]) -> bool:
        return self.send(ws.encode_frame(ws.TEXT, json.dumps(message).encode("utf-8")))

    def close(self, code: int = ws.GOING_AWAY, reason: str = "") -> None:
        """Start a clean close: a close frame; the client answers and hangs up."""
        self.send(ws.encode_frame(ws.CLOSE, ws.close_payload(code, reason)))

    def reset(self) -> None:
        """End abruptly, as a dropped network does: the reader wakes and sends a TCP RST."""
        self.reset_requested = True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RD)  # wakes the blocked reader; sends nothing


class SocketModeHub:
    """The stand-in's Socket Mode server: connections, envelopes, acks and redelivery."""

    def __init__(
        self,
        *,
        app_id: str,
        url_base: Callable[[], str],
        on_ack: Callable[[Envelope, dict[str, Any] | None], None] | None = None,
        ack_timeout: float = 3.0,
        max_retries: int = 3,
    ) -> None:
        self.app_id = app_id
        self.ack_timeout = ack_timeout
        self.max_retries = max_retries
        self._url_base = url_base
        self._on_ack = on_ack
        self._lock = threading.Condition()
        self._tickets: set[str] = set()
        self._connections: dict[int, _Connection] = {}
        self._connection_ids = itertools.count(1)
        self._envelopes: list[Envelope] = []
        self._by_id: dict[str, Envelope] = {}
        self._acks: list[Ack] = []
        self._disconnects: list[str] = []
        self._hellos = 0
        self._lose_deliveries = 0
        self._lose_acks = 0
        self._stopped = threading.Event()
        self._timer = threading.Thread(target=self._watch, name="standin-socket-mode", daemon=True)
        self._timer.start()

    # ------------------------------------------------------------ connecting

    def issue_url(self) -> str:
        """A fresh one-time WebSocket URL, as apps.connections.open hands out."""
        ticket = secrets.token_urlsafe(16)
        with self._lock:
            self._tickets.add(ticket)
        return f"{self._url_base()}/link/?ticket={ticket}&app_id={self.app_id}"

    def refuse(self, path: str, headers: Any) -> tuple[int, str] | None:
        """Why an upgrade request cannot be served (HTTP status, reason), or None if it can."""
        if (headers.get("Upgrade") or "").lower() != "websocket":
            return 426, "websocket upgrade required"
        if headers.get("Sec-WebSocket-Version") != "13" or not headers.get("Sec-WebSocket-Key"):
            return 400, "bad websocket handshake"
        ticket = (parse_qs(urlsplit(path).query).get("ticket") or [""])[0]
        with self._lock:
            if ticket not in self._tickets:
                return 401, "unknown or used ticket: call apps.connections.open for a new URL"
            if len(self._live()) >= MAX_CONNECTIONS:
                return 429, "too many websockets"
            self._tickets.discard(ticket)
        return None

    def serve(self, sock: socket.socket, reader: BufferedIOBase, client_key: str) -> None:
        """Run one connection in the calling (HTTP handler) thread until it ends."""
        connection = _Connection(next(self._connection_ids), sock)
        if not connection.send(ws.handshake_response(client_key)):
            return
        with self._lock:
            self._connections[connection.id] = connection
            hello = self._hello(connection)
        connection.send_json(hello)
        with self._lock:
            self._hellos += 1
            self._lock.notify_all()
        self._pump()
        try:
            self._read(connection, ws.MessageReader(reader))
        finally:
            self._closed(connection)
            if connection.reset_requested:
                _abort(sock, reader)

    def _hello(self, connection: _Connection) -> dict[str, Any]:
        return {
            "type": "hello",
            "num_connections": len(self._live()),
            "debug_info": {
                "host": f"standin-applink-{connection.id}",
                "build_number": 1,
                "approximate_connection_time": APPROXIMATE_CONNECTION_TIME,
            },
            "connection_info": {"app_id": self.app_id},
        }

    def _read(self, connection: _Connection, reader: ws.MessageReader) -> None:
        while True:
            try:
                opcode, data = reader.next()
            except ws.ConnectionClosed:
                return
            except ws.ProtocolError as error:
                connection.close(ws.PROTOCOL_ERROR, str(error))
                return
            if connection.reset_requested:
                return
            if opcode == ws.PING:
                connection.send(ws.encode_frame(ws.PONG, data))
            elif opcode == ws.CLOSE:
                connection.send(ws.encode_frame(ws.CLOSE, data[:2]))
                return
            elif opcode == ws.TEXT:
                self._received(connection, data)

    def _closed(self, connection: _Connection) -> None:
        """The connection ended: reset it if asked, and send its unacknowledged envelopes on."""
        with self._lock:
            connection.alive = False
            self._connections.pop(connection.id, None)
            self._lock.notify_all()
        self._pump()

    # ------------------------------------------------------------- messages

    def _received(self, connection: _Connection, data: bytes) -> None:
        try:
            message = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return
        if not isinstance(message, dict) or not isinstance(message.get("envelope_id"), str):
            return
        payload = message.get("payload")
        response = payload if isinstance(payload, dict) else None
        with self._lock:
            if self._lose_acks:
                self._lose_acks -= 1
                self._acks.append(Ack(message["envelope_id"], response, connection.id, "lost"))
                connection.reset()
                return
            envelope = self._by_id.get(message["envelope_id"])
            outcome = "unknown" if envelope is None else "accepted"
            if envelope is not None and envelope.acknowledged.is_set():
                outcome = "duplicate"
            self._acks.append(Ack(message["envelope_id"], response, connection.id, outcome))
            if envelope is None or outcome == "duplicate":
                return
            envelope.response = response
            envelope.acknowledged.set()
            self._lock.notify_all()
        if self._on_ack is not None:
            self._on_ack(envelope, response)

    def send(
        self, kind: str, payload: dict[str, Any], *, accepts_response_payload: bool | None = None
    ) -> Envelope:
        """Queue an envelope of a `kind` (its `type`); it goes out now on a live connection,
        or on the next one. Slash commands and interactions accept a response payload by
        default, events do not (as in Slack's examples)."""
        if kind not in ENVELOPE_TYPES:
            raise ValueError(f"envelope type must be one of {ENVELOPE_TYPES}, not {kind!r}")
        accepts = kind != "events_api"
        if accepts_response_payload is not None:
            accepts = accepts_response_payload
        envelope = Envelope(str(uuid.uuid4()), kind, payload, accepts)
        with self._lock:
            self._envelopes.append(envelope)
            self._by_id[envelope.envelope_id] = envelope
        self._pump()
        return envelope

    def wait_for_ack(self, envelope: Envelope, timeout: float = 10.0) -> Envelope:
        """Block until the envelope is acknowledged; NotAcknowledged if it never is."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not envelope.acknowledged.is_set():
                remaining = deadline - time.monotonic()
                if envelope.given_up or remaining <= 0:
                    raise NotAcknowledged(
                        f"{envelope.type} envelope {envelope.envelope_id} not acknowledged "
                        f"after {envelope.deliveries} deliveries"
                    )
                self._lock.wait(min(remaining, 0.1))
        return envelope

    # ------------------------------------------------------------ delivery

    def _live(self) -> list[_Connection]:
        return [c for c in self._connections.values() if c.alive]

    def _target(self) -> _Connection | None:
        """The newest live connection not being refreshed (any live one if all are)."""
        live = self._live()
        fresh = [c for c in live if not c.draining]
        pool = fresh or live
        return max(pool, key=lambda c: c.id) if pool else None

    def _due(self, envelope: Envelope, now: float) -> bool:
        if envelope.acknowledged.is_set() or envelope.given_up:
            return False
        if envelope.deliveries == 0:
            return True
        went_to = self._connections.get(envelope.connection_id or 0)
        gone = went_to is None or not went_to.alive
        return gone or now - envelope.sent_at >= self.ack_timeout

    def _pump(self) -> None:
        """Send every envelope that is due: new ones, and unacknowledged ones to retry."""
        while True:
            with self._lock:
                now = time.monotonic()
                envelope = next((e for e in self._envelopes if self._due(e, now)), None)
                if envelope is None:
                    return
                if envelope.deliveries > self.max_retries:
                    envelope.given_up = True
                    self._lock.notify_all()
                    continue
                target = self._target()
                if target is None:
                    return  # the next connection's hello sends it
                message = envelope.message()
                envelope.deliveries += 1
                envelope.connection_id = target.id
                envelope.sent_at = now
                lose = self._lose_deliveries > 0
                if lose:
                    self._lose_deliveries -= 1
            if lose:
                target.reset()
                time.sleep(0.01)  # let the reader see the reset before the next choice
            elif not target.send_json(message):
                target.reset()

    def _watch(self) -> None:
        """Send again what is overdue for an acknowledgement (and what waited for a connection)."""
        while not self._stopped.wait(0.05):
            self._pump()

    # ------------------------------------------------------ what tests do

    def wait_for_connections(self, count: int = 1, timeout: float = 15.0) -> None:
        """Block until `count` connections have said hello in all (not necessarily open now)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._hellos < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"{self._hellos} of {count} Socket Mode connections made")
                self._lock.wait(min(remaining, 0.1))

    def disconnect(
        self, reason: str = "refresh_requested", *, close_after: float | None = None
    ) -> int:
        """Send `disconnect` on every live connection, then close them after the grace period.

        Returns how many connections were told.
        """
        if reason not in DISCONNECT_REASONS:
            raise ValueError(f"reason must be one of {DISCONNECT_REASONS}, not {reason!r}")
        with self._lock:
            told = [c for c in self._live() if not c.draining]
            for connection in told:
                connection.draining = True
            self._disconnects.append(reason)
        message = {
            "type": "disconnect",
            "reason": reason,
            "debug_info": {"host": "standin-applink"},
        }
        for connection in told:
            connection.send_json(message)
        delay = CLOSE_AFTER[reason] if close_after is None else close_after
        for connection in told:
            timer = threading.Timer(delay, connection.close)
            timer.daemon = True
            timer.start()
        return len(told)

    def reset_connections(self) -> int:
        """Drop every live connection abruptly (TCP reset, no close frame); how many."""
        with self._lock:
            live = self._live()
        for connection in live:
            connection.reset()
        return len(live)

    def lose_next_deliveries(self, count: int = 1) -> None:
        """The next `count` deliveries never arrive: their connection resets instead."""
        with self._lock:
            self._lose_deliveries += count

    def lose_next_acks(self, count: int = 1) -> None:
        """The next `count` acks never arrive: their connection resets as they come in."""
        with self._lock:
            self._lose_acks += count

    @property
    def live_connections(self) -> int:
        with self._lock:
            return len(self._live())

    @property
    def connections_made(self) -> int:
        """Connections that got their hello, since the start."""
        with self._lock:
            return self._hellos

    @property
    def envelopes(self) -> list[Envelope]:
        with self._lock:
            return list(self._envelopes)

    @property
    def acks(self) -> list[Ack]:
        with self._lock:
            return list(self._acks)

    @property
    def disconnects_sent(self) -> list[str]:
        with self._lock:
            return list(self._disconnects)

    def stop(self) -> None:
        """Stop retrying and drop every connection (the stand-in is shutting down)."""
        self._stopped.set()
        self.reset_connections()


def _abort(sock: socket.socket, reader: BufferedIOBase) -> None:
    """Close with SO_LINGER 0, so the peer gets a TCP RST instead of an orderly FIN."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        reader.close()
    with contextlib.suppress(OSError):
        sock.close()
