"""Members a round's prompt could reach neither by DM nor in the team channel, and whether
their team's managers have been told. They take a session and never commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from storage.models import Member, Prompt, Round


def claim_untold(session: Session, *, round_id: int, now: datetime) -> list[str]:
    """The round's unreachable members whose managers were never told, marked as told now
    (so each is told of once, not every week); only one caller gets each."""
    round_ = session.get(Round, round_id)
    if round_ is None:
        return []
    unreachable = select(Prompt.user_id).where(
        Prompt.round_id == round_id, Prompt.state == "unreachable"
    )
    return claim_untold_among(session, team_id=round_.team_id, user_ids=unreachable, now=now)


def claim_untold_among(
    session: Session, *, team_id: int, user_ids: Select[str], now: datetime
) -> list[str]:
    """Those of ``user_ids`` (a round's or a review's unreachable people) in the team whose
    managers were never told of them, marked as told now; only one caller gets each."""
    candidates = list(
        session.scalars(
            select(Member.user_id)
            .where(
                Member.team_id == team_id,
                Member.user_id.in_(user_ids),
                Member.unreachable_told_at.is_(None),
            )
            .order_by(Member.user_id)
        )
    )
    claimed = []
    for user_id in candidates:
        result = session.execute(
            update(Member)
            .where(
                Member.team_id == team_id,
                Member.user_id == user_id,
                Member.unreachable_told_at.is_(None),
            )
            .values(unreachable_told_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            claimed.append(user_id)
    return claimed
