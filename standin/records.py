"""What the stand-in saw: every API call, every rejected payload.

Tests assert on behaviour through these records ("the bot posted once",
"no Block Kit problems"), so they must be complete and ordered even when
the bot calls from many threads at once.
"""

from __future__ import annotations

import bisect
import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ApiCall:
    """One Web API request and how the stand-in answered it."""

    method: str
    args: dict[str, Any]
    token: str | None
    http_status: int
    error: str | None
    seq: int = field(default=0, compare=False, repr=False)
    answered_at: float = field(default_factory=time.monotonic, compare=False, repr=False)
    """When the stand-in answered (time.monotonic), for counting calls per window."""

    @property
    def ok(self) -> bool:
        return self.http_status == 200 and self.error is None


class Records:
    """Thread-safe call log, Block Kit problems and response_url posts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self._calls: list[ApiCall] = []
        self._problems: list[tuple[str, list[str]]] = []
        self._responses: list[dict[str, Any]] = []
        self.rate_limited = 0

    def arrival(self) -> int:
        """Number a request as it arrives, so the log keeps arrival order."""
        return next(self._seq)

    def add_call(self, call: ApiCall) -> None:
        with self._lock:
            bisect.insort(self._calls, call, key=lambda c: c.seq)
            if call.http_status == 429:
                self.rate_limited += 1

    def add_problems(self, method: str, problems: list[str]) -> None:
        with self._lock:
            self._problems.append((method, list(problems)))

    def add_response(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._responses.append(entry)

    @property
    def calls(self) -> list[ApiCall]:
        with self._lock:
            return list(self._calls)

    @property
    def problems(self) -> list[tuple[str, list[str]]]:
        with self._lock:
            return list(self._problems)

    @property
    def responses(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._responses)

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
            self._problems.clear()
            self._responses.clear()
            self.rate_limited = 0
