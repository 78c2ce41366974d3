"""A two-panel picture of a team's digest: where we are now, where we started, where we're going.

The picture is drawn from ``ChartData`` alone (`charts.chart_data`), never from the digest,
so a suppressed figure cannot reach it. Rendering uses matplotlib's object API with the Agg
canvas (no pyplot, no global figure state), so it is safe to call from a web server's worker
threads.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure
from matplotlib.lines import Line2D

from charts.chart_data import (
    NOT_ENOUGH,
    BehaviourRow,
    ChartData,
    TrendPoint,
    chart_data,
    signed,
)
from charts.organisation_drawing import (
    KEY_ROW_HEIGHT,
    draw_organisation_key,
    draw_organisation_marks,
    key_rows,
    row_pitch,
)
from surveys.digest import Digest
from surveys.weeks import day_month, parse_week

SUBTITLE = "Where are we now, where did we start from, where are we going?"

WIDTH_IN, HEIGHT_IN, DPI = 10.0, 7.5, 120
MAX_WEEK_LABELS = 8

# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
BLUE = "#0072B2"
SKY = "#56B4E9"
ORANGE = "#E69F00"
GREEN = "#009E73"
INK = "#222222"
GREY = "#6B6B6B"
LIGHT = "#D9D9D9"
INDEX_BAND = "#EAF3FA"

_RENDER_LOCK = threading.Lock()
"""matplotlib shares font and text-layout caches between figures; one render at a time."""


# --- drawing ------------------------------------------------------------------------------


def render_digest_chart(
    digest: Digest, *, target: float | None = None, team_name: str | None = None
) -> bytes:
    """The digest's chart as PNG bytes, about 1200×900 pixels."""
    return render_chart_data(chart_data(digest, target, team_name=team_name))


def render_chart_data(data: ChartData) -> bytes:
    """Draw exactly what ``data`` holds; the figure is freed once the bytes are made."""
    with _RENDER_LOCK:
        figure = build_figure(data)
        try:
            return _png(figure)
        finally:
            figure.clear()


def build_figure(data: ChartData) -> MplFigure:
    """The drawn but unrendered figure, so its texts and lines can be inspected."""
    figure = MplFigure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, facecolor="white")
    _draw(figure, data)
    return figure


def _png(figure: MplFigure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer, metadata={"Software": None})
    return buffer.getvalue()


def _draw(figure: MplFigure, data: ChartData) -> None:
    """Title, the organisations' key when there are organisations, then the behaviours panel
    above the trend panel."""
    key = key_rows(data.organisations)
    grid = figure.add_gridspec(
        2,
        1,
        height_ratios=[_rows_height(data.rows, row_pitch(data.organisations)), 4.2],
        hspace=0.42,
        left=0.1,
        right=0.88,
        top=0.84 - (key + 0.6 if key else 0) * KEY_ROW_HEIGHT,
        bottom=0.06,
    )
    figure.text(0.03, 0.965, data.title, ha="left", va="top", fontsize=15, weight="bold", color=INK)
    figure.text(0.03, 0.92, SUBTITLE, ha="left", va="top", fontsize=10.5, color=GREY)
    draw_organisation_key(figure, data.organisations)
    _draw_rows(figure.add_subplot(grid[0]), data.rows, row_pitch(data.organisations))
    _draw_trend(figure.add_subplot(grid[1]), data)


# --- first panel: this week's behaviours on the them ↔ us line ------------------------------

TWO_LINE_ROOM = 0.45
"""Extra height, in rows, that each row gets when a pole phrase takes two lines."""


def _rows_height(rows: Sequence[BehaviourRow], pitch: float) -> float:
    """The first panel's share of the figure: more room when pole phrases wrap, and when
    organisations' marks sit under each line."""
    tallest = max((row.lines for row in rows), default=1)
    return len(rows) * pitch * (1 + TWO_LINE_ROOM * (tallest - 1)) + 1.2


def _draw_rows(ax: Axes, rows: Sequence[BehaviourRow], pitch: float) -> None:
    """One row per figure, the index first, each read from "them" (left) to "us" (right);
    rows are ``pitch`` apart."""
    _style_rows_axis(ax, len(rows), pitch)
    for i, row in enumerate(rows):
        _draw_row(ax, i * pitch, row, pitch)
    _rows_legend(ax, rows)


def _style_rows_axis(ax: Axes, count: int, pitch: float) -> None:
    ax.set_xlim(-1.08, 1.08)
    ax.set_ylim(count * pitch - 0.45, -0.85)
    ax.set_yticks([])
    ax.set_xticks([-1, -0.5, 0, 0.5, 1])
    ax.set_xticklabels(['−1\nall "them"', "−0.5", "0", "+0.5", '+1\nall "us"'])
    ax.tick_params(axis="x", colors=GREY, labelsize=9.5, length=3)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(LIGHT)
    ax.axvline(0, color=GREY, lw=0.9, zorder=1)
    ax.set_title("Where are we now?", loc="left", fontsize=12, weight="bold", color=INK, pad=8)


def _draw_row(ax: Axes, y: float, row: BehaviourRow, pitch: float) -> None:
    if row.is_index:
        ax.axhspan(y - 0.62, y + 0.42 + pitch - 1, color=INDEX_BAND, zorder=0, lw=0)
    ax.hlines(y, -1, 1, color=LIGHT, lw=1.2, zorder=1)
    _pole_labels(ax, y, row)
    if row.suppressed:
        _not_enough(ax, y)
    else:
        _marks(ax, y, row)


def _pole_labels(ax: Axes, y: float, row: BehaviourRow) -> None:
    """The unfavourable pole above the left end of the line, the favourable above the right."""
    left: dict[str, Any] = {"fontsize": 10, "color": INK}
    right: dict[str, Any] = {"fontsize": 10, "color": INK}
    if row.is_index:
        left |= {"fontsize": 11, "weight": "bold"}
        right |= {"fontsize": 9.5, "color": GREY}
    ax.text(-1, y - 0.3, row.them, ha="left", va="bottom", multialignment="left", **left)
    ax.text(1, y - 0.3, row.us, ha="right", va="bottom", multialignment="right", **right)


def _not_enough(ax: Axes, y: float) -> None:
    box = {"boxstyle": "round,pad=0.3", "fc": "white", "ec": LIGHT}
    ax.text(
        0,
        y,
        NOT_ENOUGH,
        ha="center",
        va="center",
        fontsize=9.5,
        style="italic",
        color=GREY,
        bbox=box,
        zorder=5,
    )


def _marks(ax: Axes, y: float, row: BehaviourRow) -> None:
    """Range bar, then where we started, last time, and this week's dot on top."""
    assert row.score is not None and row.low is not None and row.high is not None
    size = 13 if row.is_index else 11
    ax.hlines(
        y, row.low, row.high, color=SKY, lw=5 if row.is_index else 4, zorder=2, capstyle="round"
    )
    if row.baseline is not None:
        ax.plot([row.baseline], [y], "o", ms=size - 2, mfc="white", mec=INK, mew=1.6, zorder=3)
    if row.previous is not None:
        ax.plot([row.previous], [y], "D", ms=6.5, color=ORANGE, mec="white", mew=0.8, zorder=4)
    ax.plot([row.score], [y], "o", ms=size, color=BLUE, mec="white", mew=1.2, zorder=5)
    _value_label(ax, y, row)
    draw_organisation_marks(ax, y, row.organisations)


def _value_label(ax: Axes, y: float, row: BehaviourRow) -> None:
    """This week's score in a column right of the line, where it never meets a marker."""
    assert row.score is not None
    ax.text(
        1.03,
        y,
        signed(row.score),
        transform=ax.get_yaxis_transform(),
        ha="left",
        va="center",
        fontsize=11 if row.is_index else 10.5,
        color=BLUE,
        weight="bold" if row.is_index else "normal",
    )


def _rows_legend(ax: Axes, rows: Sequence[BehaviourRow]) -> None:
    """A key for the marks that actually appear, so a first week is not asked to explain more."""
    handles = _legend_handles(rows)
    if handles:
        ax.legend(
            handles=handles,
            loc="lower right",
            bbox_to_anchor=(1.0, 1.0),
            ncol=len(handles),
            frameon=False,
            fontsize=9.5,
            handlelength=2.2,
            handletextpad=0.6,
            columnspacing=1.6,
            borderaxespad=0.2,
        )


def _legend_handles(rows: Sequence[BehaviourRow]) -> list[Line2D]:
    now: dict[str, Any] = {
        "marker": "o",
        "ls": "-",
        "lw": 4,
        "color": SKY,
        "mfc": BLUE,
        "mec": "white",
        "ms": 10,
    }
    start: dict[str, Any] = {
        "marker": "o",
        "ls": "",
        "mfc": "white",
        "mec": INK,
        "mew": 1.6,
        "ms": 9,
    }
    last: dict[str, Any] = {"marker": "D", "ls": "", "color": ORANGE, "mec": "white", "ms": 6.5}
    wanted = [
        (any(r.score is not None for r in rows), "this week, with likely range", now),
        (any(r.baseline not in (None, r.score) for r in rows), "where we started", start),
        (any(r.previous is not None for r in rows), "last time", last),
    ]
    return [Line2D([], [], label=label, **style) for shown, label, style in wanted if shown]


# --- second panel: the index over time ----------------------------------------------------


def _draw_trend(ax: Axes, data: ChartData) -> None:
    """The published weekly index with its band, where we started, and the team's target."""
    _style_trend_axis(ax)
    if data.trend:
        _trend_line(ax, data.trend)
        _week_ticks(ax, data.trend)
    else:
        ax.set_xticks([])
    if data.baseline is not None and len(data.trend) >= 2:
        _reference(ax, data.baseline, f"start {signed(data.baseline)}", ":", INK, "top")
    if data.target is not None:
        _reference(ax, data.target, f"target {signed(data.target)}", "--", GREEN, "bottom")
    if data.trend_note:
        _trend_note(ax, data.trend_note, above=bool(data.trend))


def _style_trend_axis(ax: Axes) -> None:
    ax.set_ylim(-1.05, 1.05)
    ax.set_yticks([-1, -0.5, 0, 0.5, 1])
    ax.set_yticklabels(['−1 "them"', "−0.5", "0", "+0.5", '+1 "us"'])
    ax.tick_params(colors=GREY, labelsize=9.5, length=3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(LIGHT)
    ax.axhline(0, color=LIGHT, lw=0.9, zorder=1)
    ax.set_title(
        "Where did we start, and where are we going?",
        loc="left",
        fontsize=12,
        weight="bold",
        color=INK,
        pad=8,
    )


def _trend_line(ax: Axes, trend: Sequence[TrendPoint]) -> None:
    x = [p.ordinal for p in trend]
    _band(ax, trend)
    ax.plot(
        x, [p.score for p in trend], "-o", color=BLUE, lw=2.2, ms=6, mec="white", mew=1, zorder=4
    )
    span = max(x[-1] - x[0], 4)
    ax.set_xlim(x[0] - 0.05 * span, x[-1] + 0.1 * span)
    last = trend[-1]
    ax.annotate(
        signed(last.score),
        (last.ordinal, last.score),
        xytext=(9, 0),
        textcoords="offset points",
        ha="left",
        va="center",
        fontsize=10.5,
        weight="bold",
        color=BLUE,
    )


def _band(ax: Axes, trend: Sequence[TrendPoint]) -> None:
    """The likely range: a shaded band across weeks, or a bar while there is only one week."""
    lows, highs = [p.low for p in trend], [p.high for p in trend]
    x = [p.ordinal for p in trend]
    if len(trend) == 1:
        ax.vlines(x, lows, highs, color=SKY, lw=5, zorder=2, capstyle="round")
        return
    ax.fill_between(x, lows, highs, color=SKY, alpha=0.3, lw=0, zorder=2)


def _week_ticks(ax: Axes, trend: Sequence[TrendPoint]) -> None:
    """Each week by its Monday ("16 Nov"), as the words say it, thinned to at most
    MAX_WEEK_LABELS, always keeping the latest."""
    step = math.ceil(len(trend) / MAX_WEEK_LABELS)
    shown = list(trend)[::-1][::step][::-1]
    ax.set_xticks([p.ordinal for p in shown])
    ax.set_xticklabels([day_month(parse_week(p.week).monday) for p in shown])


def _reference(ax: Axes, value: float, text: str, style: str, colour: str, side: str) -> None:
    """A horizontal line labelled in the right margin; `side` puts the label above ("bottom")
    or below ("top") the line, so the start and the target never print over each other."""
    ax.axhline(value, ls=style, color=colour, lw=1.6, zorder=3)
    ax.text(
        1.01,
        value,
        text,
        transform=ax.get_yaxis_transform(),
        ha="left",
        va=side,
        fontsize=9.5,
        color=colour,
    )


def _trend_note(ax: Axes, text: str, *, above: bool) -> None:
    """The friendly note; `above` lifts it clear of a first week's point in the middle."""
    box = {"boxstyle": "round,pad=0.5", "fc": "white", "ec": LIGHT}
    ax.text(
        0.5,
        0.88 if above else 0.5,
        text,
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=11,
        color=GREY,
        bbox=box,
        zorder=6,
    )
