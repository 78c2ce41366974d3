"""Reading many teams' answers in batches: reads ahead on threads, the collector held.

Both are tunings of the process for one workload, the digests of every team at once, and
kept here, beside the reads they serve, rather than in the code that works out figures.
"""

from __future__ import annotations

import gc
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

C = TypeVar("C")
R = TypeVar("R")
T = TypeVar("T")

_pauses = {"count": 0, "was_enabled": False}
_pauses_lock = threading.Lock()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold Python's cyclic garbage collector while answers are read and grouped.

    Grouping allocates a tuple per answer and a list per person and week, millions of them,
    none of them in a reference cycle; the collector would otherwise rescan them again and
    again, which once cost more than the grouping itself. The reading thread and the one
    working out figures may pause it at once: it resumes when both are done.
    """
    with _pauses_lock:
        if _pauses["count"] == 0:
            _pauses["was_enabled"] = gc.isenabled()
            gc.disable()
        _pauses["count"] += 1
    try:
        yield
    finally:
        with _pauses_lock:
            _pauses["count"] -= 1
            if _pauses["count"] == 0 and _pauses["was_enabled"]:
                gc.enable()


def paused_read(read: Callable[[C], R], chunk: C) -> R:
    """One read, with the collector held while it runs."""
    with collector_paused():
        return read(chunk)


def read_ahead(
    read: Callable[[C], R], work: Callable[[R, C], T], chunks: Sequence[C], *, ahead: int
) -> Iterator[T]:
    """Each chunk read, then worked on with the collector held; the results in order.

    The next chunks are read meanwhile, ``ahead`` reads at once on threads of their own:
    the database sums a read's answers without holding Python's interpreter lock, and each
    read is its own transaction on its own connection, as it would be one after another.
    One chunk is read on the caller's thread. The collector runs again while the caller
    uses each result.
    """
    if len(chunks) <= 1:
        for chunk in chunks:
            yield _paused_work(work, paused_read(read, chunk), chunk)
        return
    with ThreadPoolExecutor(ahead, thread_name_prefix="digest-read") as reader:
        upcoming = deque(reader.submit(paused_read, read, c) for c in chunks[:ahead])
        for i, chunk in enumerate(chunks):
            result = upcoming.popleft().result()
            if i + ahead < len(chunks):
                upcoming.append(reader.submit(paused_read, read, chunks[i + ahead]))
            yield _paused_work(work, result, chunk)


def _paused_work(work: Callable[[R, C], T], result: R, chunk: C) -> T:
    with collector_paused():
        return work(result, chunk)
