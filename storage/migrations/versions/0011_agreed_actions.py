"""Agreed actions

A team's managers agree an action on one behaviour, with an owner and a review week; the
row stays when the action is done or dropped, so the export keeps the team's history.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agreed_actions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "team_id", sa.Integer(), sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("behaviour_id", sa.String(120), nullable=False),
        sa.Column("suggestion", sa.String(64), nullable=True),
        sa.Column("text", sa.String(300), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=True),
        sa.Column("agreed_by", sa.String(32), nullable=True),
        sa.Column("agreed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agreed_week", sa.String(8), nullable=False),
        sa.Column("baseline_week", sa.String(8), nullable=True),
        sa.Column("review_week", sa.String(8), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("owner_told_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_asked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("owner_report", sa.String(8), nullable=True),
    )
    op.create_index("ix_agreed_actions_team_status", "agreed_actions", ["team_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_agreed_actions_team_status", table_name="agreed_actions")
    op.drop_table("agreed_actions")
