"""A signed request takes effect once: the same request sent again is recognised.

Slack accepts a signature for five minutes either side of its timestamp, so a request
captured on the way could be sent again inside that window and would pass the signature
check. Keeping what was seen a little longer than the window (both sides, and a minute for
clocks) is enough: after it, the signature itself is refused as stale.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from storage import seen as seen_store
from storage.database import Database
from storage.errors import StorageError

KEPT_FOR = timedelta(minutes=11)
log = logging.getLogger(__name__)


def first_sighting(*, db: Database, key: str, now: datetime) -> bool:
    """Whether this is the first time the request with this key arrives (within KEPT_FOR)."""
    with db.transaction() as session:
        first = seen_store.note_request(session, key=key, now=now)
    if first:
        _forget_old(db, now)
    return first


def _forget_old(db: Database, now: datetime) -> None:
    """Drop keys older than the window; a purge that loses a race is left to the next one."""
    try:
        with db.transaction() as session:
            seen_store.forget_requests_before(session, now - KEPT_FOR)
    except StorageError:
        log.info("old request keys left for the next request to delete")
