"""Opening a team's round and sending its prompts: the one path for the schedule and `/pulse send`.

The scheduled tick, the manager's `/pulse send` and `python bot.py pulse send` all open a
round the same way, so membership is refreshed and the prompts queued alike whoever asks.
"""

from __future__ import annotations

from delivery.actions import ask_reviews
from delivery.context import Outbound
from delivery.members import refresh_members
from delivery.prompts import send_due_prompts
from services import rounds as round_service
from services import teams as team_service
from services.rounds import RoundInfo


def open_for_sending(out: Outbound, *, channel_id: str, week: str, scheduled: bool) -> RoundInfo:
    """Refresh the team's membership and open (or find) the round, its prompts queued."""
    team = team_service.find_team(db=out.db, channel_id=channel_id)
    refresh_members(out, team)
    return round_service.open_round(
        db=out.db,
        channel_id=channel_id,
        week=week,
        now=out.clock(),
        scheduled=scheduled,
        marking_secret=out.marking_secret,
    )


def open_and_send(out: Outbound, *, channel_id: str, week: str, scheduled: bool) -> int:
    """Open (or find) the round and send what is due; the number of prompts sent."""
    round_ = open_for_sending(out, channel_id=channel_id, week=week, scheduled=scheduled)
    sent = send_due_prompts(out, round_id=round_.id).sent
    ask_reviews(out)
    return sent
