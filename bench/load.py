"""Closed- and open-loop load over real HTTP, with per-request latencies.

Closed loop: N clients, each sending its next request as soon as the last one is answered;
that measures throughput. Open loop: requests start on a fixed schedule whatever the server
does, and latency is counted from the scheduled moment, so a slow server cannot hide its
queue (no coordinated omission); that measures latency at a given rate.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bench.core import percentile

Send = Callable[[int], int]
"""Send request number i; return the HTTP status."""


@dataclass(frozen=True)
class LoadResult:
    """What a load run measured: answered requests, their latencies (s), and failures."""

    requests: int
    seconds: float
    latencies: tuple[float, ...]
    failures: int

    @property
    def throughput(self) -> float:
        """Answered requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    def p(self, pct: float) -> float:
        """A latency percentile in milliseconds."""
        return percentile(self.latencies, pct) * 1000


class Counter:
    """Request numbers shared by every client thread of a run (and across runs)."""

    def __init__(self, start: int = 0) -> None:
        self._numbers = itertools.count(start)
        self._lock = threading.Lock()

    def next(self) -> int:
        """The next request number."""
        with self._lock:
            return next(self._numbers)


def closed_loop(
    send: Send, numbers: Counter, *, clients: int, seconds: float, warmup: float
) -> LoadResult:
    """Run ``clients`` back-to-back senders; count what is answered inside the window."""
    start = time.perf_counter()
    window_start = start + warmup
    window_end = window_start + seconds
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()

    def client() -> None:
        while time.perf_counter() < window_end:
            began = time.perf_counter()
            status = send(numbers.next())
            ended = time.perf_counter()
            if not window_start <= ended <= window_end:
                continue
            with lock:
                if status == 200:
                    latencies.append(ended - began)
                else:
                    failures[0] += 1

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return LoadResult(len(latencies), seconds, tuple(latencies), failures[0])


def open_loop(
    send: Send, numbers: Counter, *, rate: float, seconds: float, warmup: float, workers: int = 64
) -> LoadResult:
    """Start requests at ``rate`` per second; latency runs from each one's scheduled start."""
    total = int(rate * (warmup + seconds))
    skipped = int(rate * warmup)
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()

    def one(index: int, scheduled: float) -> None:
        status = send(numbers.next())
        ended = time.perf_counter()
        if index < skipped:
            return
        with lock:
            if status == 200:
                latencies.append(ended - scheduled)
            else:
                failures[0] += 1

    with ThreadPoolExecutor(max_workers=workers) as pool:
        first = time.perf_counter() + 0.05
        for index in range(total):
            scheduled = first + index / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, index, scheduled)
    return LoadResult(len(latencies), seconds, tuple(latencies), failures[0])
