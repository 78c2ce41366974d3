"""Closed prompt redraws: the outbox of DMs to redraw or delete when a round closes

Every prompt DM of a closed round is redrawn to one message, the same for everyone, and
every reminder is deleted, paced like the fan-out and resumed after a crash, so no DM
left in Slack shows what a member chose or that they were reminded.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "closed_redraws",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "round_id", sa.Integer(), sa.ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("message_ts", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_closed_redraws_state_id", "closed_redraws", ["state", "id"])


def downgrade() -> None:
    op.drop_index("ix_closed_redraws_state_id", table_name="closed_redraws")
    op.drop_table("closed_redraws")
