"""How a stand-in Web API method answers: the reply triple, errors, and cursor paging.

Every handler returns `(http_status, json_body, headers)`. Error bodies and paging
follow Slack's published conventions (`ok: false` with an `error` code; an opaque
`next_cursor`, "" on the last page), so code that handles real Slack answers handles
these too.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Reply = tuple[int, dict[str, Any], dict[str, str]]
Handler = Callable[[dict[str, Any], str | None], Reply]

_MAX_PAGE = 1000


def ok(**fields: Any) -> Reply:
    return 200, {"ok": True, **fields}, {}


def fail(error: str, **extra: Any) -> Reply:
    return 200, {"ok": False, "error": error, **extra}, {}


def invalid_arguments(*messages: str) -> Reply:
    return fail("invalid_arguments", response_metadata={"messages": list(messages)})


def _encode_cursor(kind: str, offset: int) -> str:
    return base64.b64encode(f"{kind}:{offset}".encode()).decode()


def _decode_cursor(kind: str, cursor: str) -> int | None:
    try:
        prefix, _, offset = base64.b64decode(cursor, validate=True).decode().partition(":")
        return int(offset) if prefix == kind and int(offset) >= 0 else None
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_cursor: str


def paginate(kind: str, items: list[Any], args: dict[str, Any], default_limit: int) -> Page | Reply:
    """Slack cursor paging: a page of `items` and the next cursor ("" at the end).

    The cursor is opaque to callers, as in Slack; `limit` 0 means "all".
    """
    try:
        limit = int(args.get("limit") or default_limit)
    except (TypeError, ValueError):
        return fail("invalid_limit")
    if limit < 0 or limit > _MAX_PAGE:
        return fail("invalid_limit")
    cursor = args.get("cursor") or ""
    offset = _decode_cursor(kind, cursor) if cursor else 0
    if offset is None:
        return fail("invalid_cursor")
    if limit == 0:
        return Page(items[offset:], "")
    more = offset + limit < len(items)
    return Page(
        items[offset : offset + limit], _encode_cursor(kind, offset + limit) if more else ""
    )


def flag(value: Any) -> bool:
    """A boolean argument as Slack accepts it: JSON true, or "1"/"true" in a form."""
    return value is True or (isinstance(value, str) and value.lower() in ("1", "true"))
