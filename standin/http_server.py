"""The stand-in's HTTP transport: a threaded server whose handler reads each request and
hands it to the `StandInSlack` it serves (or, for `/link/`, to its Socket Mode hub)."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import urlsplit

from standin.socket_mode import SocketModeHub

JSON = "application/json; charset=utf-8"


class ServedSlack(Protocol):
    """What the transport hands requests to (`standin.webapi.StandInSlack`)."""

    socket_mode: SocketModeHub

    def handle_http(
        self, path: str, query: str, body: bytes, headers: Any
    ) -> tuple[int, bytes, dict[str, str]]: ...


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    standin: ServedSlack


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean; the call log is the record of traffic."""

    def do_GET(self) -> None:
        if urlsplit(self.path).path == "/link/":
            self._upgrade()
            return
        self._dispatch()

    def _upgrade(self) -> None:
        """Hand a Socket Mode WebSocket over to the hub, which runs it in this thread."""
        hub = self.server.standin.socket_mode
        refusal = hub.refuse(self.path, self.headers)
        if refusal is not None:
            status, reason = refusal
            body = json.dumps({"ok": False, "error": reason}).encode()
            self.send_response(status)
            self.send_header("Content-Type", JSON)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.close_connection = True
        hub.serve(self.connection, self.rfile, self.headers["Sec-WebSocket-Key"])

    def do_POST(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        status, payload, headers = self.server.standin.handle_http(
            url.path, url.query, body, self.headers
        )
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
