"""Peer reviewers and the quarterly review setting

`review_prompts.peer` marks the review DM of a peer reviewer a manager invited from outside
the partnership, and `review_answers.peer` keeps their answers apart once the review has
closed: they are never counted with the partners'. `reviews.peers_invited` and
`reviews.peers_responded` are the peer reviewers' participation, kept apart from the
partners' `invited` and `responded`. `teams.review_schedule_from` is when a manager asked
for the review to start by itself each quarter (null: it does not); only quarters whose
slot comes after it are started.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review_prompts") as prompts:
        prompts.add_column(
            sa.Column("peer", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("review_answers") as answers:
        answers.add_column(
            sa.Column("peer", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("reviews") as reviews:
        reviews.add_column(
            sa.Column("peers_invited", sa.Integer(), nullable=False, server_default="0")
        )
        reviews.add_column(
            sa.Column("peers_responded", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("teams") as teams:
        teams.add_column(
            sa.Column("review_schedule_from", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("teams") as teams:
        teams.drop_column("review_schedule_from")
    with op.batch_alter_table("reviews") as reviews:
        reviews.drop_column("peers_responded")
        reviews.drop_column("peers_invited")
    with op.batch_alter_table("review_answers") as answers:
        answers.drop_column("peer")
    with op.batch_alter_table("review_prompts") as prompts:
        prompts.drop_column("peer")
