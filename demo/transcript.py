"""The demo's transcript: what a watcher reads, line by line, and the problems it noted."""

from __future__ import annotations

import textwrap
from datetime import datetime
from zoneinfo import ZoneInfo

from demo.people import TEAM_ZONE

RULE = 78
LONDON = ZoneInfo(TEAM_ZONE)


class Transcript:
    """Printed as it goes, so a watcher sees progress; problems are kept for the verdict."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def say(self, text: str = "") -> None:
        """Print one transcript line at once."""
        print(text, flush=True)

    def heading(self, title: str) -> None:
        """A title between double rules, for each part of the transcript."""
        self.say("═" * RULE)
        self.say(f" {title}")
        self.say("═" * RULE)

    def paragraph(self, text: str) -> None:
        """A paragraph wrapped to the transcript's width."""
        for line in textwrap.wrap(text, width=RULE):
            self.say(line)

    def event(self, moment: str, text: str) -> None:
        """A timestamped line of the week's story."""
        self.say(f"  {moment:<17} {text}")

    def problem(self, text: str) -> None:
        """Note a failure; the demo goes on so the transcript shows the whole picture."""
        self.problems.append(text)
        self.say(f"  ✗ {text}")


def when(moment: datetime) -> str:
    """A moment as the team reads it: London wall-clock time."""
    return moment.astimezone(LONDON).strftime("%a %d %b %H:%M")


def short(text: str, width: int = 34) -> str:
    """Long pole phrases cut at a word to fit one transcript line."""
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0].rstrip(" -,/")
    return cut + "…"
