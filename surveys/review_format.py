"""A review's results as SPEC §6 JSON, and as text for a person: never one total."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from surveys.review import (
    LEVEL_NAMES,
    OrganisationCounts,
    OrganisationGap,
    PeerView,
    QuestionResult,
    ReviewResults,
)

PEER_NOTE = (
    "The view of peer reviewers from outside the partnership, who were told their answers "
    "are shown as theirs: never added to the partners' counts above."
)


def peer_to_dict(peer: PeerView | None) -> dict[str, Any] | None:
    """The peer reviewers' view, apart from the partners' questions (None: no peer)."""
    if peer is None:
        return None
    return {
        "invited": peer.invited,
        "responded": peer.responded,
        "note": PEER_NOTE,
        "questions": [
            {"id": q.question.id, "n": q.n, "counts": list(q.counts)} for q in peer.questions
        ],
    }


def _organisation_dict(group: OrganisationCounts) -> dict[str, Any]:
    return {
        "name": group.name,
        "n": group.n,
        "counts": None if group.counts is None else list(group.counts),
        "previous_counts": None if group.previous_counts is None else list(group.previous_counts),
        "suppressed": group.suppressed,
    }


def _gap_dict(gap: OrganisationGap | None) -> dict[str, Any] | None:
    if gap is None:
        return None
    return {
        "higher": gap.higher,
        "lower": gap.lower,
        "gap": gap.gap,
        "beyond_chance": gap.beyond_chance,
    }


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
                "organisations": [_organisation_dict(o) for o in q.organisations],
                "differ": _gap_dict(q.differ),
            }
            for q in results.questions
        ],
        "spread_most": [q.question.id for q in results.spread_most()],
        "differ_most": [q.question.id for q in results.differ_most()],
        "peer": peer_to_dict(results.peer),
    }


def _counts(counts: tuple[int, ...] | None) -> str:
    if counts is None:
        return "withheld (too few answers to show)"
    return " · ".join(f"{name} {c}" for name, c in zip(LEVEL_NAMES, counts, strict=True))


WITHHELD_ORGANISATION = "withheld (too few answers, or they could be worked out from the rest)"


def _question_lines(number: int, q: QuestionResult, previous_quarter: str | None) -> list[str]:
    lines = [f"{number}. How effective is the partnership in {q.question.text}"]
    lines.append(f"   now ({q.n} answered): {_counts(q.counts)}")
    if previous_quarter is not None:
        lines.append(f"   {previous_quarter}: {_counts(q.previous_counts)}")
    if q.counts is None or not q.organisations:
        return lines
    if all(group.suppressed for group in q.organisations):
        return [*lines, f"   by organisation: {WITHHELD_ORGANISATION}"]
    for group in q.organisations:
        if group.counts is None:
            lines.append(f"   · {group.name}: {WITHHELD_ORGANISATION}")
            continue
        lines.append(f"   · {group.name} ({group.n} answered): {_counts(group.counts)}")
        if previous_quarter is not None and group.previous_counts is not None:
            lines.append(f"     {previous_quarter}: {_counts(group.previous_counts)}")
    return lines


def differ_words(q: QuestionResult) -> str:
    """ "collating and analysing data? (NHS Leeds's answers sit higher than Other
    partners'; gap 0.72)"."""
    gap = q.differ
    if gap is None:
        return q.question.text
    return (
        f"{q.question.text} ({_whose(gap.higher)} answers sit higher than "
        f"{_whose(gap.lower)}; gap {gap.gap:.2f})"
    )


def _whose(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _differ_lines(results: ReviewResults) -> list[str]:
    """Where the organisations' answers differ most, if any organisation is shown."""
    if not any(q.differ is not None for q in results.questions):
        return []
    wide = results.differ_most()
    if not wide:
        return ["", "No two organisations' answers differ by more than chance would."]
    return ["", "Organisations' answers differ most on:"] + [f"- {differ_words(q)}" for q in wide]


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
    lines += _differ_lines(results)
    lines += _peer_lines(results.peer)
    return "\n".join(lines)


def _peer_lines(peer: PeerView | None) -> list[str]:
    if peer is None:
        return []
    lines = [
        "",
        f"Peer reviewer's view ({peer.responded} of {peer.invited} invited answered). " + PEER_NOTE,
    ]
    for number, q in enumerate(peer.questions, start=1):
        said = _counts(q.counts) if q.n else "no level given"
        lines.append(f"{number}. {q.question.text} — {said}")
    return lines


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
    "view",
    "organisation",
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
                    "partners",
                    "",
                ]
            )
            _organisation_rows(writer, results, q)
        _peer_rows(writer, results)
    return out.getvalue()


def _organisation_rows(writer: Any, results: ReviewResults, q: QuestionResult) -> None:
    """Each organisation's row under its question's, counts blank where withheld."""
    for group in q.organisations:
        blank = [""] * len(LEVEL_NAMES)
        writer.writerow(
            [
                results.team,
                results.quarter,
                q.question.id,
                f"How effective is the partnership in {q.question.text}",
                results.invited,
                results.responded,
                "" if group.n is None else group.n,
                *(blank if group.counts is None else group.counts),
                "yes" if group.suppressed else "no",
                "organisation",
                group.name,
            ]
        )


def _peer_rows(writer: Any, results: ReviewResults) -> None:
    """The peer reviewers' rows, marked apart in the `view` column."""
    if results.peer is None:
        return
    for q in results.peer.questions:
        writer.writerow(
            [
                results.team,
                results.quarter,
                q.question.id,
                f"How effective is the partnership in {q.question.text}",
                results.peer.invited,
                results.peer.responded,
                q.n,
                *q.counts,
                "no",
                "peer reviewer",
                "",
            ]
        )
