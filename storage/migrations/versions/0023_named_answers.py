"""Answers that kept an organisation's name, indexed by round

A digest reads the organisations' answers only of its team's rounds in which an
organisation kept its name. Finding those rounds read every answer of every team; a partial
index over the named answers' rounds makes it a probe per round of the team.

Revision ID: 0023
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0020"
branch_labels = None
depends_on = None

NAMED = sa.text("organisation IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_answers_named_round",
        "answers",
        ["round_id"],
        sqlite_where=NAMED,
        postgresql_where=NAMED,
    )


def downgrade() -> None:
    op.drop_index("ix_answers_named_round", table_name="answers")
