"""A token bucket as plain arithmetic: how many calls a sender may make now, and how long
to wait otherwise, given what is left, the time and the allowance.

Kept free of clocks and storage so that one process's pacer and the buckets several
processes share in the database follow the same rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Allowance:
    """Calls a minute, and how many may go at once after a quiet spell.

    ``per_minute`` None means no rate is known: the bucket then only carries the pauses a
    429 asks for, and grants whatever is asked between them.
    """

    per_minute: float | None
    burst: float = 1.0
    lag: float = 0.0
    """Seconds a new bucket waits before it refills. The bucket is made when a sender first
    asks, a moment before Slack sees that call and starts counting: refilling from then on
    would hand out, once the burst is spent, calls Slack has not yet allowed (a 429, and
    every sender of the workspace paused)."""

    @property
    def per_second(self) -> float | None:
        return None if self.per_minute is None else self.per_minute / 60.0


@dataclass(frozen=True)
class Bucket:
    """What is left (``tokens``) as of ``at``, and until when every sender is to wait."""

    tokens: float
    at: float
    paused_until: float = 0.0


@dataclass(frozen=True)
class Take:
    """The bucket after a take, how many calls it granted, and, if none, how long to wait."""

    bucket: Bucket
    granted: int
    wait: float


def full(allowance: Allowance, now: float) -> Bucket:
    """A bucket nobody has drawn on yet, as Slack's starts."""
    return Bucket(tokens=allowance.burst, at=now + allowance.lag)


def take(bucket: Bucket, now: float, *, want: int, enough: int, allowance: Allowance) -> Take:
    """Grant up to ``want`` calls; with none left, the wait until ``enough`` would be."""
    if now < bucket.paused_until:
        return Take(bucket, 0, bucket.paused_until - now)
    rate = allowance.per_second
    if rate is None:
        return Take(Bucket(0.0, now, bucket.paused_until), want, 0.0)
    elapsed = max(0.0, now - bucket.at)
    at = max(now, bucket.at)  # a refill that starts later (a new bucket's lag) stays later
    available = min(allowance.burst, bucket.tokens + elapsed * rate)
    granted = min(want, math.floor(available))
    if granted >= 1:
        return Take(Bucket(available - granted, at, bucket.paused_until), granted, 0.0)
    needed = max(1, min(enough, math.floor(allowance.burst)))
    wait = at - now + (needed - available) / rate
    return Take(Bucket(available, at, bucket.paused_until), 0, wait)


def pause(bucket: Bucket, now: float, seconds: float) -> Bucket:
    """Slack answered 429 with Retry-After ``seconds``: nobody calls until then, and the
    bucket is empty (Slack has said so), refilling from the end of the pause."""
    until = max(bucket.paused_until, now + seconds)
    return Bucket(0.0, max(now, until), until)
