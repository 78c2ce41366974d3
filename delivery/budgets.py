"""One budget per workspace and Slack method tier, shared by every process that sends.

Slack's limits are the workspace's, not a process's: two senders each pacing at the full
rate draw 429s. On PostgreSQL every sender takes its calls from a token bucket in the
database (`storage.send_budgets`), a few tokens at a time, and a 429 any of them meets
pauses them all for its Retry-After. Pacing only decides when a call may go; who sends
which prompt is still settled by the outbox's claims alone.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from storage import send_budgets
from storage.database import Database
from surveys.token_bucket import Allowance

METHOD_TIERS = {
    "chat.postMessage": "t5",
    "chat.postEphemeral": "t4",
    "chat.update": "t3",
    "chat.delete": "t3",
    "chat.getPermalink": "t4",
    "conversations.members": "t4",
    "conversations.info": "t3",
    "conversations.open": "t3",
    "users.info": "t4",
    "users.list": "t2",
    "views.publish": "t4",
    "files.getUploadURLExternal": "t4",
    "files.completeUploadExternal": "t4",
}
"""Slack's rate-limit tier of each method the bot calls (the Web API's method metadata);
t5 is chat.postMessage's own: about one a second per channel, and a workspace ceiling."""

UNMETERED = Allowance(per_minute=None)
"""A tier with no rate set: its bucket only carries the pauses 429s ask for."""

SHARE_SECONDS = 0.25
"""A take asks for about this long's worth of calls: few round trips, and little held back
from the other senders."""

HOLD_SECONDS = 1.0
"""Tokens a process took but has not used by then are dropped, so a 429 another sender
met reaches this one within a second, and tokens held back never pile up into a burst."""

UNMETERED_TAKE = 50
"""Calls taken at once from a tier with no rate: the pause a 429 set is read again after
at most this many calls, or a hold."""


START_LAG = 0.25
"""Seconds a new bucket's refill starts after the first call it grants: Slack counts from
when that call reaches it, which on a busy machine can be tens of milliseconds later. A
quarter of a second's calls is all it costs, once."""


def tier_of(method: str) -> str:
    """The tier a method's calls count against; a method not listed counts on its own."""
    return METHOD_TIERS.get(method, method)


def allowances(posts_per_minute: int | None) -> dict[str, Allowance]:
    """The tiers given a rate: chat.postMessage's, when the workspace's budget is known
    (a minute's worth may go at once, as Slack's per-minute limits allow)."""
    if posts_per_minute is None:
        return {}
    return {"t5": Allowance(per_minute=posts_per_minute, burst=posts_per_minute, lag=START_LAG)}


@dataclass
class _Held:
    tokens: int
    until: float


class SharedBudget:
    """Calls granted from the database's buckets, a few at a time, to this process's threads."""

    def __init__(
        self,
        db: Database,
        tiers: Mapping[str, Allowance],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._db = db
        self._tiers = dict(tiers)
        self._clock = clock
        self._sleep = sleep
        self._held: dict[tuple[str, str], _Held] = {}
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def allowance(self, tier: str) -> Allowance:
        return self._tiers.get(tier, UNMETERED)

    def wait(self, workspace_id: str, method: str) -> None:
        """Block until the workspace's budget for ``method`` grants this process a call."""
        key = (workspace_id, tier_of(method))
        while (wait := self._try(key)) > 0:
            self._sleep(wait)

    def try_take(self, workspace_id: str, method: str) -> float:
        """0 when the budget grants this process a call now, else the seconds to wait."""
        return self._try((workspace_id, tier_of(method)))

    def rate_limited(self, workspace_id: str, method: str, seconds: float) -> None:
        """Slack answered 429: every sender of the workspace waits ``seconds``."""
        key = (workspace_id, tier_of(method))
        with self._lock_for(key):
            self._held.pop(key, None)
            send_budgets.pause_senders(
                self._db,
                workspace_id=key[0],
                tier=key[1],
                seconds=seconds,
                allowance=self.allowance(key[1]),
            )

    def _lock_for(self, key: tuple[str, str]) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def _try(self, key: tuple[str, str]) -> float:
        """Spend a held token, or take more: 0 when a call may go, else seconds to wait."""
        with self._lock_for(key):
            now = self._clock()
            held = self._held.get(key)
            if held is not None and held.tokens > 0 and now < held.until:
                held.tokens -= 1
                return 0.0
            allowance = self.allowance(key[1])
            want = _batch(allowance)
            grant = send_budgets.take_tokens(
                self._db,
                workspace_id=key[0],
                tier=key[1],
                want=want,
                enough=want,
                allowance=allowance,
            )
            if grant.granted:
                self._held[key] = _Held(grant.granted - 1, now + HOLD_SECONDS)
                return 0.0
            self._held.pop(key, None)
            return max(grant.wait_seconds, 0.001)


def _batch(allowance: Allowance) -> int:
    rate = allowance.per_second
    if rate is None:
        return UNMETERED_TAKE
    return max(1, min(UNMETERED_TAKE, math.ceil(rate * SHARE_SECONDS)))
