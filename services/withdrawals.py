"""Marks that keep a person who asked to be forgotten from being asked again in a round
that is still open, without naming them.

`forget-me` deletes the person's prompt rows, and with them the record that they were
asked; a re-run of `pulse send` would then ask them again. A mark is an HMAC of the round
and the person under a key taken from a secret the database never holds, so a reader of
the database can neither compute a person's mark nor tell whose a mark is. The marks go
when the round closes (`services.rounds`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

_PURPOSE = b"partnership-pulse round withdrawal"


def _key(secret: bytes) -> bytes:
    """A key for this use only, so the secret itself is never what the marks are made with."""
    return hmac.new(secret, _PURPOSE, hashlib.sha256).digest()


def withdrawal_mark(secret: bytes, *, round_id: int, user_id: str) -> str:
    """The mark for a person in a round."""
    message = f"{round_id}:{user_id}".encode()
    return hmac.new(_key(secret), message, hashlib.sha256).hexdigest()


def withdrawn(
    secret: bytes, *, round_id: int, user_ids: Iterable[str], marks: set[str]
) -> set[str]:
    """Which of these people have a mark in the round."""
    if not marks:
        return set()
    return {
        user
        for user in user_ids
        if withdrawal_mark(secret, round_id=round_id, user_id=user) in marks
    }
