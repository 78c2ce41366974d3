"""Index answers for the sums digests are built from

Digests add up each round's answers per person and per behaviour in the database
(`storage.digest_queries`). Two covering indexes let it walk the answers already in the
order of each sum, reading the points from the index alone, rather than hashing or sorting
every answer of the year: (round_id, respondent, point) for the per-person sums, and
(round_id, behaviour_id, point), which takes the place of (round_id, behaviour_id).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_index("ix_answers_round_behaviour")
        batch_op.create_index(
            "ix_answers_round_behaviour_point", ["round_id", "behaviour_id", "point"]
        )
        batch_op.create_index(
            "ix_answers_round_respondent_point", ["round_id", "respondent", "point"]
        )


def downgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_index("ix_answers_round_respondent_point")
        batch_op.drop_index("ix_answers_round_behaviour_point")
        batch_op.create_index("ix_answers_round_behaviour", ["round_id", "behaviour_id"])
