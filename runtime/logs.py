"""Logging set-up: plain lines for people, JSON lines for log collectors."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

# Slack's libraries log whole request and response bodies at DEBUG: prompts, the point a
# member chose as their message is redrawn, response URLs. The bot never passes those on.
QUIET_LIBRARIES = ("slack_sdk", "slack_bolt")


class QuietLibraries(logging.Filter):
    """Drop the Slack libraries' DEBUG records, however their loggers came to be set.

    Bolt gives each logger it creates the root's level, so a level set here beforehand is
    not enough on its own.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.INFO or not record.name.startswith(QUIET_LIBRARIES)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, so log collectors can index the fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update({k: v for k, v in fields.items() if k not in entry})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging(fmt: str = "text", level: int = logging.INFO) -> None:
    """Send logs to stderr in the chosen format."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(QuietLibraries())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # Alembic narrates every migration step at INFO; a command's own output says enough.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(level, logging.INFO))
