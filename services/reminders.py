"""A round's one reminder pass: who is nudged, and how their prompt reached them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.rounds import RoundInfo, round_info
from storage import closing as closing_store
from storage import opening as opening_store
from storage import rounds as round_store
from storage import teams as team_store
from storage.database import Database


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


def claim_reminders(*, db: Database, round_id: int, now: datetime) -> list[ReminderTarget]:
    """Take the round's one reminder pass; a second call (or process) gets nobody."""
    with db.transaction() as session:
        if not closing_store.claim_reminder_pass(session, round_id, now):
            return []
        round_ = round_store.round_by_id(session, round_id)
        assert round_ is not None
        team = team_store.team_by_id(session, round_.team_id)
        if team is None:
            return []
        info = round_info(round_, team)
        return [
            ReminderTarget(
                prompt.user_id,
                info,
                prompt.prompt_id,
                route=prompt.route,
                prompt_channel=prompt.channel_id,
                prompt_ts=prompt.message_ts,
            )
            for prompt in opening_store.mark_reminded(session, round_id)
        ]
