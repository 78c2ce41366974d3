"""Indexes for claiming due prompts

A claim looks for the earliest due prompts that were never sent, or whose sender has
abandoned them, within a round (`/pulse send`, a round being opened) or across every open
round (the schedule's pass). With these indexes each lookup reads the first rows in due
order and stops, instead of sorting every due prompt of the round or scanning every prompt
ever sent.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("prompts", schema=None) as batch_op:
        batch_op.create_index("ix_prompts_state_due", ["state", "due_at", "id"], unique=False)
        batch_op.create_index(
            "ix_prompts_round_state_due", ["round_id", "state", "due_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("prompts", schema=None) as batch_op:
        batch_op.drop_index("ix_prompts_round_state_due")
        batch_op.drop_index("ix_prompts_state_due")
