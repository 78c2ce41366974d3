"""When each team and round next owes something, so that the tick reads only what is due

`teams.next_pulse_at`: the earliest moment a scheduled round of the team could fall due
(NULL: work it out at the next tick). `rounds.remind_at`: when an open round's one reminder
falls due (its close, when it owes none; NULL: work it out). Partial indexes over the open
rounds by close and reminder, the closed rounds still owed a digest, the open reviews and the
review DMs by state.

Revision ID: 0017
Revises: 0018
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

OPEN = sa.text("closed_at IS NULL")
OPEN_UNREMINDED = sa.text("closed_at IS NULL AND reminded_at IS NULL")
DIGEST_OWED = sa.text("closed_at IS NOT NULL AND digest_posted_at IS NULL")


def _partial(where: sa.TextClause) -> dict[str, Any]:
    return {"sqlite_where": where, "postgresql_where": where}


def upgrade() -> None:
    with op.batch_alter_table("teams") as batch_op:
        batch_op.add_column(sa.Column("next_pulse_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("rounds") as batch_op:
        batch_op.add_column(sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_teams_next_pulse_at", "teams", ["next_pulse_at"])
    op.create_index("ix_rounds_open_closes_at", "rounds", ["closes_at"], **_partial(OPEN))
    op.create_index(
        "ix_rounds_open_remind_at", "rounds", ["remind_at"], **_partial(OPEN_UNREMINDED)
    )
    op.create_index("ix_rounds_digest_owed", "rounds", ["id"], **_partial(DIGEST_OWED))
    op.create_index("ix_reviews_open_closes_at", "reviews", ["closes_at"], **_partial(OPEN))
    op.create_index("ix_review_prompts_state", "review_prompts", ["state"])


def downgrade() -> None:
    op.drop_index("ix_review_prompts_state", table_name="review_prompts")
    op.drop_index("ix_reviews_open_closes_at", table_name="reviews")
    op.drop_index("ix_rounds_digest_owed", table_name="rounds")
    op.drop_index("ix_rounds_open_remind_at", table_name="rounds")
    op.drop_index("ix_rounds_open_closes_at", table_name="rounds")
    op.drop_index("ix_teams_next_pulse_at", table_name="teams")
    with op.batch_alter_table("rounds") as batch_op:
        batch_op.drop_column("remind_at")
    with op.batch_alter_table("teams") as batch_op:
        batch_op.drop_column("next_pulse_at")
