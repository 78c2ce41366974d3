"""Record which live sender holds each claimed prompt

A prompt being sent names its sender's owner key (storage/claimants.py): a key that sender
holds a lock on for as long as it lives. A sender that died leaves its lock free, so a
re-run can take its claims at once instead of waiting out their lease.

Revision ID: 0008_claim_owners
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_claim_owners"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("prompts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_owner", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("prompts", schema=None) as batch_op:
        batch_op.drop_column("claim_owner")
