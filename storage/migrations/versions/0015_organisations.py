"""Partner organisations: a manager's assignment, members' email domains, and the
organisation a closed answer counts in

organisations and organisation_assignments hold what a manager set in the team settings
(organisation names, with people or email domains assigned to each). members.email_domain
is the domain of a member's email (NULL: not looked up yet; "": none), never the address.
answers.organisation names an answer's organisation only where that organisation had at
least the team's threshold of respondents in the round, and the answers left unnamed are
none or as many (surveys/anonymity.py, kept_organisation_labels; docs/METHOD.md).

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "team_id", sa.Integer(), sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.UniqueConstraint("team_id", "name"),
    )
    op.create_table(
        "organisation_assignments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "organisation_id",
            sa.Integer(),
            sa.ForeignKey("organisations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("value", sa.String(255), nullable=False),
        sa.UniqueConstraint("organisation_id", "kind", "value"),
    )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_domain", sa.String(255), nullable=True))
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organisation", sa.String(80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_column("organisation")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("email_domain")
    op.drop_table("organisation_assignments")
    op.drop_table("organisations")
