"""The stand-in speaks Socket Mode as Slack documents it: apps.connections.open with an
app-level token, `hello`, envelopes acknowledged by `envelope_id`, retries of what is not
acknowledged, `disconnect`; and the Web API reports granted scopes and revoked tokens."""

from __future__ import annotations

import base64
import gc
import io
import json
import os
import socket
import struct
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from standin import NotAcknowledged, StandInSlack, Workspace
from standin.websocket import MessageReader, accept_key

# slack_sdk's Socket Mode client leaves unclosed the socket of a handshake that fails (its
# `Connection.connect` never closes it), and `_close` resets connections while the client may
# be reconnecting. `_close` collects that socket, so its warning is raised in this module alone.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <socket.socket:pytest.PytestUnraisableExceptionWarning"
)


@pytest.fixture
def slack() -> Iterator[StandInSlack]:
    workspace = Workspace()
    workspace.add_user("U1", "ada")
    workspace.add_channel("C1", "partnership", ["U1", workspace.bot_user_id])
    workspace.add_channel("C2", "elsewhere", ["U1"])
    with StandInSlack(workspace, ack_timeout=0.3) as server:
        yield server


_THREADS_BEFORE: dict[int, set[threading.Thread]] = {}


def _client(slack: StandInSlack, seen: list[dict[str, Any]]) -> SocketModeClient:
    """slack_sdk's own client, noting every message it receives."""
    before = set(threading.enumerate())
    client = SocketModeClient(
        app_token=slack.app_token, web_client=WebClient(base_url=slack.api_url), ping_interval=1
    )
    client.message_listeners.append(lambda _client, message, _raw: seen.append(message))
    _THREADS_BEFORE[id(client)] = before
    return client


def _close(slack: StandInSlack, client: SocketModeClient) -> None:
    """Close the client at once: reset its connection so its reader need not time out.

    `close` does not wait for a reconnection already under way, which may finish after it:
    wait for the client's own threads, then close what they opened.
    """
    client.auto_reconnect_enabled = False
    slack.socket_mode.reset_connections()
    client.close()
    for thread in set(threading.enumerate()) - _THREADS_BEFORE.pop(id(client)):
        thread.join(timeout=10)
    client.close()
    gc.collect()


def _upgrade(url: str) -> tuple[socket.socket, str]:
    """Open a WebSocket by hand; the socket and the server's status line."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname or "", parts.port or 80), timeout=5)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.hostname}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    sock.sendall(request.encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    status_line, *headers = head.decode().split("\r\n")
    if " 101 " in status_line:
        fields = dict(h.lower().split(": ", 1) for h in headers if ": " in h)
        assert fields["sec-websocket-accept"] == accept_key(key).lower()
    return sock, status_line


def _send(sock: socket.socket, opcode: int, payload: bytes, *, masked: bool = True) -> None:
    mask = os.urandom(4) if masked else b""
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload)) if masked else payload
    sock.sendall(bytes([0x80 | opcode, (0x80 if masked else 0) | len(payload)]) + mask + body)


def _receive(sock: socket.socket) -> tuple[int, bytes]:
    first, second = sock.recv(1)[0], sock.recv(1)[0]
    assert second & 0x80 == 0, "servers never mask"
    length = second & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", sock.recv(2))
    payload = b""
    while len(payload) < length:
        payload += sock.recv(length - len(payload))
    return first & 0x0F, payload


def _open_url(slack: StandInSlack) -> str:
    client = WebClient(base_url=slack.api_url)
    return str(client.apps_connections_open(app_token=slack.app_token)["url"])


def test_connections_open_gives_a_one_time_websocket_url_for_the_app_token(
    slack: StandInSlack,
) -> None:
    url = _open_url(slack)
    assert url.startswith(f"ws://127.0.0.1:{slack.port}/link/?ticket=")
    assert url.endswith(f"&app_id={slack.workspace.app_id}")
    first, status = _upgrade(url)
    assert " 101 " in status
    second, status = _upgrade(url)
    assert " 401 " in status
    first.close()
    second.close()


@pytest.mark.parametrize(
    ("token", "error"),
    [("xoxb-standin-token", "not_allowed_token_type"), ("xapp-unknown", "invalid_auth")],
)
def test_connections_open_refuses_other_tokens(slack: StandInSlack, token: str, error: str) -> None:
    with pytest.raises(SlackApiError) as refused:
        WebClient(base_url=slack.api_url).apps_connections_open(app_token=token)
    assert refused.value.response["error"] == error


def test_connections_open_takes_the_token_only_in_the_authorization_header(
    slack: StandInSlack,
) -> None:
    with pytest.raises(SlackApiError) as refused:
        WebClient(base_url=slack.api_url).api_call(
            "apps.connections.open", data={"token": slack.app_token}
        )
    assert refused.value.response["error"] == "missing_args"


def test_an_app_token_cannot_call_bot_methods(slack: StandInSlack) -> None:
    with pytest.raises(SlackApiError) as refused:
        WebClient(token=slack.app_token, base_url=slack.api_url).auth_test()
    assert refused.value.response["error"] == "not_allowed_token_type"


def test_hello_names_the_app_and_the_connections_open(slack: StandInSlack) -> None:
    sock, _ = _upgrade(_open_url(slack))
    opcode, data = _receive(sock)
    hello = json.loads(data)
    assert opcode == 0x1
    assert hello["type"] == "hello" and hello["num_connections"] == 1
    assert hello["connection_info"] == {"app_id": slack.workspace.app_id}
    assert hello["debug_info"]["approximate_connection_time"] > 0
    sock.close()


def test_a_ping_gets_a_pong_with_its_payload_and_a_close_is_answered(
    slack: StandInSlack,
) -> None:
    sock, _ = _upgrade(_open_url(slack))
    _receive(sock)  # hello
    _send(sock, 0x9, b"session:123.4")
    assert _receive(sock) == (0xA, b"session:123.4")
    _send(sock, 0x8, struct.pack("!H", 1000))
    assert _receive(sock) == (0x8, struct.pack("!H", 1000))
    sock.close()


def test_an_unmasked_client_frame_fails_the_connection(slack: StandInSlack) -> None:
    sock, _ = _upgrade(_open_url(slack))
    _receive(sock)  # hello
    _send(sock, 0x1, b"{}", masked=False)
    opcode, data = _receive(sock)
    assert opcode == 0x8 and struct.unpack("!H", data[:2])[0] == 1002
    sock.close()


def test_an_envelope_is_acknowledged_by_its_id_with_a_response_payload(
    slack: StandInSlack,
) -> None:
    seen: list[dict[str, Any]] = []
    client = _client(slack, seen)

    def acknowledge(client: Any, request: SocketModeRequest) -> None:
        response = SocketModeResponse(request.envelope_id, {"text": "hello there"})
        client.send_socket_mode_response(response)

    client.socket_mode_request_listeners.append(acknowledge)
    client.connect()
    slack.socket_mode.wait_for_connections(1)
    envelope = slack.socket_mode.send(
        "slash_commands",
        {"command": "/pulse", "text": "help", "user_id": "U1", "channel_id": "C1"},
    )
    slack.socket_mode.wait_for_ack(envelope, timeout=5)
    _close(slack, client)
    assert envelope.response == {"text": "hello there"}
    assert envelope.deliveries == 1
    sent = next(m for m in seen if m.get("envelope_id") == envelope.envelope_id)
    assert sent["type"] == "slash_commands" and sent["accepts_response_payload"] is True
    assert "retry_attempt" not in sent
    (reply,) = slack.ephemerals_to("U1")
    assert reply.text == "hello there" and reply.channel == "C1"


def test_what_is_not_acknowledged_is_sent_again_then_given_up(slack: StandInSlack) -> None:
    seen: list[dict[str, Any]] = []
    client = _client(slack, seen)
    client.connect()
    slack.socket_mode.wait_for_connections(1)
    envelope = slack.socket_mode.send("events_api", {"event": {"type": "app_home_opened"}})
    with pytest.raises(NotAcknowledged):
        slack.socket_mode.wait_for_ack(envelope, timeout=10)
    _close(slack, client)
    deliveries = [m for m in seen if m.get("envelope_id") == envelope.envelope_id]
    assert [(m["retry_attempt"], m["retry_reason"]) for m in deliveries] == [
        (0, ""),
        (1, "timeout"),
        (2, "timeout"),
        (3, "timeout"),
    ]
    assert all(m["accepts_response_payload"] is False for m in deliveries)


def test_an_envelope_sent_while_no_one_is_connected_waits_for_the_next_connection(
    slack: StandInSlack,
) -> None:
    envelope = slack.socket_mode.send("interactive", {"type": "block_actions"})
    time.sleep(0.5)
    assert envelope.deliveries == 0
    seen: list[dict[str, Any]] = []
    client = _client(slack, seen)
    client.socket_mode_request_listeners.append(
        lambda c, r: c.send_socket_mode_response(SocketModeResponse(r.envelope_id))
    )
    client.connect()
    slack.socket_mode.wait_for_ack(envelope, timeout=5)
    _close(slack, client)
    assert envelope.deliveries == 1 and envelope.response is None


def test_a_disconnect_message_sends_the_client_to_a_new_connection(slack: StandInSlack) -> None:
    seen: list[dict[str, Any]] = []
    client = _client(slack, seen)
    client.connect()
    slack.socket_mode.wait_for_connections(1)
    assert slack.socket_mode.disconnect("refresh_requested") == 1
    slack.socket_mode.wait_for_connections(2, timeout=10)
    _close(slack, client)
    assert len(slack.calls_to("apps.connections.open")) == 2
    assert slack.socket_mode.disconnects_sent == ["refresh_requested"]
    with pytest.raises(ValueError):
        slack.socket_mode.disconnect("because")


def test_responses_name_the_granted_scopes(slack: StandInSlack) -> None:
    client = WebClient(token=slack.bot_token, base_url=slack.api_url)
    granted = client.auth_test().headers["X-OAuth-Scopes"].split(",")
    assert "chat:write" in granted and "users:read" in granted
    slack.grant_scopes(("chat:write",))
    assert client.auth_test().headers["X-OAuth-Scopes"] == "chat:write"


def test_a_revoked_token_is_refused_as_revoked(slack: StandInSlack) -> None:
    slack.revoke_token(slack.bot_token)
    with pytest.raises(SlackApiError) as refused:
        WebClient(token=slack.bot_token, base_url=slack.api_url).auth_test()
    assert refused.value.response["error"] == "token_revoked"


def test_conversations_info_says_whether_the_bot_is_a_member(slack: StandInSlack) -> None:
    client = WebClient(token=slack.bot_token, base_url=slack.api_url)
    assert client.conversations_info(channel="C1")["channel"]["is_member"] is True
    assert client.conversations_info(channel="C2")["channel"]["is_member"] is False


def test_the_handshake_key_is_answered_as_rfc_6455_shows() -> None:
    assert accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def test_a_fragmented_message_is_joined_around_a_ping() -> None:
    def frame(opcode: int, payload: bytes, *, fin: bool) -> bytes:
        mask = b"\x01\x02\x03\x04"
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        return bytes([(0x80 if fin else 0) | opcode, 0x80 | len(payload)]) + mask + body

    wire = frame(0x1, b'{"envelope', fin=False) + frame(0x9, b"p", fin=True)
    wire += frame(0x0, b'_id": "x"}', fin=True)
    reader = MessageReader(io.BytesIO(wire))
    assert reader.next() == (0x9, b"p")
    assert reader.next() == (0x1, b'{"envelope_id": "x"}')
