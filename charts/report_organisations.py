"""The report's organisations side by side: each shown organisation's index and behaviours
at the start of the quarter and now, from the published digests' `organisations`, and the
review's counts by organisation, drawn as a table of words that reads the same in grey.

Only published figures go in: an organisation's reading is one its digest showed (not
suppressed), and its review counts are those `review show` shows.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from surveys.behaviours import BEHAVIOURS
from surveys.digest import Digest
from surveys.organisation_figures import group_order
from surveys.review import ReviewResults
from surveys.review_format import differ_words

if TYPE_CHECKING:
    # Only charts.report_pdf draws, and imports matplotlib; the figures above are read
    # without it (charts.report_data).
    from matplotlib.figure import Figure as MplFigure


@dataclass(frozen=True)
class Reading:
    """A figure's first and latest shown values in the quarter, with their weeks."""

    start: float | None = None
    start_week: str | None = None
    now: float | None = None
    now_week: str | None = None


@dataclass(frozen=True)
class OrganisationChange:
    """One organisation over the quarter: its index and each behaviour, start and now."""

    name: str
    index: Reading
    behaviours: tuple[Reading, ...]  # in the table's order


def _reading(readings: Sequence[tuple[str, float]]) -> Reading:
    if not readings:
        return Reading()
    (first_week, first), (last_week, last) = readings[0], readings[-1]
    return Reading(first, first_week, last, last_week)


def organisation_changes(digests: Sequence[Digest]) -> tuple[OrganisationChange, ...]:
    """Each organisation any of the quarter's digests showed a figure for, named ones first
    and "Other partners" last."""
    names = {
        o.name
        for d in digests
        for o in d.organisations
        if not o.index_suppressed or any(not b.suppressed for b in o.behaviours)
    }
    changes = []
    for name in sorted(names, key=group_order):
        mine = [(d.week, o) for d in digests for o in d.organisations if o.name == name]
        index = [(w, o.index) for w, o in mine if not o.index_suppressed and o.index is not None]
        behaviours = []
        for item in BEHAVIOURS:
            readings = [
                (w, b.score)
                for w, o in mine
                for b in o.behaviours
                if b.id == item.id and not b.suppressed and b.score is not None
            ]
            behaviours.append(_reading(readings))
        changes.append(OrganisationChange(name, _reading(index), tuple(behaviours)))
    return tuple(changes)


def _signed(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}".replace("-", "−")


def _cell(reading: Reading) -> str:
    if reading.start_week is None:
        return "—"
    if reading.start_week == reading.now_week:
        return _signed(reading.now)
    return f"{_signed(reading.start)} → {_signed(reading.now)}"


def _counts(counts: tuple[int, ...] | None) -> str:
    return "withheld" if counts is None else "·".join(str(c) for c in counts)


TABLE_LEFT, TABLE_RIGHT = 0.47, 0.95
"""Where the organisations' columns start and end, as shares of the page's width."""


def _column_width(count: int) -> float:
    return (TABLE_RIGHT - TABLE_LEFT) / max(1, count)


def _columns(names: Sequence[str]) -> list[float]:
    return [TABLE_LEFT + i * _column_width(len(names)) for i in range(len(names))]


HEADER_LINES = 2
LINE_HEIGHT = 0.013
"""A header line's height, as a share of the page, at the table's type sizes."""


def _header(figure: MplFigure, y: float, names: Sequence[str], size: float) -> float:
    """Each column's organisation name, wrapped to its column's width (on up to two lines,
    shortened only past that) so long names never run into the next column."""
    from matplotlib.lines import Line2D

    points = _column_width(len(names)) * figure.get_figwidth() * 72
    characters = int(points / (size * 0.66))  # a bold character is about 0.66 em wide
    wrapper = textwrap.TextWrapper(max(characters, 6), max_lines=HEADER_LINES, placeholder="…")
    labels = ["\n".join(wrapper.wrap(name)) for name in names]
    y -= LINE_HEIGHT * (max(label.count("\n") for label in labels) if labels else 0)
    for x, label in zip(_columns(names), labels, strict=True):
        figure.text(x, y, label, fontsize=size, weight="bold", va="bottom", linespacing=1.1)
    rule = Line2D([0.07, 0.95], [y - 0.006] * 2, color="0.5", lw=0.6)
    rule.set_transform(figure.transFigure)
    figure.add_artist(rule)
    return y - 0.022


LABEL_CHARACTERS = 54
"""What fits left of the first column at the table's type size."""


def _row(figure: MplFigure, y: float, label: str, cells: Sequence[str], size: float) -> float:
    short = textwrap.shorten(label, LABEL_CHARACTERS, placeholder="…")
    figure.text(0.07, y, short, fontsize=size)
    for x, cell in zip(_columns(cells), cells, strict=True):
        figure.text(x, y, cell, fontsize=size)
    return y - 0.017


INTRO = (
    "Each organisation's figures where enough of its people answered to show them, and only "
    "where nothing withheld could be worked out from them; small partners are counted "
    "together as “Other partners”. — where nothing could be shown."
)


def has_organisations(changes: Sequence[OrganisationChange], review: ReviewResults | None) -> bool:
    """Whether anything was shown by organisation this quarter (else the page is left out)."""
    return bool(changes or _review_names(review))


def draw_organisations(
    figure: MplFigure,
    y: float,
    changes: Sequence[OrganisationChange],
    review: ReviewResults | None,
) -> None:
    """The organisations side by side, drawn below ``y`` on a report page."""
    review_names = _review_names(review)
    size = 8.0 if max(len(changes), len(review_names)) <= 4 else 6.5
    if changes:
        y -= 0.01
        figure.text(0.07, y, "The pulse: start of the quarter → now", weight="bold")
        y = _header(figure, y - 0.022, [c.name for c in changes], size)
        y = _row(figure, y, "Weekly index", [_cell(c.index) for c in changes], size)
        for i, item in enumerate(BEHAVIOURS):
            cells = [_cell(c.behaviours[i]) for c in changes]
            y = _row(figure, y, item.short_label, cells, size)
    if review is not None and review_names:
        _review_table(figure, y - 0.02, review, review_names, size)


def _review_names(review: ReviewResults | None) -> list[str]:
    if review is None:
        return []
    names: list[str] = []
    for q in review.questions:
        for group in q.organisations:
            if not group.suppressed and group.name not in names:
                names.append(group.name)
    return sorted(names, key=group_order)


def _review_table(
    figure: MplFigure, y: float, review: ReviewResults, names: Sequence[str], size: float
) -> float:
    figure.text(
        0.07,
        y,
        f"The {review.quarter} review: how many chose each level "
        "(Not in place · Basic · Better · Embedded)",
        weight="bold",
    )
    y = _header(figure, y - 0.022, names, size)
    for number, q in enumerate(review.questions, start=1):
        by_name = {g.name: g.counts for g in q.organisations}
        y = _row(
            figure,
            y,
            f"{number}. {q.question.text}",
            [_counts(by_name.get(n)) for n in names],
            size,
        )
    wide = review.differ_most()
    if wide:
        y -= 0.01
        figure.text(0.07, y, "Organisations' answers differ most on:", style="italic")
        for q in wide:
            for part in textwrap.wrap(f"• {differ_words(q)}", 100):
                y -= 0.016
                figure.text(0.09, y, part, fontsize=size)
    return y
