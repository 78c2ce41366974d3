"""Drawing the organisations' marks and their key (`charts.organisation_marks` says what)."""

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

MARK_SIZE = 10.0
KEY_COLUMNS = 3
KEY_ROW_HEIGHT = 0.032
"""Figure height one row of the key takes; the panels start that much lower."""

KEY_TOP = 0.895


def row_pitch(organisations: Sequence[tuple[str, OrganisationStyle]]) -> float:
    """How far apart the rows are: 1, or more with organisations' marks under each line."""
    return ORGANISATION_PITCH if organisations else 1.0


def draw_organisation_marks(ax: Axes, y: float, marks: Sequence[OrganisationMark]) -> None:
    """Each organisation's score on a faint guide just under the row's line."""
    if not marks:
        return
    below = y + MARK_OFFSET
    ax.hlines(below, -1, 1, color="#EFEFEF", lw=0.8, zorder=1)
    for mark in marks:
        ax.plot(
            [mark.score],
            [below],
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
