"""Every action a team agreed, open, done or dropped, as CSV: the team's history of what it
tried stays with its figures. Actions carry no figures, so nothing here can reveal an answer."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from surveys.actions import AgreedAction

ACTION_COLUMNS = (
    "team",
    "id",
    "behaviour",
    "text",
    "owner",
    "agreed_week",
    "review_week",
    "status",
    "owner_report",
)


def export_actions_csv(team: str, actions: Sequence[AgreedAction]) -> str:
    """One row per action, oldest first."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ACTION_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for a in actions:
        writer.writerow(
            {
                "team": team,
                "id": a.id,
                "behaviour": a.behaviour_id,
                "text": a.text,
                "owner": a.owner or "",
                "agreed_week": a.agreed_week,
                "review_week": a.review_week,
                "status": a.status,
                "owner_report": a.owner_report or "",
            }
        )
    return buffer.getvalue()
