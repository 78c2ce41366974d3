"""Counts for operators, read from the database because the database is the truth.

Prompts and answers are written by whichever process sent or received them (a web worker,
the scheduler); counting rows gives the same figure whichever process is asked.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Answer, PendingAnswer, Prompt, Team


def prompts_sent(session: Session) -> int:
    """Prompts Slack accepted, across every round ever opened."""
    return int(session.scalar(select(func.count()).where(Prompt.state == "sent")) or 0)


def answers_recorded(session: Session) -> int:
    """Answers held: those of open rounds (one per question, however often changed) and
    those of closed rounds."""
    pending = session.scalar(select(func.count()).select_from(PendingAnswer)) or 0
    closed = session.scalar(select(func.count()).select_from(Answer)) or 0
    return int(pending + closed)


def active_teams(session: Session) -> int:
    """Teams the schedule looks after."""
    return int(session.scalar(select(func.count()).where(Team.active.is_(True))) or 0)
