"""Review prompts in the team channel: how each reached its member, and its kept response_url

`review_prompts.route` says how a review prompt reached its member, as `prompts.route` does
for the pulse: `dm`, `ephemeral` (alone in the team channel, where Slack refused the DM) or
`unreachable`. `review_ephemeral_views` holds the latest `response_url` of an in-channel
review prompt its member clicked, until the answers it shows have been hidden.

Revision ID: 0020
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review_prompts") as prompts:
        prompts.add_column(sa.Column("route", sa.String(16), nullable=True))
    op.create_table(
        "review_ephemeral_views",
        sa.Column(
            "prompt_id",
            sa.Integer(),
            sa.ForeignKey("review_prompts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "review_id",
            sa.Integer(),
            sa.ForeignKey("reviews.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("response_url", sa.String(512), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hide_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uses", sa.SmallInteger(), nullable=False),
        sa.Column("shows_answer", sa.Boolean(), nullable=False),
    )
    op.create_index(
        "ix_review_ephemeral_views_hide_at", "review_ephemeral_views", ["shows_answer", "hide_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_review_ephemeral_views_hide_at", table_name="review_ephemeral_views")
    op.drop_table("review_ephemeral_views")
    with op.batch_alter_table("review_prompts") as prompts:
        prompts.drop_column("route")
