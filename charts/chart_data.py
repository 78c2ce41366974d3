"""What a digest's chart may show, as plain numbers and words, computed without drawing.

``chart_data`` turns a ``Digest`` into ``ChartData``; the renderer (`charts.digest_chart`)
draws only what ``ChartData`` holds. Suppressed figures never reach ``ChartData`` as numbers,
so they cannot reach the picture, and that can be checked without looking at pixels.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, replace

from scipy import special

from charts.organisation_marks import (
    OrganisationMark,
    OrganisationStyle,
    behaviour_marks,
    drawn_organisations,
    index_marks,
)
from surveys.digest import BehaviourFigure, Digest, Figure, WeekIndex
from surveys.moments import AnySample
from surveys.overall import BEHAVIOUR_COUNT, OverallPoint
from surveys.statistics import estimate_score
from surveys.weeks import parse_week, week_words

POLE_WIDTH = 48
"""Characters per line of a pole phrase: the briefing's longest phrases take two lines."""

TREND_DF = 4
"""Degrees of freedom for the overall line's band: its readings come from teams of a handful."""

CONFIDENCE = 0.95
"""How sure the bars and the band are meant to be: 95% plausible ranges."""

ASSUMED_PERSON_VARIANCE = 0.25
"""Behaviour figures carry no per-person answers, so their ranges assume answers spread about
one scale step (0.5 in score) around the score, the same spread the statistics assume for a
single imaginary person when steadying tiny samples."""

TREND_NOTE = "The overall line starts once all 13 behaviours have a reading"
NOT_ENOUGH = "not enough answers this week"
INDEX_LABEL = "This week's answers"
INDEX_DETAIL = "this week's behaviours pooled"


@dataclass(frozen=True)
class BehaviourRow:
    """One row of the first panel: a pair of poles and what to draw on the line between them."""

    them: str
    us: str
    is_index: bool
    suppressed: bool
    score: float | None
    low: float | None
    high: float | None
    baseline: float | None
    previous: float | None
    n: int | None
    organisations: tuple[OrganisationMark, ...] = ()  # published organisation scores only

    @property
    def lines(self) -> int:
        """How many lines the taller of its two pole phrases takes."""
        return 1 + max(self.them.count("\n"), self.us.count("\n"))

    @property
    def label(self) -> str:
        """Both poles in one phrase, unfavourable first, as the survey asks them."""
        return f"{self.them} ↔ {self.us}".replace("\n", " ")


@dataclass(frozen=True)
class TrendPoint:
    """One week of the overall figure (all 13 behaviours, each at its latest reading), with its
    plausible range; ``n`` is the behaviours behind it."""

    week: str
    ordinal: int
    score: float
    low: float
    high: float
    n: int


@dataclass(frozen=True)
class ChartData:
    """Every word and number the chart shows, and nothing else."""

    title: str
    rows: tuple[BehaviourRow, ...]
    trend: tuple[TrendPoint, ...]
    baseline: float | None
    target: float | None
    trend_note: str | None
    organisations: tuple[tuple[str, OrganisationStyle], ...] = ()
    """The organisations with a mark somewhere, for the key; empty for one organisation."""

    def numbers(self) -> list[float]:
        """All values that end up drawn, so a test can check nothing suppressed slipped in."""
        values: list[float | None] = [self.baseline, self.target]
        for row in self.rows:
            values += [row.score, row.low, row.high, row.baseline, row.previous]
            values += [mark.score for mark in row.organisations]
        for point in self.trend:
            values += [point.score, point.low, point.high]
        return [v for v in values if v is not None]


def signed(value: float) -> str:
    """A score as the digest prints it, with a true minus sign: +0.25, −0.10."""
    return f"{value:+.2f}".replace("-", "−")


# --- what to show -------------------------------------------------------------------------


def wrap_pole(text: str, width: int = POLE_WIDTH) -> str:
    """Break a long pole phrase between words so the chart shows all of it, never a cut."""
    return "\n".join(textwrap.wrap(text, width)) or text


def plausible_range(score: float, variance: float, df: float) -> tuple[float, float]:
    """Score ± a t quantile times its standard error, kept within the −1..+1 scale.

    The t quantile (not 1.96) keeps ranges honest for the handful of people a team has.
    """
    half = float(special.stdtrit(df, 1 - (1 - CONFIDENCE) / 2)) * math.sqrt(variance)
    return max(-1.0, score - half), min(1.0, score + half)


def sample_range(score: float, sample: AnySample) -> tuple[float, float]:
    """Range from the people's own answers, with the person as the sampled unit."""
    estimate = estimate_score(sample)
    return plausible_range(score, estimate.variance, estimate.df)


def assumed_range(score: float, n: int) -> tuple[float, float]:
    """Range for a figure known only by its score and people (see ASSUMED_PERSON_VARIANCE)."""
    people = max(n, 1)
    return plausible_range(score, ASSUMED_PERSON_VARIANCE / people, float(people))


def _row(
    them: str, us: str, figure: Figure, span: tuple[float, float] | None, *, is_index: bool
) -> BehaviourRow:
    """A row that carries numbers only when the figure is published."""
    shown = not figure.suppressed and figure.score is not None
    low, high = span if shown and span else (None, None)
    return BehaviourRow(
        them=them,
        us=us,
        is_index=is_index,
        suppressed=not shown,
        score=figure.score if shown else None,
        low=low,
        high=high,
        baseline=figure.baseline if shown else None,
        previous=figure.previous if shown else None,
        n=figure.n if shown else None,
    )


def _this_week(digest: Digest) -> WeekIndex | None:
    return next((w for w in digest.index_history if w.week == digest.week), None)


def index_row(digest: Digest) -> BehaviourRow:
    """The index row, its range from this week's people when their answers are at hand."""
    figure = digest.index
    week = _this_week(digest)
    span = None
    if figure.score is not None:
        span = (
            sample_range(figure.score, week.sample)
            if week is not None
            else assumed_range(figure.score, figure.n or 0)
        )
    return _row(INDEX_LABEL, INDEX_DETAIL, figure, span, is_index=True)


def behaviour_row(item: BehaviourFigure) -> BehaviourRow:
    """A behaviour's row, labelled with both of its poles."""
    figure = item.figure
    span = None if figure.score is None else assumed_range(figure.score, figure.n or 0)
    b = item.behaviour
    return _row(wrap_pole(b.unfavourable), wrap_pole(b.favourable), figure, span, is_index=False)


def trend_points(history: Sequence[OverallPoint]) -> tuple[TrendPoint, ...]:
    """The overall figure week by week, each with a range from the readings behind it.

    The line is like for like: it moves only when a behaviour is measured again, not with
    which behaviours a week happened to ask.
    """
    points = []
    for point in history:
        # Each reading rests on a handful of people: few degrees of freedom keep the band honest.
        low, high = plausible_range(point.score, point.variance, float(TREND_DF))
        ordinal = parse_week(point.week).ordinal
        points.append(
            TrendPoint(point.week, ordinal, round(point.score, 10), low, high, BEHAVIOUR_COUNT)
        )
    return tuple(points)


def _check_target(target: float | None) -> None:
    if target is not None and not -1.0 <= target <= 1.0:
        raise ValueError("a target must be a score between -1 and +1")


def _with_marks(row: BehaviourRow, marks: tuple[OrganisationMark, ...]) -> BehaviourRow:
    """Organisations' marks on a row whose team figure is published (never beside a withheld
    one: the organisations' figures are shown only where the team's is)."""
    return row if row.suppressed else replace(row, organisations=marks)


def chart_data(
    digest: Digest, target: float | None = None, *, team_name: str | None = None
) -> ChartData:
    """Everything the chart will draw for this digest, computed without drawing anything;
    ``team_name`` is the team as its members know it (the channel id when not given)."""
    _check_target(target)
    trend = trend_points(digest.overall.history if digest.overall else ())
    figures = digest.organisations
    rows = (
        _with_marks(index_row(digest), index_marks(figures)),
        *(
            _with_marks(behaviour_row(b), behaviour_marks(figures, b.behaviour.id))
            for b in digest.asked
        ),
    )
    return ChartData(
        title=f"Partnership Pulse · {team_name or digest.team} · {week_words(digest.week)}",
        rows=rows,
        trend=trend,
        baseline=trend[0].score if trend else None,
        target=target,
        trend_note=TREND_NOTE if len(trend) < 2 else None,
        organisations=drawn_organisations([row.organisations for row in rows]),
    )
