"""Record which live sender holds each claimed prompt, and who withdrew from open rounds

A prompt being sent names its sender's owner key (storage/claimants.py): a key that sender
holds a lock on for as long as it lives. A sender that died leaves its lock free, so a
re-run can take its claims at once instead of waiting out their lease.

round_withdrawals keeps, for a round still open, a mark for each person who asked to be
forgotten, so that sending the round again does not ask them again. A mark is a keyed hash
whose key the database does not hold (services/withdrawals.py); the marks go at close.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("prompts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_owner", sa.String(length=64), nullable=True))
    op.create_table(
        "round_withdrawals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("mark", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "mark"),
    )


def downgrade() -> None:
    op.drop_table("round_withdrawals")
    with op.batch_alter_table("prompts", schema=None) as batch_op:
        batch_op.drop_column("claim_owner")
