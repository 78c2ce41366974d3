"""Agreed actions in the database: added, read for digests and App Home, closed, and the
owner's two messages claimed so each goes once across processes."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import cast

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from storage.models import AgreedActionRow, Round, Team
from storage.records import AgreedActionRecord, record
from surveys.actions import ActionStatus, AgreedAction, OwnerReport


def _record(row: AgreedActionRow) -> AgreedActionRecord:
    return record(AgreedActionRecord, row)


def as_action(row: AgreedActionRecord | AgreedActionRow) -> AgreedAction:
    """The domain's view of a stored action."""
    return AgreedAction(
        id=row.id,
        behaviour_id=row.behaviour_id,
        text=row.text,
        owner=row.owner_id,
        agreed_week=row.agreed_week,
        review_week=row.review_week,
        status=cast("ActionStatus", row.status),
        baseline_week=row.baseline_week,
        owner_report=cast("OwnerReport | None", row.owner_report),
    )


def add_action(
    session: Session,
    *,
    team_id: int,
    behaviour_id: str,
    suggestion: str | None,
    text: str,
    owner_id: str,
    agreed_by: str,
    agreed_at: datetime,
    agreed_week: str,
    baseline_week: str | None,
    review_week: str,
) -> AgreedActionRecord:
    """Store a new open action and give it its id."""
    row = AgreedActionRow(
        team_id=team_id,
        behaviour_id=behaviour_id,
        suggestion=suggestion,
        text=text,
        owner_id=owner_id,
        agreed_by=agreed_by,
        agreed_at=agreed_at,
        agreed_week=agreed_week,
        baseline_week=baseline_week,
        review_week=review_week,
        status="open",
    )
    session.add(row)
    session.flush()
    return _record(row)


def action_by_id(session: Session, action_id: int) -> AgreedActionRecord | None:
    """One action, or None."""
    row = session.get(AgreedActionRow, action_id)
    return None if row is None else _record(row)


def actions_of_teams(session: Session, team_ids: Collection[int]) -> dict[int, list[AgreedAction]]:
    """Every action of some teams, oldest first, grouped by team id."""
    if not team_ids:
        return {}
    rows = session.scalars(
        select(AgreedActionRow)
        .where(AgreedActionRow.team_id.in_(list(team_ids)))
        .order_by(AgreedActionRow.id)
    ).all()
    grouped: dict[int, list[AgreedAction]] = {}
    for row in rows:
        grouped.setdefault(row.team_id, []).append(as_action(row))
    return grouped


def reviewed_behaviours(session: Session, *, team_id: int, week: str) -> list[str]:
    """Behaviours of the team's open actions reviewed in ``week``."""
    return list(
        session.scalars(
            select(AgreedActionRow.behaviour_id).where(
                AgreedActionRow.team_id == team_id,
                AgreedActionRow.status == "open",
                AgreedActionRow.review_week == week,
            )
        ).all()
    )


def reviewed_behaviours_of(session: Session, weeks: Mapping[int, str]) -> dict[int, list[str]]:
    """`reviewed_behaviours` for many teams at once: each team's week, by team id."""
    found: dict[int, list[str]] = {team_id: [] for team_id in weeks}
    if not weeks:
        return found
    rows = session.execute(
        select(AgreedActionRow.team_id, AgreedActionRow.behaviour_id, AgreedActionRow.review_week)
        .where(
            AgreedActionRow.team_id.in_(sorted(weeks)),
            AgreedActionRow.status == "open",
            AgreedActionRow.review_week.in_(sorted(set(weeks.values()))),
        )
        .order_by(AgreedActionRow.id)
    )
    for team_id, behaviour_id, week in rows:
        if weeks[team_id] == week:
            found[team_id].append(behaviour_id)
    return found


def untold_owners(session: Session) -> list[AgreedActionRecord]:
    """Open actions whose owner has not yet been told."""
    rows = session.scalars(
        select(AgreedActionRow).where(
            AgreedActionRow.owner_told_at.is_(None),
            AgreedActionRow.owner_id.is_not(None),
            AgreedActionRow.status == "open",
        )
    ).all()
    return [_record(row) for row in rows]


def reviews_to_ask(session: Session) -> list[AgreedActionRecord]:
    """Open actions whose team has opened the round of their review week (or a later one)
    and whose owner has not yet been asked whether it was done."""
    round_reached = exists().where(
        Round.team_id == AgreedActionRow.team_id, Round.week >= AgreedActionRow.review_week
    )
    rows = session.scalars(
        select(AgreedActionRow).where(
            AgreedActionRow.review_asked_at.is_(None),
            AgreedActionRow.owner_id.is_not(None),
            AgreedActionRow.status == "open",
            round_reached,
        )
    ).all()
    return [_record(row) for row in rows]


def claim(session: Session, action_id: int, column: str, now: datetime) -> bool:
    """Take the right to send one of an action's messages; only one process gets it."""
    field = getattr(AgreedActionRow, column)
    result = session.execute(
        update(AgreedActionRow)
        .where(AgreedActionRow.id == action_id, field.is_(None))
        .values({column: now})
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def release(session: Session, action_id: int, column: str) -> None:
    """Give a claim back after a failed send, so a later tick retries."""
    session.execute(
        update(AgreedActionRow).where(AgreedActionRow.id == action_id).values({column: None})
    )


def forget_user(session: Session, *, workspace_id: str, user_id: str) -> None:
    """Unname a person from the actions of their workspace's teams; the actions stay."""
    teams = select(Team.id).where(Team.workspace_id == workspace_id)
    for column in (AgreedActionRow.owner_id, AgreedActionRow.agreed_by):
        session.execute(
            update(AgreedActionRow)
            .where(AgreedActionRow.team_id.in_(teams), column == user_id)
            .values({column.key: None})
        )


def close_action(
    session: Session, action_id: int, status: ActionStatus, now: datetime
) -> AgreedActionRecord:
    """An action marked done or dropped; it stays in the team's history."""
    row = session.get_one(AgreedActionRow, action_id)
    row.status = status
    row.closed_at = now
    return _record(row)


def set_owner_report(session: Session, action_id: int, report: OwnerReport) -> AgreedActionRecord:
    """The owner's word on whether the action was done; a later one replaces it."""
    row = session.get_one(AgreedActionRow, action_id)
    row.owner_report = report
    return _record(row)
