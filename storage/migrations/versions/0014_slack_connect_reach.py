"""Slack Connect: members' home workspaces, workspace names, and in-channel prompts

`members.home_team_id` is the workspace Slack names as a member's home (`users.info`
`user.team_id`); `workspace_names` keeps each workspace's name (`team.info`), so that a
member from another organisation can be counted in theirs. `members.unreachable_told_at`
marks a member the bot could reach neither by DM nor in the channel, once its managers
were told. `prompts.route` says how a prompt reached its member (`dm`, `ephemeral` in the
team channel, or `unreachable`), and `ephemeral_views` holds the latest `response_url` of
an ephemeral prompt the member clicked, until the answer it shows has been hidden.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members") as members:
        members.add_column(sa.Column("home_team_id", sa.String(32), nullable=True))
        members.add_column(
            sa.Column("unreachable_told_at", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("prompts") as prompts:
        prompts.add_column(sa.Column("route", sa.String(16), nullable=True))
    op.create_table(
        "workspace_names",
        sa.Column("workspace_id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("learned_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "ephemeral_views",
        sa.Column(
            "prompt_id",
            sa.Integer(),
            sa.ForeignKey("prompts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "round_id", sa.Integer(), sa.ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("response_url", sa.String(512), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hide_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uses", sa.SmallInteger(), nullable=False),
        sa.Column("shows_answer", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_ephemeral_views_hide_at", "ephemeral_views", ["shows_answer", "hide_at"])


def downgrade() -> None:
    op.drop_index("ix_ephemeral_views_hide_at", table_name="ephemeral_views")
    op.drop_table("ephemeral_views")
    op.drop_table("workspace_names")
    with op.batch_alter_table("prompts") as prompts:
        prompts.drop_column("route")
    with op.batch_alter_table("members") as members:
        members.drop_column("unreachable_told_at")
        members.drop_column("home_team_id")
