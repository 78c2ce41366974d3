"""The export and the digest JSON are two views of one set of published figures."""

from __future__ import annotations

import csv
import io

from surveys.digest import AnswerRow, Digest, RoundFacts, compute_digest
from surveys.digest_format import digest_to_dict
from surveys.export import COLUMNS, export_csv, export_rows

A, B = "talk-of-us", "ask-and-listen"
WEEKS = ("2026-W45", "2026-W46")


def _digests() -> list[Digest]:
    answers = [
        AnswerRow(week, f"{week}-p{i}", behaviour, point)
        for week in WEEKS
        for behaviour, points in ((A, [5, 4, 4, 2, 5, 3]), (B, [2, 3, 1]))
        for i, point in enumerate(points)
    ]
    rounds = [RoundFacts(week, (A, B), 8) for week in WEEKS]
    return [
        compute_digest(team="C1", week=week, answers=answers, rounds=rounds, threshold=5)
        for week in WEEKS
    ]


def test_an_export_row_carries_the_same_figures_as_the_digest_json() -> None:
    last = _digests()[-1]
    rows = {row["figure"]: row for row in export_rows([last]) if row["week"] == last.week}
    published = digest_to_dict(last)
    asked = [entry for entry in published["behaviours"] if entry["id"] in rows]
    assert len(asked) == 2
    for entry in asked:
        row = rows[entry.pop("id")]
        assert {key: row[key] for key in entry} == entry
    # The recent-weeks verdict and its basis are the digest's words; the export keeps figures.
    index = {k: v for k, v in published["index"].items() if k != "recent"}
    assert {k: rows["index"][k] for k in index} == index


def test_a_suppressed_figure_exports_as_empty_cells() -> None:
    table = list(csv.DictReader(io.StringIO(export_csv(_digests()))))
    suppressed = [row for row in table if row["figure"] == B]
    assert suppressed and all(row["suppressed"] == "True" for row in suppressed)
    assert all(row["score"] == row["n"] == "" for row in suppressed)
    assert list(table[0]) == list(COLUMNS)
