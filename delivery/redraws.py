"""Message redraws after the ack: in the background, one at a time per message, latest wins.

A click is recorded before it is acked; showing the member what they chose is a Web API
call that can take a while and need not hold the request. Redrawing reads the message's
state afresh, so a message clicked again while it is being drawn is simply drawn once more
afterwards, and any number of clicks queued meanwhile cost one redraw, not one each.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

Job = TypeVar("Job")


class Redraws(Generic[Job]):
    """Runs ``draw(job)`` for the latest job of each key, never twice at once for one key."""

    def __init__(self, draw: Callable[[Job], None], *, workers: int = 8) -> None:
        self._draw = draw
        self._workers = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="redraw")
        self._lock = threading.Lock()
        self._waiting: dict[Hashable, Job] = {}
        self._drawing: set[Hashable] = set()

    def submit(self, key: Hashable, job: Job) -> None:
        """Queue a redraw; one already waiting for this key is replaced by this one."""
        with self._lock:
            already = key in self._waiting or key in self._drawing
            self._waiting[key] = job
        if not already:
            self._workers.submit(self._run, key)

    def _run(self, key: Hashable) -> None:
        while True:
            with self._lock:
                job = self._waiting.pop(key, None)
                if job is None:
                    self._drawing.discard(key)
                    return
                self._drawing.add(key)
            try:
                self._draw(job)
            except Exception:
                # The answer is stored either way; only the message stays as it was.
                log.exception("a message redraw failed")

    def shutdown(self) -> None:
        """Finish what is queued, then stop the workers."""
        self._workers.shutdown(wait=True)
