"""Send budgets shared by every sending process

`send_budgets` holds a token bucket per (workspace, Slack method tier): how many calls are
left, when it was last refilled and until when a 429 asked every sender to wait, in
seconds on the database's clock. Several `serve` processes on one PostgreSQL take from it,
so together they keep to the workspace's limits rather than each pacing at the full rate.

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "send_budgets",
        sa.Column("workspace_id", sa.String(32), primary_key=True),
        sa.Column("tier", sa.String(16), primary_key=True),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("refilled_epoch", sa.Float(), nullable=False),
        sa.Column("paused_until_epoch", sa.Float(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("send_budgets")
