"""Decoding Web API requests the way Slack's servers accept them.

slack_sdk sends some methods as JSON bodies (chat.postMessage, views.*),
others form-encoded (where `blocks`/`view`/`files` are JSON *strings*), some
as multipart, and the token either as `Authorization: Bearer` or a `token`
field. OAuth exchanges carry the client credentials as HTTP Basic auth.
This module turns all of that into one flat `args` dict plus the token, so
method handlers never care how a request was encoded.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
from dataclasses import dataclass
from email.message import Message as MimeMessage
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

# Arguments that carry JSON documents; when form-encoded they arrive as strings.
JSON_ARGS = ("blocks", "attachments", "view", "files", "metadata")


class BadRequest(Exception):
    """The body could not be decoded; `error` is the Slack error code to answer with."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass(frozen=True)
class DecodedRequest:
    args: dict[str, Any]
    token: str | None
    token_in_header: bool = False  # apps.connections.open accepts its token only there


def content_type_of(headers: Any) -> str:
    raw = headers.get("Content-Type") or ""
    return raw.split(";", 1)[0].strip().lower()


def parse_multipart(body: bytes, content_type_header: str) -> list[MimeMessage]:
    """Split a multipart/form-data body into its parts (stdlib only)."""
    envelope = f"Content-Type: {content_type_header}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(envelope + body)
    if not message.is_multipart():
        raise BadRequest("invalid_form_data")
    return [part for part in message.iter_parts() if isinstance(part, MimeMessage)]


def _part_bytes(part: MimeMessage) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _multipart_args(body: bytes, content_type_header: str) -> dict[str, Any]:
    args: dict[str, Any] = {}
    for part in parse_multipart(body, content_type_header):
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = _part_bytes(part)
        if part.get_filename() is not None:
            args[name] = payload
        else:
            args[name] = payload.decode("utf-8", errors="replace")
    return args


def _body_args(body: bytes, headers: Any) -> dict[str, Any]:
    if not body:
        return {}
    kind = content_type_of(headers)
    if kind == "application/json":
        try:
            parsed = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BadRequest("invalid_json") from exc
        if not isinstance(parsed, dict):
            raise BadRequest("invalid_json")
        return parsed
    if kind == "multipart/form-data":
        return _multipart_args(body, headers.get("Content-Type") or "")
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError as exc:
        raise BadRequest("invalid_charset") from exc


def _decode_json_args(args: dict[str, Any]) -> None:
    # Leave undecodable strings alone: the handler reports them with the
    # method's own error code (e.g. invalid_blocks_format).
    for key in JSON_ARGS:
        value = args.get(key)
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            with contextlib.suppress(json.JSONDecodeError):
                args[key] = json.loads(value)


def _apply_authorization(header: str, args: dict[str, Any]) -> str | None:
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer":
        return credentials.strip() or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials.strip()).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        client_id, _, client_secret = decoded.partition(":")
        args.setdefault("client_id", client_id)
        args.setdefault("client_secret", client_secret)
    return None


def decode_request(query: str, body: bytes, headers: Any) -> DecodedRequest:
    """Merge query string and body into `args` and find the caller's token."""
    args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    args.update(_body_args(body, headers))
    _decode_json_args(args)
    form_token = args.pop("token", None)
    header_token = _apply_authorization(headers.get("Authorization") or "", args)
    token = header_token or (form_token if isinstance(form_token, str) and form_token else None)
    return DecodedRequest(args=args, token=token, token_in_header=header_token is not None)


def upload_bytes(body: bytes, headers: Any) -> bytes:
    """The file content of an upload-URL POST: raw bytes, or the file part of a multipart body."""
    if content_type_of(headers) != "multipart/form-data":
        return body
    parts = parse_multipart(body, headers.get("Content-Type") or "")
    for part in parts:
        if part.get_filename() is not None:
            return _part_bytes(part)
    if parts:
        return _part_bytes(parts[0])
    return b""
