"""The schedule's heartbeat: everything due is worked out from the database each minute.

Because what is due is derived from stored state, a restart, a missed minute or a second
process never loses or repeats a round, a reminder or a digest.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from delivery.context import Outbound
from delivery.digests import post_round_digest
from delivery.members import refresh_members
from delivery.prompts import send_due_prompts, send_reminders
from services import digests as digest_service
from services import rounds as round_service
from services import schedule as schedule_service
from services import teams as team_service
from services.digests import DigestBundle
from services.rounds import RoundInfo

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
    digests += post_digests(out, closed)
    digests += post_digests(out, round_service.closed_without_digest(db=out.db))
    return TickReport(opened, sent, reminded, len(closed), digests)


def post_digests(out: Outbound, rounds: Sequence[RoundInfo]) -> int:
    """Post the digests of closed rounds, built together first: a few queries for all the
    teams rather than a few for each. A digest that fails is retried on a later tick."""
    built = _build_together(out, rounds)
    posted = 0
    for round_ in rounds:
        try:
            posted += post_round_digest(
                out,
                round_id=round_.id,
                channel_id=round_.channel_id,
                week=round_.week,
                built=built.get((round_.channel_id, round_.week)),
            )
        except Exception:
            log.exception("could not post a digest; it will be retried")
    return posted


def _build_together(
    out: Outbound, rounds: Sequence[RoundInfo]
) -> dict[tuple[str, str], DigestBundle]:
    wanted: dict[str, set[str]] = {}
    for round_ in rounds:
        wanted.setdefault(round_.channel_id, set()).add(round_.week)
    if not wanted:
        return {}
    try:
        return digest_service.build_digests(db=out.db, weeks_by_channel=wanted)
    except Exception:
        log.exception("could not build the digests together; each is built on its own")
        return {}
