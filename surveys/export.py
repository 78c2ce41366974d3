"""The published figures of a team as rows, for a CSV or JSON export.

Only closed rounds' digests go in, and a suppressed figure's numbers stay empty, so an
export says nothing a posted digest did not.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from surveys.digest import Digest, Figure
from surveys.digest_format import digest_to_dict, figure_fields
from surveys.organisation_format import organisation_rows

COLUMNS = (
    "team",
    "week",
    "figure",
    "favourable",
    "unfavourable",
    "n",
    "score",
    "previous",
    "previous_week",
    "baseline",
    "change",
    "shift",
    "suppressed",
    "basis",
    "invited",
    "responded",
    "organisation",
)


def _row(digest: Digest, name: str, poles: tuple[str, str], figure: Figure) -> dict[str, Any]:
    return {
        "team": digest.team,
        "week": digest.week,
        "figure": name,
        "favourable": poles[0],
        "unfavourable": poles[1],
        **figure_fields(figure),
        "invited": digest.participation.invited,
        "responded": digest.participation.responded,
        "organisation": "",
    }


def export_rows(digests: Sequence[Digest]) -> list[dict[str, Any]]:
    """One row for each week's index and each behaviour asked that week."""
    rows = []
    for digest in digests:
        rows.append(_row(digest, "index", ("", ""), digest.index))
        for item in digest.asked:
            poles = (item.behaviour.favourable, item.behaviour.unfavourable)
            rows.append(_row(digest, item.behaviour.id, poles, item.figure))
        rows += [_organisation_row(digest, row) for row in organisation_rows(digest.organisations)]
    return rows


def _organisation_row(digest: Digest, figures: dict[str, Any]) -> dict[str, Any]:
    """An organisation's figure, in the team's columns; what SPEC §4 gives it no field for
    stays empty."""
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(team=digest.team, week=digest.week, **figures)
    row.update(invited=digest.participation.invited, responded=digest.participation.responded)
    return row


def export_csv(digests: Sequence[Digest]) -> str:
    """The rows as CSV text, empty cells for figures not shown."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in export_rows(digests):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()


def export_json(digests: Sequence[Digest]) -> str:
    """Every published digest in the SPEC's JSON form, oldest week first."""
    return json.dumps([digest_to_dict(d) for d in digests], indent=2, ensure_ascii=False)
