"""When each team's schedule starts

A team's first scheduled round is the first pulse slot after it was set up: a slot that had
already passed that week was never owed. Existing teams start from when they were made,
which changes nothing for them (their first slot is long past).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("schedule_from", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE teams SET schedule_from = created_at")
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.alter_column(
            "schedule_from", existing_type=sa.DateTime(timezone=True), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_column("schedule_from")
