"""Keeping outbound messages inside Slack's posting limits before Slack has to say so."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Pacer:
    """At most one message per second per channel, and an optional workspace-wide rate.

    Slack allows about one message a second to a channel in bursts; DMs are separate
    channels, so a round's fan-out is bounded by the workspace rate, if one is set, and by
    Slack's own 429s, which the client honours.
    """

    def __init__(
        self,
        *,
        per_channel_interval: float = 1.0,
        workspace_per_second: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = per_channel_interval
        self._workspace_gap = 1.0 / workspace_per_second if workspace_per_second else 0.0
        self._clock = clock
        self._sleep = sleep
        self._last_by_channel: dict[str, float] = {}
        self._next_slot = 0.0
        self._lock = threading.Lock()

    def wait_turn(self, channel: str) -> None:
        """Block until a message to ``channel`` may go."""
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
