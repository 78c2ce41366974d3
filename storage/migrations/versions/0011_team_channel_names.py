"""Keep each team's channel name

Digests, charts and prompts name the team as its members know it ("#community-safety"),
not by Slack's channel id. The name is read from Slack when the team's members are read
and follows the channel when it is renamed; a team set up before this has none until then.

Revision ID: 0011
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel_name", sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_column("channel_name")
