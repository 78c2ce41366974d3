"""A member's right to be forgotten, and the retention limit on raw answers."""

from __future__ import annotations

from dataclasses import dataclass

from storage import privacy as privacy_store
from storage import teams as team_store
from storage.database import Database


@dataclass(frozen=True)
class Forgotten:
    """What was deleted for a person."""

    prompts: int


def forget_member(*, db: Database, workspace_id: str, user_id: str) -> Forgotten:
    """Delete everything that names the person: memberships, manager roles, their opt-out,
    the record of which pulses went to them and any answer still linked to them.

    Answers of closed rounds were unlinked from everyone when those rounds closed, so the
    published figures they make up stay as they are.
    """
    with db.transaction() as session:
        prompts = privacy_store.delete_prompts_of(
            session, workspace_id=workspace_id, user_id=user_id
        )
        team_store.forget_user(session, workspace_id=workspace_id, user_id=user_id)
        return Forgotten(prompts=prompts)
