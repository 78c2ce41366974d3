"""Which teams' quarterly partnership review is due to start by itself now.

Worked out from stored state each minute, like the rounds: a restart, a missed minute or a
second process never loses the quarter's review or starts it twice (a team has at most one
review a quarter, a unique key), and a review missed while the bot was down starts when it
returns, if the week it would have been open is not over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage import reviews as review_store
from storage import teams as team_store
from storage.database import Database
from surveys.review_schedule import local_quarter, review_due, review_slot
from surveys.schedule import zone


@dataclass(frozen=True)
class DueReview:
    """A team whose review for a quarter should start now."""

    workspace_id: str
    channel_id: str
    quarter: str


def due_reviews(*, db: Database, now: datetime) -> list[DueReview]:
    """Teams asking for quarterly reviews whose slot has come, with no review for the
    quarter and none still open."""
    due = []
    with db.reading() as session:
        for team in review_store.teams_reviewing_quarterly(session):
            assert team.review_schedule_from is not None
            tz = zone(team.timezone)
            quarter = local_quarter(now, tz)
            slot = review_slot(quarter, weekday=team.pulse_weekday, clock=team.pulse_time, tz=tz)
            asked_from = max(team.review_schedule_from, team.schedule_from)
            if not review_due(slot, now=now, asked_from=asked_from):
                continue
            if review_store.has_review(session, team_id=team.id, quarter=quarter):
                continue
            due.append(DueReview(team.workspace_id, team.channel_id, quarter))
    return due


def managers_to_tell(*, db: Database, workspace_id: str, channel_id: str) -> tuple[str, ...]:
    """The team's present managers, told once when its review starts by itself."""
    with db.reading() as session:
        team = team_store.team_by_channel(session, channel_id, workspace_id)
        return () if team is None else tuple(team_store.present_managers(session, team.id))
