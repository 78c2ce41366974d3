"""The rows a round's opening adds and changes. They take a session and never commit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from storage import rounds as round_store
from storage.models import Prompt, Round
from storage.records import RoundRecord, record


def close_earlier_rounds(session: Session, *, team_id: int, week: str, now: datetime) -> None:
    """A round stays open until the team's next round opens: earlier open rounds close now
    at the latest."""
    for earlier in round_store.open_round_rows(session, team_id=team_id):
        if earlier.week < week:
            earlier.closes_at = min(earlier.closes_at, now)


def add_round(
    session: Session,
    *,
    team_id: int,
    week: str,
    behaviour_ids: Sequence[str],
    opened_at: datetime,
    closes_at: datetime,
) -> RoundRecord:
    """A new round, with its id assigned."""
    round_ = Round(
        team_id=team_id,
        week=week,
        behaviour_ids=list(behaviour_ids),
        opened_at=opened_at,
        closes_at=closes_at,
        invited=0,
    )
    session.add(round_)
    session.flush()
    return record(RoundRecord, round_)


@dataclass(frozen=True)
class NewRound:
    """A round to add among many: the schedule opens every due team's at once."""

    team_id: int
    week: str
    behaviour_ids: Sequence[str]
    opened_at: datetime
    closes_at: datetime


def add_rounds(session: Session, rounds: Sequence[NewRound]) -> dict[int, int]:
    """Add many teams' rounds in a few statements, earlier open rounds of each closing now at
    the latest (as `close_earlier_rounds`); the new rounds' ids by team. A team that already
    has its round fails the whole unit of work on the unique constraint."""
    for week in sorted({r.week for r in rounds}):
        teams = sorted(r.team_id for r in rounds if r.week == week)
        now = min(r.opened_at for r in rounds if r.week == week)
        session.execute(
            update(Round)
            .where(
                Round.team_id.in_(teams),
                Round.closed_at.is_(None),
                Round.week < week,
                Round.closes_at > now,
            )
            .values(closes_at=now)
            .execution_options(synchronize_session=False)
        )
    if not rounds:
        return {}
    session.execute(
        insert(Round),
        [
            {
                "team_id": r.team_id,
                "week": r.week,
                "behaviour_ids": list(r.behaviour_ids),
                "opened_at": r.opened_at,
                "closes_at": r.closes_at,
                "invited": 0,
            }
            for r in rounds
        ],
    )
    ids: dict[int, int] = {}
    for week in sorted({r.week for r in rounds}):
        teams = sorted(r.team_id for r in rounds if r.week == week)
        rows = session.execute(
            select(Round.team_id, Round.id).where(Round.team_id.in_(teams), Round.week == week)
        )
        ids.update({team_id: round_id for team_id, round_id in rows})
    return ids


def queue_many_prompts(session: Session, due: Iterable[tuple[int, str, datetime]]) -> None:
    """A pending prompt for each (round, member, due time), written in one statement."""
    rows = [
        {"round_id": round_id, "user_id": user_id, "state": "pending", "due_at": due_at}
        for round_id, user_id, due_at in due
    ]
    if rows:
        session.execute(insert(Prompt), rows)


def queue_prompts(session: Session, round_id: int, due: Iterable[tuple[str, datetime]]) -> None:
    """A pending prompt for each (member, due time), for the outbox to send."""
    for user_id, due_at in due:
        session.add(Prompt(round_id=round_id, user_id=user_id, state="pending", due_at=due_at))
    session.flush()
