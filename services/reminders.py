"""A round's one reminder pass: who is nudged, and how their prompt reached them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from services.rounds import RoundInfo, round_infos
from storage import closing as closing_store
from storage import opening as opening_store
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


def claim_reminders(
    *, db: Database, round_ids: Sequence[int], now: datetime
) -> list[ReminderTarget]:
    """Take these rounds' one reminder passes, every batch before any nudge goes, so a
    thousand rounds due together are all taken at once; a round another call (or process)
    took already gets nobody. Who to nudge, by round then prompt."""
    targets: list[ReminderTarget] = []
    for start in range(0, len(round_ids), CLAIM_BATCH):
        batch = round_ids[start : start + CLAIM_BATCH]
        targets += retrying(partial(_claim, db, batch, now))
    return targets


def _claim(db: Database, round_ids: Sequence[int], now: datetime) -> list[ReminderTarget]:
    with db.transaction() as session:
        claimed = closing_store.claim_reminder_passes(session, round_ids, now)
        if not claimed:
            return []
        infos = {r.id: r for r in round_infos(session, claimed)}
        return [
            ReminderTarget(
                prompt.user_id,
                infos[prompt.round_id],
                prompt.prompt_id,
                route=prompt.route,
                prompt_channel=prompt.channel_id,
                prompt_ts=prompt.message_ts,
            )
            for prompt in opening_store.mark_reminded(session, claimed)
        ]
