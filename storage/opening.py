"""The rows a round's opening adds and changes. They take a session and never commit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, bindparam, exists, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from storage import rounds as round_store
from storage.models import Member, OptOut, Prompt, Round, Team, UtcDateTime
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
    the latest (as `close_earlier_rounds`); the new rounds' ids by team, returned by the
    insert itself. A team that already has its round fails the whole unit of work on the
    unique constraint."""
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
    rows = session.execute(
        insert(Round).returning(Round.team_id, Round.id),
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
    return {team_id: round_id for team_id, round_id in rows}


def queue_members_prompts(
    session: Session, due: Mapping[int, Mapping[str | None, datetime]]
) -> None:
    """A pending prompt for every member of each new round's team who would be asked,
    written by the database from the members table: one INSERT … SELECT per due time, however
    many rounds share it. ``due``: by round id, when a member's prompt is due, by the
    member's time zone as stored (None: Slack gave none)."""
    by_time: dict[datetime, dict[str | None, list[int]]] = {}
    for round_id, times in due.items():
        for member_zone, due_at in times.items():
            by_time.setdefault(due_at, {}).setdefault(member_zone, []).append(round_id)
    for due_at, zones in sorted(by_time.items()):
        session.execute(
            insert(Prompt).from_select(
                ["round_id", "user_id", "state", "due_at"],
                select(Round.id, Member.user_id, literal("pending"), literal(due_at, UtcDateTime()))
                .join(Member, Member.team_id == Round.team_id)
                .where(or_(*(_in_zone(z, ids) for z, ids in sorted(zones.items(), key=_key))))
                .where(_asked())
                .order_by(Round.id, Member.user_id),
            )
        )


def _key(item: tuple[str | None, list[int]]) -> str:
    return item[0] or ""


def _in_zone(member_zone: str | None, round_ids: list[int]) -> ColumnElement[bool]:
    same = Member.timezone.is_(None) if member_zone is None else Member.timezone == member_zone
    return and_(Round.id.in_(sorted(round_ids)), same)


def _asked() -> ColumnElement[bool]:
    """A member who would be asked: as `storage.schedule`'s surveyable members, the opt-outs
    looked up in the team's own workspace."""
    opted_out = (
        select(OptOut.id)
        .join(Team, Team.workspace_id == OptOut.workspace_id)
        .where(Team.id == Round.team_id, OptOut.user_id == Member.user_id)
    )
    return (
        Member.in_channel.is_(True)
        & Member.is_bot.is_(False)
        & Member.deactivated.is_(False)
        & ~exists(opted_out)
    )


def move_next_pulses(session: Session, moves: Sequence[tuple[int, datetime, datetime]]) -> None:
    """For each (team, moment stored, next moment): the team's round for the stored moment is
    open, so its next moment is the next one; left alone where the stored moment has changed
    meanwhile (forgotten after a change to the team, or already moved)."""
    if moves:
        session.connection().execute(
            update(Team)
            .where(Team.id == bindparam("team"), Team.next_pulse_at == bindparam("stored"))
            .values(next_pulse_at=bindparam("moment")),
            [{"team": t, "stored": stored, "moment": m} for t, stored, m in moves],
        )


def queue_prompts(session: Session, round_id: int, due: Iterable[tuple[str, datetime]]) -> None:
    """A pending prompt for each (member, due time), for the outbox to send."""
    for user_id, due_at in due:
        session.add(Prompt(round_id=round_id, user_id=user_id, state="pending", due_at=due_at))
    session.flush()
