"""Partnership-effectiveness reviews

A review of a team per quarter, the DMs that ask it, its answers while open (linked to the
prompt so they can change) and once closed (under a number drawn at close).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "team_id", sa.Integer(), sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("quarter", sa.String(7), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("threshold", sa.SmallInteger(), nullable=False),
        sa.Column("invited", sa.Integer(), nullable=False),
        sa.Column("responded", sa.Integer(), nullable=False),
        sa.UniqueConstraint("team_id", "quarter"),
    )
    op.create_table(
        "review_prompts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "review_id",
            sa.Integer(),
            sa.ForeignKey("reviews.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("workspace_id", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel_id", sa.String(32), nullable=True),
        sa.Column("message_ts", sa.String(32), nullable=True),
        sa.Column("redrawn_closed", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("review_id", "user_id"),
    )
    op.create_table(
        "review_pending_answers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "prompt_id",
            sa.Integer(),
            sa.ForeignKey("review_prompts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=True),
        sa.UniqueConstraint("prompt_id", "question_id"),
    )
    op.create_table(
        "review_answers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "review_id",
            sa.Integer(),
            sa.ForeignKey("reviews.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("respondent", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=True),
    )
    op.create_index(
        "ix_review_answers_review_question", "review_answers", ["review_id", "question_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_review_answers_review_question", table_name="review_answers")
    op.drop_table("review_answers")
    op.drop_table("review_pending_answers")
    op.drop_table("review_prompts")
    op.drop_table("reviews")
