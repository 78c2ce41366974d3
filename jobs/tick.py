"""The schedule's heartbeat: everything due is worked out from the database each minute.

Because what is due is derived from stored state, a restart, a missed minute or a second
process never loses or repeats a round, a reminder or a digest.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from delivery.actions import ask_reviews, tell_owners
from delivery.closed_redraws import redraw_closed
from delivery.context import Outbound
from delivery.digests import post_round_digest
from delivery.ephemeral_views import hide_due
from delivery.members import refresh_members
from delivery.prompts import send_due_prompts
from delivery.reminders import send_reminders
from delivery.reviews import close_due_reviews, send_review_prompts, start_due_reviews
from services import digests as digest_service
from services import opening as opening_service
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


def run_tick(out: Outbound) -> TickReport:
    """Open due rounds, send due prompts and reminders, close rounds and post their digests.

    Every due team's round is opened, its prompts queued, before the first is sent, so a
    thousand teams sharing a pulse time all start together; each team's membership is then
    refreshed from its channel, and anyone new is asked in the same round.
    """
    digests = 0
    due = schedule_service.due_rounds(db=out.db, now=out.clock())
    opened = opening_service.open_due_rounds(
        db=out.db, due=due, now=out.clock(), marking_secret=out.marking_secret
    )
    sent = send_due_prompts(out).sent
    if opened:
        refresh_opened(out, opened)
        sent += send_due_prompts(out).sent
    tell_owners(out)
    ask_reviews(out)
    due_reminder = schedule_service.rounds_due_reminder(db=out.db, now=out.clock())
    reminded = send_reminders(out, round_ids=[r.id for r in due_reminder])
    closed = round_service.close_due_rounds(db=out.db, now=out.clock())
    digests += post_digests(out, closed)
    digests += post_digests(out, round_service.closed_without_digest(db=out.db))
    redraw_closed(out)
    hide_due(out)
    close_due_reviews(out)
    start_due_reviews(out)
    send_review_prompts(out)
    if closed:
        round_service.erase_closed_links(db=out.db)
    return TickReport(len(opened), sent, reminded, len(closed), digests)


def refresh_opened(out: Outbound, opened: Sequence[RoundInfo]) -> None:
    """Bring each newly opened round's team up to date with its channel (and its name), and
    queue a prompt for anyone in it who has none yet: `open_round` again, which adds only
    the missing ones. A team Slack will not describe keeps the members the bot knew."""
    for round_ in opened:
        try:
            refresh_members(out, team_service.find_team(db=out.db, channel_id=round_.channel_id))
            round_service.open_round(
                db=out.db,
                channel_id=round_.channel_id,
                week=round_.week,
                now=out.clock(),
                scheduled=True,
                marking_secret=out.marking_secret,
            )
        except Exception:
            log.exception("could not refresh the members of a team whose round opened")


def post_digests(out: Outbound, rounds: Sequence[RoundInfo]) -> int:
    """Post the digests of closed rounds, built fifty teams at a time: a few queries for
    those teams rather than a few for each, and each batch posted before the next is built,
    so memory stays level however many rounds closed. A digest that fails is retried on a
    later tick."""
    waiting = {(r.channel_id, r.week): r for r in rounds}
    posted = 0
    for built in _built_in_batches(out, list(waiting)):
        for key, bundle in built.items():
            round_ = waiting.pop(key, None)
            if round_ is not None:
                posted += _post(out, round_, bundle)
    for round_ in waiting.values():  # not built with the others: built on its own
        posted += _post(out, round_, None)
    return posted


def _post(out: Outbound, round_: RoundInfo, built: DigestBundle | None) -> int:
    try:
        return post_round_digest(
            out, round_id=round_.id, channel_id=round_.channel_id, week=round_.week, built=built
        )
    except Exception:
        log.exception("could not post a digest; it will be retried")
        return 0


def _built_in_batches(
    out: Outbound, keys: Sequence[tuple[str, str]]
) -> Iterator[dict[tuple[str, str], DigestBundle]]:
    wanted: dict[str, set[str]] = {}
    for channel, week in keys:
        wanted.setdefault(channel, set()).add(week)
    try:
        yield from digest_service.digest_batches(db=out.db, weeks_by_channel=wanted)
    except Exception:
        log.exception("could not build the digests together; each is built on its own")
