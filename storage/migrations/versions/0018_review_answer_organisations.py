"""The organisation a closed review answer counts in

`review_answers.organisation` names a partner's answer's organisation only where that
organisation had at least the review's threshold of respondents, and the answers left
unnamed are none or as many (surveys/anonymity.py, kept_organisation_labels; the same rule
as `answers.organisation`, docs/METHOD.md). A peer reviewer's answer never carries one.

Revision ID: 0018
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review_answers") as answers:
        answers.add_column(sa.Column("organisation", sa.String(80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("review_answers") as answers:
        answers.drop_column("organisation")
