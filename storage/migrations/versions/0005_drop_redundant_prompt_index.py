"""Drop the prompts index on (round_id, state)

Every lookup it served, by round and state, is served as well by the first two columns of
ix_prompts_round_state_due (migration 0002). Each index that holds a prompt's state is
rewritten twice per DM, when the prompt is claimed and when it is marked sent, so one
fewer makes every DM of a fan-out cheaper to record.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("prompts", schema=None) as batch_op:
        batch_op.drop_index("ix_prompts_round_state")


def downgrade() -> None:
    with op.batch_alter_table("prompts", schema=None) as batch_op:
        batch_op.create_index("ix_prompts_round_state", ["round_id", "state"], unique=False)
