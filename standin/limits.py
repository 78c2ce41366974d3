"""Rate limits and injected failures for the stand-in Web API.

Delivery code must survive Slack saying "slow down" (HTTP 429 with
Retry-After) or failing outright. These pieces let tests and benchmarks
provoke exactly that: token buckets that mimic Slack's posting limits, and
a queue of one-off failures to answer the next calls with.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimits:
    """Posting limits for chat.postMessage; None disables a limit.

    Slack allows roughly one message per second per channel (short bursts
    tolerated) and a workspace-wide ceiling per minute.
    """

    per_channel_per_second: float | None = None
    workspace_per_minute: int | None = None
    per_channel_burst: int | None = None  # defaults to max(1, ceil(rate))


class TokenBucket:
    """Classic token bucket on an injectable monotonic clock (not thread-safe)."""

    def __init__(self, rate_per_second: float, capacity: float, clock: Callable[[], float]) -> None:
        if rate_per_second <= 0 or capacity < 1:
            raise ValueError("rate must be positive and capacity at least 1")
        self.rate = rate_per_second
        self.capacity = capacity
        self._clock = clock
        self._tokens = capacity
        self._updated = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    def wait_time(self) -> float:
        """Seconds until one token is available (0 if available now)."""
        self._refill()
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate

    def take(self) -> None:
        self._refill()
        self._tokens -= 1


class RateLimiter:
    """Per-channel buckets plus one workspace bucket per team."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._lock = threading.Lock()
        self._channels: dict[tuple[str, str], TokenBucket] = {}
        self._teams: dict[str, TokenBucket] = {}

    def _buckets(self, team_id: str, channel_id: str) -> list[TokenBucket]:
        buckets: list[TokenBucket] = []
        per_second = self.limits.per_channel_per_second
        if per_second:
            burst = self.limits.per_channel_burst or max(1, math.ceil(per_second))
            key = (team_id, channel_id)
            if key not in self._channels:
                self._channels[key] = TokenBucket(per_second, burst, self._clock)
            buckets.append(self._channels[key])
        per_minute = self.limits.workspace_per_minute
        if per_minute:
            if team_id not in self._teams:
                self._teams[team_id] = TokenBucket(per_minute / 60.0, per_minute, self._clock)
            buckets.append(self._teams[team_id])
        return buckets

    def acquire(self, team_id: str, channel_id: str) -> int | None:
        """Take a slot, or return the Retry-After (whole seconds, >= 1) if over a limit.

        A refused call consumes nothing, so a client that honours Retry-After
        gets through on its next attempt.
        """
        with self._lock:
            buckets = self._buckets(team_id, channel_id)
            wait = max((b.wait_time() for b in buckets), default=0.0)
            if wait > 0:
                return max(1, math.ceil(wait))
            for bucket in buckets:
                bucket.take()
            return None


@dataclass(frozen=True)
class Fault:
    """One queued failure: an HTTP status, an error code, maybe a Retry-After."""

    error: str | None = None
    http_status: int = 200
    retry_after: int | None = None

    def reply(self) -> tuple[int, dict[str, object], dict[str, str]]:
        headers: dict[str, str] = {}
        retry_after = self.retry_after
        if self.http_status == 429 and retry_after is None:
            retry_after = 1
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        default = "ratelimited" if self.http_status == 429 else "internal_error"
        return self.http_status, {"ok": False, "error": self.error or default}, headers


class FaultQueue:
    """Failures queued per method name; "*" matches any method."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[str, deque[Fault]] = {}

    def add(self, method: str, fault: Fault, times: int = 1) -> None:
        with self._lock:
            self._queues.setdefault(method, deque()).extend([fault] * times)

    def take(self, method: str) -> Fault | None:
        with self._lock:
            for key in (method, "*"):
                queue = self._queues.get(key)
                if queue:
                    return queue.popleft()
        return None

    def clear(self) -> None:
        with self._lock:
            self._queues.clear()
