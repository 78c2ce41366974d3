"""Reminders queued before they are sent: `prompts.reminder_state` 'due', then 'sent'

A round's reminder pass marks every prompt it nudges 'due' when it is taken; each nudge is
then taken ('due' → 'sent') in one statement just before it goes, so a pass cut short is
finished by a later tick and nobody is nudged twice. A partial index finds the queued ones.

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

REMINDER_DUE = sa.text("reminder_state = 'due'")


def upgrade() -> None:
    op.create_index(
        "ix_prompts_reminder_due",
        "prompts",
        ["round_id"],
        sqlite_where=REMINDER_DUE,
        postgresql_where=REMINDER_DUE,
    )


def downgrade() -> None:
    op.drop_index("ix_prompts_reminder_due", table_name="prompts")
