"""Deleting what identifies a person, and raw answers past their retention."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.models import Answer, Prompt, Round, Team


def delete_prompts_of(session: Session, *, workspace_id: str, user_id: str) -> int:
    """Every prompt sent to the person in the workspace; open answers go with them."""
    rounds = select(Round.id).join(Team, Team.id == Round.team_id)
    rounds = rounds.where(Team.workspace_id == workspace_id)
    result = session.execute(
        delete(Prompt)
        .where(Prompt.user_id == user_id, Prompt.round_id.in_(rounds))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def rounds_closed_before(session: Session, cutoff: datetime) -> list[int]:
    """Rounds whose raw answers have outlived the retention period."""
    return list(
        session.scalars(
            select(Round.id).where(Round.closed_at.is_not(None), Round.closed_at < cutoff)
        )
    )


def delete_answers_of(session: Session, round_ids: list[int]) -> int:
    """Remove the unlinked raw answers of some rounds."""
    if not round_ids:
        return 0
    result = session.execute(
        delete(Answer)
        .where(Answer.round_id.in_(round_ids))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
