"""The server side of RFC 6455 WebSockets, as little of it as Socket Mode needs.

Slack's Socket Mode is JSON text frames over a WebSocket (docs.slack.dev/apis/events-api/
using-socket-mode). The stand-in serves that socket from its own HTTP server: the opening
handshake is an HTTP/1.1 `GET` with `Upgrade: websocket` (RFC 6455 §4.2), after which both
sides exchange frames (§5.2). Only the standard library is used.

What is here, and why no more:
- the handshake's `Sec-WebSocket-Accept` (§4.2.2: SHA-1 of the key and the protocol GUID);
- reading a frame: FIN, opcode, 7/16/64-bit payload lengths, and the client's mask, which
  every client-to-server frame must carry (§5.1, §5.3); fragmented messages are joined;
- writing a frame: servers never mask (§5.1);
- close (§5.5.1, with a status code from §7.4.1), ping and pong (§5.5.2, §5.5.3: a pong
  echoes the ping's payload, which slack_sdk's client relies on to see the link is alive).
No extensions or subprotocols are negotiated, so RSV bits must be zero (§5.2).
"""

from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass
from io import BufferedIOBase

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 §1.3

CONTINUATION, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
CONTROL_OPCODES = frozenset({CLOSE, PING, PONG})

# Close status codes (RFC 6455 §7.4.1).
NORMAL_CLOSURE = 1000
GOING_AWAY = 1001
PROTOCOL_ERROR = 1002
MESSAGE_TOO_BIG = 1009

MAX_MESSAGE_BYTES = 16 * 1024 * 1024


class ProtocolError(Exception):
    """The peer broke RFC 6455; the connection is failed with close code 1002 (§7.1.7)."""


class ConnectionClosed(Exception):
    """The peer's TCP connection ended (EOF or reset) without a close frame."""


@dataclass(frozen=True)
class Frame:
    """One frame as read off the wire, already unmasked."""

    fin: bool
    opcode: int
    payload: bytes


def accept_key(client_key: str) -> str:
    """The `Sec-WebSocket-Accept` answering a client's `Sec-WebSocket-Key` (§4.2.2 item 5)."""
    digest = hashlib.sha1((client_key.strip() + GUID).encode("ascii")).digest()
    return base64.b64encode(digest).decode("ascii")


def handshake_response(client_key: str) -> bytes:
    """The server's `101 Switching Protocols` answer to an opening handshake (§4.2.2)."""
    lines = [
        "HTTP/1.1 101 Switching Protocols",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Accept: {accept_key(client_key)}",
        "",
        "",
    ]
    return "\r\n".join(lines).encode("ascii")


def _read_exactly(stream: BufferedIOBase, size: int) -> bytes:
    data = b""
    while len(data) < size:
        try:
            chunk = stream.read(size - len(data))
        except OSError as error:  # reset by the peer, or closed under us
            raise ConnectionClosed(str(error)) from error
        if not chunk:
            raise ConnectionClosed("end of stream")
        data += chunk
    return data


def read_frame(stream: BufferedIOBase) -> Frame:
    """Read one client frame (§5.2), checking what a server must check (§5.1, §5.5)."""
    first, second = _read_exactly(stream, 2)
    fin, opcode = bool(first & 0x80), first & 0x0F
    if first & 0x70:
        raise ProtocolError("reserved bits set without a negotiated extension")
    if not second & 0x80:
        raise ProtocolError("client frames must be masked")
    length = second & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", _read_exactly(stream, 2))
    elif length == 127:
        (length,) = struct.unpack("!Q", _read_exactly(stream, 8))
    if opcode in CONTROL_OPCODES and (length > 125 or not fin):
        raise ProtocolError("control frames are unfragmented and at most 125 bytes")
    if length > MAX_MESSAGE_BYTES:
        raise ProtocolError("frame too large")
    mask = _read_exactly(stream, 4)
    masked = _read_exactly(stream, length)
    payload = bytes(byte ^ mask[i % 4] for i, byte in enumerate(masked))
    return Frame(fin=fin, opcode=opcode, payload=payload)


def encode_frame(opcode: int, payload: bytes = b"") -> bytes:
    """A single unmasked, final frame from the server (§5.1: servers never mask)."""
    header = bytes([0x80 | opcode])
    length = len(payload)
    if length <= 125:
        header += bytes([length])
    elif length <= 0xFFFF:
        header += bytes([126]) + struct.pack("!H", length)
    else:
        header += bytes([127]) + struct.pack("!Q", length)
    return header + payload


def close_payload(code: int, reason: str = "") -> bytes:
    """A close frame's body: the status code, then an optional UTF-8 reason (§5.5.1)."""
    return struct.pack("!H", code) + reason.encode("utf-8")[:123]


class MessageReader:
    """Joins fragmented data frames into messages, handing control frames over as they come.

    Control frames may arrive between the fragments of a message (§5.4), so they are
    returned at once rather than buffered.
    """

    def __init__(self, stream: BufferedIOBase) -> None:
        self._stream = stream
        self._opcode: int | None = None
        self._parts: list[bytes] = []

    def next(self) -> tuple[int, bytes]:
        """The next (opcode, payload): a whole text/binary message, or one control frame."""
        while True:
            frame = read_frame(self._stream)
            if frame.opcode in CONTROL_OPCODES:
                return frame.opcode, frame.payload
            if frame.opcode == CONTINUATION:
                if self._opcode is None:
                    raise ProtocolError("continuation frame without a message to continue")
            elif self._opcode is not None:
                raise ProtocolError("a new message began before the last one ended")
            elif frame.opcode not in (TEXT, BINARY):
                raise ProtocolError(f"unknown opcode {frame.opcode:#x}")
            else:
                self._opcode = frame.opcode
            self._parts.append(frame.payload)
            if sum(len(part) for part in self._parts) > MAX_MESSAGE_BYTES:
                raise ProtocolError("message too large")
            if frame.fin:
                opcode, payload = self._opcode, b"".join(self._parts)
                self._opcode, self._parts = None, []
                return opcode, payload
