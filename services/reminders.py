"""A round's one reminder pass: who is nudged, and how their prompt reached them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from services.rounds import RoundInfo, round_infos
from storage import reminders as reminder_store
from storage.database import Database, retrying


@dataclass(frozen=True)
class ReminderTarget:
    """Someone to nudge about an open round. ``route`` says how their prompt reached them:
    an "ephemeral" one (in the team channel, where Slack refused the DM) is nudged the
    same way, with the prompt again."""

    user_id: str
    round: RoundInfo
    prompt_id: int
    route: str | None = None
    prompt_channel: str | None = None
    prompt_ts: str | None = None

    @property
    def in_channel(self) -> bool:
        """Whether Slack refused this member a DM, so the nudge goes in the team channel."""
        return self.route == "ephemeral"


CLAIM_BATCH = 500
"""Rounds whose reminder passes one unit of work takes (a few statements each)."""


def claim_reminders(*, db: Database, round_ids: Sequence[int], now: datetime) -> int:
    """Take these rounds' one reminder passes and queue the nudges they owe, a batch of
    rounds per unit of work and every batch before any nudge goes, so a thousand rounds
    due together are all taken at once; a round another call (or process) took already is
    left to it. How many rounds were taken."""
    taken = 0
    for start in range(0, len(round_ids), CLAIM_BATCH):
        batch = round_ids[start : start + CLAIM_BATCH]
        taken += retrying(partial(_claim, db, batch, now))
    return taken


def _claim(db: Database, round_ids: Sequence[int], now: datetime) -> int:
    with db.transaction() as session:
        claimed = reminder_store.claim_passes(session, round_ids, now)
        if claimed:
            reminder_store.queue(session, claimed)
        return len(claimed)


def queued_reminders(*, db: Database) -> list[ReminderTarget]:
    """Every nudge queued in an open round and not yet taken, by round then prompt: those
    just queued, and any that a pass cut short (a crash) left for a later tick."""
    with db.reading() as session:
        queued = reminder_store.queued(session)
        rounds = round_infos(session, sorted({q.round_id for q in queued}))
    infos = {r.id: r for r in rounds}
    return [
        ReminderTarget(
            q.user_id,
            infos[q.round_id],
            q.prompt_id,
            route=q.route,
            prompt_channel=q.channel_id,
            prompt_ts=q.message_ts,
        )
        for q in queued
    ]


def take_reminder(*, db: Database, prompt_id: int) -> bool:
    """Take a queued nudge just before it goes: one caller only gets it, so two senders
    walking the same queue never nudge anyone twice."""
    with db.transaction() as session:
        return reminder_store.take(session, prompt_id)
