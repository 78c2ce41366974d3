"""Drawing the organisations' marks and their key (`charts.organisation_marks` says what).

Organisations that converge end up with the same, or nearly the same, score on a behaviour,
and one mark drawn over another would hide an organisation. So marks closer than a mark's
width are dodged: each goes to the first lane under the row's line where it clears the marks
already there. A dodge moves a mark down, never sideways, so every mark still stands at its
organisation's score.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure as MplFigure
from matplotlib.lines import Line2D

from charts.organisation_marks import OrganisationMark, OrganisationStyle

MARK_OFFSET = 0.36
"""How far below a row's line the organisations' marks sit (in the rows' units), so they
never cover the team's own marks on the line."""

ORGANISATION_PITCH = 1.6
"""Rows' spacing when organisations are drawn: room for their marks between a row's line and
the next row's pole phrases, which may take two lines."""

LANE_STEP = 0.45
"""How far apart (in the rows' units) a row's lanes of organisation marks are: about a mark's
height at the chart's size (a row unit is some 40–55 px, a mark 17 px), so a dodged mark sits
clear of the one above it."""

LANE_ROOM = 0.7
"""How much further apart the rows are for each lane beyond the first: a lane, and more,
because the taller the panel is in rows' units the more of those units its text takes."""

MARK_WIDTH = 0.05
"""The widest mark's width in score units: a star is 13.5 pt, about 22 px at the chart's
120 dpi, and the score axis is about 430 px a unit. Marks closer than this are dodged."""

MARK_SIZE = 10.0
KEY_COLUMNS = 3
KEY_ROW_HEIGHT = 0.032
"""Figure height one row of the key takes; the panels start that much lower."""

KEY_TOP = 0.895


def lanes(marks: Sequence[OrganisationMark]) -> list[int]:
    """Each mark's lane (0 is the first under the line), in the marks' order: taken from the
    lowest score up, a mark goes to the first lane whose marks it clears by a mark's width."""
    lane_of = [0] * len(marks)
    rightmost: list[float] = []  # each lane's highest score so far
    for i in sorted(range(len(marks)), key=lambda i: marks[i].score):
        score = marks[i].score
        free = next((n for n, x in enumerate(rightmost) if score - x >= MARK_WIDTH), None)
        if free is None:
            free = len(rightmost)
            rightmost.append(score)
        rightmost[free] = score
        lane_of[i] = free
    return lane_of


def lanes_needed(rows: Sequence[Sequence[OrganisationMark]]) -> int:
    """The most lanes any row needs (1 when nothing has to be dodged)."""
    return max((max(lanes(marks), default=0) + 1 for marks in rows), default=1)


def row_pitch(organisations: Sequence[tuple[str, OrganisationStyle]], lane_count: int = 1) -> float:
    """How far apart the rows are: 1, or more with organisations' marks under each line, and
    a lane's more for each lane beyond the first that dodged marks need."""
    if not organisations:
        return 1.0
    return ORGANISATION_PITCH + LANE_ROOM * (max(lane_count, 1) - 1)


def draw_organisation_marks(ax: Axes, y: float, marks: Sequence[OrganisationMark]) -> None:
    """Each organisation's score on a faint guide just under the row's line; marks that
    would cover each other are dodged onto further guides below it."""
    if not marks:
        return
    lane_of = lanes(marks)
    for lane in range(max(lane_of) + 1):
        ax.hlines(y + MARK_OFFSET + LANE_STEP * lane, -1, 1, color="#EFEFEF", lw=0.8, zorder=1)
    for mark, lane in zip(marks, lane_of, strict=True):
        ax.plot(
            [mark.score],
            [y + MARK_OFFSET + LANE_STEP * lane],
            ls="",
            zorder=6,
            gid=f"organisation:{mark.name}",
            **_marker(mark.style),
        )


def _marker(style: OrganisationStyle, size: float = MARK_SIZE) -> dict[str, Any]:
    big = 1.35 if style.marker == "*" else 1.0  # a star's points make it look smaller
    return {
        "marker": style.marker,
        "ms": size * big,
        "mfc": style.colour,
        "mec": style.edge,
        "mew": 1.1 if style.edge != "white" else 0.8,
    }


def key_rows(organisations: Sequence[tuple[str, OrganisationStyle]]) -> int:
    """How many rows the key takes (none without organisations)."""
    return math.ceil(len(organisations) / KEY_COLUMNS)


def draw_organisation_key(
    figure: MplFigure, organisations: Sequence[tuple[str, OrganisationStyle]]
) -> None:
    """Which mark is which organisation, under the subtitle."""
    if not organisations:
        return
    handles = [Line2D([], [], ls="", label=name, **_marker(style)) for name, style in organisations]
    figure.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.025, KEY_TOP),
        ncol=min(KEY_COLUMNS, len(handles)),
        frameon=False,
        fontsize=9.5,
        handletextpad=0.4,
        columnspacing=1.8,
        title="Each organisation (marks under the line):",
        title_fontsize=9.5,
        alignment="left",
    )
