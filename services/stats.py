"""Totals for operators, read from the database (the same figure from every process)."""

from __future__ import annotations

from dataclasses import dataclass

from storage import stats as stats_store
from storage.database import Database


@dataclass(frozen=True)
class PulseTotals:
    """How much the bot has done, since it was first set up."""

    prompts_sent: int
    answers_recorded: int
    active_teams: int


def totals(*, db: Database) -> PulseTotals:
    """Prompts sent, answers held and teams surveyed, in one read."""
    with db.transaction() as session:
        return PulseTotals(
            prompts_sent=stats_store.prompts_sent(session),
            answers_recorded=stats_store.answers_recorded(session),
            active_teams=stats_store.active_teams(session),
        )
