"""The quarter's board report as a short PDF, in the briefing's story order, drawn to read
the same when printed in greyscale: black lines, grey bands, hatching, words beside every
mark, and no meaning carried by colour alone."""

from __future__ import annotations

import io
import logging
import textwrap
from collections.abc import Sequence
from typing import Any, cast

from matplotlib import rc_context
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure as MplFigure

from charts.report_data import ReportData
from charts.report_organisations import INTRO, draw_organisations, has_organisations
from surveys.actions import AgreedAction
from surveys.review import LEVEL_NAMES
from surveys.review_format import PEER_NOTE

PAGE = (8.27, 11.69)  # A4 portrait, in inches
WRAP = 92
_RC: dict[str, Any] = {"pdf.fonttype": 42, "font.family": "DejaVu Sans", "font.size": 9}


def _signed(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}".replace("-", "−")


def _page(title: str, lines: Sequence[str] = ()) -> tuple[MplFigure, float]:
    figure = MplFigure(figsize=PAGE)
    figure.text(0.07, 0.95, title, fontsize=15, weight="bold")
    y = 0.92
    for line in lines:
        for part in textwrap.wrap(line, WRAP) or [""]:
            figure.text(0.07, y, part, fontsize=9.5)
            y -= 0.018
    return figure, y


def _story(data: ReportData) -> MplFigure:
    who = f"#{data.team_name}" if data.team_name else data.team
    trend = data.trend
    now, start = (trend[-1], trend[0]) if trend else (None, None)
    lines = [f"{len(data.weeks)} weekly rounds published this quarter."]
    lines.append("")
    if now is None or start is None:
        lines.append("Where are we now? Not enough answers were published this quarter.")
    else:
        lines += [
            f"Where are we now? The overall index is {_signed(now.score)} in {now.week} "
            f"(likely between {_signed(now.low)} and {_signed(now.high)}), on a scale from "
            "−1 (all “them”) to +1 (all “us”).",
            f"Where did we start from? {_signed(start.score)} in {start.week} "
            f"(likely between {_signed(start.low)} and {_signed(start.high)}).",
            "Where are we going? The line below, week by week, with its likely range shaded.",
        ]
    if data.target is not None:
        lines.append(f"How will we know? Our target is {_signed(data.target)}.")
    figure, y = _page(f"Partnership Pulse — {who}, {data.quarter}", lines)
    if trend:
        ax = figure.add_axes((0.1, max(0.08, y - 0.42), 0.82, 0.36))
        x = list(range(len(trend)))
        ax.fill_between(
            x, [p.low for p in trend], [p.high for p in trend], color="0.85", hatch="///", lw=0
        )
        ax.plot(x, [p.score for p in trend], color="black", marker="o", lw=1.8)
        ax.axhline(0, color="0.4", lw=0.8, ls=":")
        if data.target is not None:
            ax.axhline(data.target, color="black", lw=1, ls="--")
            ax.text(x[-1], data.target, " target", va="bottom", ha="right")
        ax.set_xticks(x, [p.week for p in trend], rotation=45, ha="right")
        ax.set_ylim(-1, 1)
        ax.set_ylabel("overall index (−1 “them” … +1 “us”)")
        ax.set_title("Overall index this quarter (shaded: likely range)")
    return figure


def _behaviours(data: ReportData) -> MplFigure:
    figure, y = _page(
        "Each behaviour: where it started this quarter, and where it is now",
        [
            "Scores from −1 (all chose the first phrase) to +1 (all chose the second). "
            "— where too few answered to show a figure."
        ],
    )
    for item in data.behaviours:
        y -= 0.012
        figure.text(0.07, y, f"{item.unfavourable}  →  {item.favourable}", weight="bold")
        y -= 0.018
        start = f"{_signed(item.start)} ({item.start_week})" if item.start_week else "—"
        now = f"{_signed(item.now)} ({item.now_week})" if item.now_week else "—"
        figure.text(0.1, y, f"start {start}    now {now}")
        y -= 0.022
    return figure


def _counts(counts: tuple[int, ...] | None) -> str:
    if counts is None:
        return "withheld (too few answered)"
    return " · ".join(f"{n} {c}" for n, c in zip(LEVEL_NAMES, counts, strict=True))


def _review(data: ReportData) -> MplFigure:
    review = data.review
    if review is None:
        return _page("The partnership review", ["No review was held this quarter."])[0]
    before = (
        f"the last review's ({review.previous_quarter})"
        if review.previous_quarter
        else "no earlier review to set it beside"
    )
    figure, y = _page(
        "The partnership review: how effective is the partnership in …",
        [
            f"{review.responded} of {review.invited} invited answered. Answers are never added "
            f"up: each question shows how many chose each level; {before}.",
        ],
    )
    for number, q in enumerate(review.questions, start=1):
        y -= 0.01
        for part in textwrap.wrap(f"{number}. {q.question.text}", WRAP):
            figure.text(0.07, y, part, weight="bold")
            y -= 0.016
        figure.text(0.1, y, f"{review.quarter}: {_counts(q.counts)}")
        y -= 0.016
        if review.previous_quarter:
            figure.text(0.1, y, f"{review.previous_quarter}: {_counts(q.previous_counts)}")
            y -= 0.016
    wide = review.spread_most()
    if wide:
        y -= 0.012
        names = "; ".join(q.question.text.rstrip("?") for q in wide)
        for part in textwrap.wrap(f"Answers spread most on: {names}.", WRAP):
            figure.text(0.07, y, part, style="italic")
            y -= 0.016
    return figure


def _peer(data: ReportData) -> MplFigure | None:
    """The peer reviewer's view on a page of its own, apart from the partners' answers."""
    peer = data.review.peer if data.review is not None else None
    if peer is None:
        return None
    lines = [
        f"{peer.responded} of {peer.invited} invited peer reviewers answered. {PEER_NOTE}",
        "",
    ]
    for number, q in enumerate(peer.questions, start=1):
        said = _counts(q.counts) if q.n else "no level given"
        lines.append(f"{number}. {q.question.text} — {said}")
    return _page("The peer reviewer's view, from outside the partnership", lines)[0]


def _organisations(data: ReportData) -> MplFigure | None:
    """The organisations side by side, when anything was shown by organisation."""
    if not has_organisations(data.organisations, data.review):
        return None
    figure, y = _page("Organisations side by side", [INTRO])
    draw_organisations(figure, y, data.organisations, data.review)
    return figure


def _action_lines(title: str, actions: Sequence[AgreedAction]) -> list[str]:
    if not actions:
        return [f"{title}: none."]
    return [f"{title}:"] + [
        f"  • {a.text} (on {a.behaviour_id}; agreed {a.agreed_week}, review {a.review_week})"
        for a in actions
    ]


def _actions(data: ReportData) -> MplFigure:
    lines = [
        *_action_lines("Agreed this quarter", data.agreed),
        "",
        *_action_lines("Done", data.done),
        "",
        *_action_lines("Still open", data.still_open),
    ]
    return _page("What do we need to do? Actions agreed, done and still open", lines)[0]


def render_report(data: ReportData) -> bytes:
    """The report as PDF bytes: story, behaviours, (organisations side by side, when any
    was shown), review, (the peer reviewer's view, when one was invited), actions; one page
    each."""
    # Embedding TrueType subsets logs every glyph at INFO; none of it is news to an operator.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    out = io.BytesIO()
    # TrueType fonts, so that the words can be found and copied from the PDF.
    with rc_context(cast(Any, _RC)), PdfPages(out, metadata={"CreationDate": None}) as pdf:
        for build in (_story, _behaviours, _organisations, _review, _peer, _actions):
            page = build(data)
            if page is not None:
                pdf.savefig(page)
    return out.getvalue()
