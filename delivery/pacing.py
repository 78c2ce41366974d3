"""Keeping outbound messages inside Slack's posting limits before Slack has to say so."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from delivery.budgets import SharedBudget


class Pacer:
    """At most one message per second per channel, and an optional workspace-wide rate.

    Slack allows about one message a second to a channel in bursts; DMs are separate
    channels, so a round's fan-out is bounded by the workspace rate, if one is set, and by
    Slack's own 429s, which the client honours.

    With a ``shared`` budget (several processes on one PostgreSQL), each call also waits
    for the workspace's budget in the database, and a 429 pauses every sender. The
    per-channel pace stays in the process: a DM's channel is only ever posted to by the
    sender holding its prompt's claim.
    """

    def __init__(
        self,
        *,
        per_channel_interval: float = 1.0,
        workspace_per_second: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        shared: SharedBudget | None = None,
    ) -> None:
        self._interval = per_channel_interval
        self._workspace_gap = 1.0 / workspace_per_second if workspace_per_second else 0.0
        self._clock = clock
        self._sleep = sleep
        self._last_by_channel: dict[str, float] = {}
        self._next_slot = 0.0
        self._lock = threading.Lock()
        self.shared = shared

    def wait_turn(
        self, channel: str, *, workspace: str | None = None, method: str = "chat.postMessage"
    ) -> None:
        """Block until a message to ``channel`` may go (and, when shared, until the
        workspace's budget for ``method`` grants one)."""
        self._wait_for_channel(channel)
        if self.shared is not None and workspace:
            self.shared.wait(workspace, method)

    def try_turn(
        self, channel: str, *, workspace: str | None = None, method: str = "chat.postMessage"
    ) -> float:
        """As `wait_turn`, but rather than wait for the shared budget, say how long to:
        0 means the call may go now. The budget is asked first, so a channel's pace is only
        spent on a call that goes."""
        if self.shared is not None and workspace:
            wait = self.shared.try_take(workspace, method)
            if wait > 0:
                return wait
        self._wait_for_channel(channel)
        return 0.0

    def rate_limited(self, workspace: str, method: str, seconds: float) -> None:
        """Slack answered a call of ``workspace`` with 429: with a shared budget every
        sender waits; alone, the client that was told waits, as it always has."""
        if self.shared is not None:
            self.shared.rate_limited(workspace, method, seconds)

    def _wait_for_channel(self, channel: str) -> None:
        with self._lock:
            now = self._clock()
            ready = max(
                self._next_slot, self._last_by_channel.get(channel, -1e9) + self._interval, now
            )
            self._next_slot = ready + self._workspace_gap
            self._last_by_channel[channel] = ready
            if len(self._last_by_channel) > 50_000:
                self._forget_old(now)
        if ready > now:
            self._sleep(ready - now)

    def _forget_old(self, now: float) -> None:
        cutoff = now - self._interval
        self._last_by_channel = {c: t for c, t in self._last_by_channel.items() if t > cutoff}
