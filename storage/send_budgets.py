"""The send budgets every process draws from, one row per (workspace, method tier).

A take locks the row (`SELECT … FOR UPDATE`), works out the refill on the database's own
clock, and writes what is left, in one short transaction: two processes never hand out the
same token, and processes on different machines need not agree on the time. A process
takes a few tokens at a time, so a round trip serves several calls.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from storage.database import Database
from storage.models import SendBudget
from storage.records import BudgetGrant
from surveys import token_bucket
from surveys.token_bucket import Allowance, Bucket

_NOW = func.extract("epoch", func.clock_timestamp())


def _locked(
    session: Session, workspace_id: str, tier: str, allowance: Allowance
) -> tuple[Bucket, float]:
    """The row, locked for this transaction (made full if it is new), and the time now."""
    query = (
        select(SendBudget.tokens, SendBudget.refilled_epoch, SendBudget.paused_until_epoch, _NOW)
        .where(SendBudget.workspace_id == workspace_id, SendBudget.tier == tier)
        .with_for_update()
    )
    row = session.execute(query).one_or_none()
    if row is None:
        now = float(session.scalar(select(_NOW)) or 0.0)
        start = token_bucket.full(allowance, now)
        session.execute(
            insert(SendBudget)
            .values(
                workspace_id=workspace_id,
                tier=tier,
                tokens=start.tokens,
                refilled_epoch=start.at,
                paused_until_epoch=0.0,
            )
            .on_conflict_do_nothing()
        )
        row = session.execute(query).one()
    tokens, at, paused_until, now = row
    return Bucket(float(tokens), float(at), float(paused_until)), float(now)


def _store(session: Session, workspace_id: str, tier: str, bucket: Bucket) -> None:
    session.execute(
        update(SendBudget)
        .where(SendBudget.workspace_id == workspace_id, SendBudget.tier == tier)
        .values(
            tokens=bucket.tokens, refilled_epoch=bucket.at, paused_until_epoch=bucket.paused_until
        )
    )


def take_tokens(
    db: Database, *, workspace_id: str, tier: str, want: int, enough: int, allowance: Allowance
) -> BudgetGrant:
    """Up to ``want`` calls from the shared budget, or how long until ``enough`` are left."""
    with db.transaction() as session:
        bucket, now = _locked(session, workspace_id, tier, allowance)
        taken = token_bucket.take(bucket, now, want=want, enough=enough, allowance=allowance)
        if taken.bucket != bucket:
            _store(session, workspace_id, tier, taken.bucket)
    return BudgetGrant(taken.granted, taken.wait)


def pause_senders(
    db: Database, *, workspace_id: str, tier: str, seconds: float, allowance: Allowance
) -> None:
    """Slack asked one sender to wait ``seconds``: every sender of the workspace waits."""
    with db.transaction() as session:
        bucket, now = _locked(session, workspace_id, tier, allowance)
        _store(session, workspace_id, tier, token_bucket.pause(bucket, now, seconds))
