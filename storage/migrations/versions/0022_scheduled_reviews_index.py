"""The teams whose quarterly review starts by itself, along a partial index

Each tick asks which teams want their review started by itself; without an index that read
walked every team, a cost that grew with the number of teams even when none had asked.

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

REVIEWS_SCHEDULED = sa.text("review_schedule_from IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_teams_reviews_scheduled",
        "teams",
        ["id"],
        sqlite_where=REVIEWS_SCHEDULED,
        postgresql_where=REVIEWS_SCHEDULED,
    )


def downgrade() -> None:
    op.drop_index("ix_teams_reviews_scheduled", table_name="teams")
