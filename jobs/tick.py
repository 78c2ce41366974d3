"""The schedule's heartbeat: everything due is worked out from the database each minute.

Because what is due is derived from stored state, a restart, a missed minute or a second
process never loses or repeats a round, a reminder or a digest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from delivery.context import Outbound
from delivery.digests import post_round_digest
from delivery.members import refresh_members
from delivery.prompts import send_due_prompts, send_reminders
from services import rounds as round_service
from services import schedule as schedule_service
from services import teams as team_service

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TickReport:
    """What one tick did, for logs and tests."""

    opened: int
    sent: int
    reminded: int
    closed: int
    digests: int


def open_and_send(out: Outbound, *, channel_id: str, week: str, scheduled: bool) -> int:
    """Refresh the team's membership, open (or find) the round, and send what is due."""
    team = team_service.find_team(db=out.db, channel_id=channel_id)
    refresh_members(out, team)
    round_ = round_service.open_round(
        db=out.db, channel_id=channel_id, week=week, now=out.clock(), scheduled=scheduled
    )
    return send_due_prompts(out, round_id=round_.id).sent


def run_tick(out: Outbound) -> TickReport:
    """Open due rounds, send due prompts and reminders, close rounds and post their digests."""
    opened = digests = reminded = 0
    for due in schedule_service.due_rounds(db=out.db, now=out.clock()):
        try:
            open_and_send(out, channel_id=due.channel_id, week=due.week, scheduled=True)
            opened += 1
        except Exception:
            log.exception("could not open the round for a team")
    sent = send_due_prompts(out).sent
    for round_ in schedule_service.rounds_due_reminder(db=out.db, now=out.clock()):
        reminded += send_reminders(out, round_id=round_.id)
    closed = round_service.close_due_rounds(db=out.db, now=out.clock())
    for round_ in closed:
        try:
            digests += post_round_digest(
                out, round_id=round_.id, channel_id=round_.channel_id, week=round_.week
            )
        except Exception:
            log.exception("could not post a digest; it will be retried")
    digests += _retry_unposted_digests(out)
    return TickReport(opened, sent, reminded, len(closed), digests)


def _retry_unposted_digests(out: Outbound) -> int:
    posted = 0
    for round_ in round_service.closed_without_digest(db=out.db):
        try:
            posted += post_round_digest(
                out, round_id=round_.id, channel_id=round_.channel_id, week=round_.week
            )
        except Exception:
            log.exception("could not post a digest; it will be retried")
    return posted
