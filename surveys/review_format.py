"""A review's results as SPEC §6 JSON, and as text for a person: never one total."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from surveys.review import LEVEL_NAMES, QuestionResult, ReviewResults


def review_to_dict(results: ReviewResults) -> dict[str, Any]:
    """The results as `review show --format json` prints them (one entry per question, in
    the briefing's order; counts per level, lowest first, null when withheld)."""
    return {
        "team": results.team,
        "quarter": results.quarter,
        "closed": results.closed,
        "participation": {"invited": results.invited, "responded": results.responded},
        "previous_quarter": results.previous_quarter,
        "questions": [
            {
                "id": q.question.id,
                "text": q.question.text,
                "levels": list(q.question.described()),
                "n": q.n,
                "counts": None if q.counts is None else list(q.counts),
                "previous_counts": None if q.previous_counts is None else list(q.previous_counts),
                "suppressed": q.suppressed,
                "spread": q.spread,
                "organisations": [],
            }
            for q in results.questions
        ],
        "spread_most": [q.question.id for q in results.spread_most()],
    }


def _counts(counts: tuple[int, ...] | None) -> str:
    if counts is None:
        return "withheld (too few answers to show)"
    return " · ".join(f"{name} {c}" for name, c in zip(LEVEL_NAMES, counts, strict=True))


def _question_lines(number: int, q: QuestionResult, previous_quarter: str | None) -> list[str]:
    lines = [f"{number}. How effective is the partnership in {q.question.text}"]
    lines.append(f"   now ({q.n} answered): {_counts(q.counts)}")
    if previous_quarter is not None:
        lines.append(f"   {previous_quarter}: {_counts(q.previous_counts)}")
    return lines


def review_to_text(results: ReviewResults, *, team_name: str | None = None) -> str:
    """The results for a person: each question's spread beside the last review's, and the
    questions partners disagree on most."""
    who = f"#{team_name}" if team_name else results.team
    state = "" if results.closed else " (still open: a preview, not published)"
    lines = [
        f"Partnership review for {who}, {results.quarter}{state}",
        f"{results.responded} of {results.invited} invited answered. Answers are shown per "
        "question and never added up: the spread is the finding.",
        "",
    ]
    for number, q in enumerate(results.questions, start=1):
        lines += _question_lines(number, q, results.previous_quarter)
    wide = results.spread_most()
    lines.append("")
    if wide:
        lines.append("Answers spread most on:")
        lines += [f"- {q.question.text} (spread {q.spread:.2f})" for q in wide]
    else:
        lines.append("No question's answers spread widely.")
    return "\n".join(lines)


REVIEW_CSV_FIELDS = (
    "team",
    "quarter",
    "question",
    "text",
    "invited",
    "responded",
    "n",
    *(name.lower().replace(" ", "_") for name in LEVEL_NAMES),
    "suppressed",
)


def reviews_csv(reviews: Sequence[ReviewResults]) -> str:
    """Every closed review of a team, one row per question, counts blank where withheld."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REVIEW_CSV_FIELDS)
    for results in reviews:
        for q in results.questions:
            counts: list[int | str] = list(q.counts) if q.counts else [""] * len(LEVEL_NAMES)
            writer.writerow(
                [
                    results.team,
                    results.quarter,
                    q.question.id,
                    f"How effective is the partnership in {q.question.text}",
                    results.invited,
                    results.responded,
                    q.n,
                    *counts,
                    "yes" if q.suppressed else "no",
                ]
            )
    return out.getvalue()
