"""A clock that moves only when told, so tests and the demo decide what time it is."""

from __future__ import annotations

from datetime import datetime, timedelta


class ManualClock:
    """The bot reads time through a callable; this one stands still until it is moved.

    Simulated weeks then pass in moments, and a test can put time exactly where a rule
    changes (a round closing, a lease running out).
    """

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        """Move time forward."""
        self.now += delta

    def set(self, moment: datetime) -> None:
        """Jump to a moment (aware, UTC)."""
        self.now = moment
