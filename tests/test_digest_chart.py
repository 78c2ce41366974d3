"""The digest chart: valid PNGs for every kind of week, and no suppressed figure in the picture.

Run as a module (``python -m tests.test_digest_chart``) to write a sample image to look at.
"""

from __future__ import annotations

import io
import random
import sys
from collections.abc import Mapping

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.lines import Line2D
from matplotlib.text import Text
from PIL import Image

from charts import ChartData, chart_data
from charts.chart_data import POLE_WIDTH, TREND_NOTE, sample_range, wrap_pole
from charts.digest_chart import build_figure, render_digest_chart
from surveys.behaviours import BEHAVIOURS, Behaviour
from surveys.digest import BehaviourFigure, Digest, Figure, Participation, WeekIndex
from surveys.moments import Sample, moments_of
from surveys.overall import Overall, OverallPoint
from surveys.statistics import estimate_score, people, score
from surveys.trend import index_trend

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SAMPLE_PATH = "/tmp/digest-chart-sample.png"
LEAKED = 0.77
"""A value a suppressed figure wrongly carries; it must not reach the chart."""

NOT_ASKED = Figure(0, None, None, None, None, None, "insufficient_data", False)
SUPPRESSED = Figure(None, None, None, None, None, None, "insufficient_data", True)
LEAKY_SUPPRESSED = Figure(2, LEAKED, LEAKED, "2026-W09", LEAKED, 0.0, "none", True)


# --- building digests ---------------------------------------------------------------------


def make_sample(seed: int, *, persons: int, lean: float) -> Sample:
    """Three answers per person, centred near `lean` on the score scale."""
    rng = random.Random(seed)
    centre = 3 + 2 * lean
    return [
        [min(5, max(1, round(rng.gauss(centre, 0.9)))) for _ in range(3)] for _ in range(persons)
    ]


def week_index(week: str, sample: Sample) -> WeekIndex:
    value = score(sample)
    assert value is not None
    return WeekIndex(week=week, n=people(sample), score=round(value, 10), sample=moments_of(sample))


def history(weeks: range, *, year: int = 2026) -> tuple[WeekIndex, ...]:
    """Published weeks drifting gently towards "us"."""
    return tuple(
        week_index(f"{year}-W{w:02d}", make_sample(w, persons=6, lean=0.05 * (w - weeks[0])))
        for w in weeks
    )


def figure(
    value: float, *, n: int, previous: float | None = None, baseline: float | None = None
) -> Figure:
    change = None if previous is None else round(value - previous, 10)
    return Figure(
        n=n,
        score=value,
        previous=previous,
        previous_week=None if previous is None else "earlier",
        baseline=value if baseline is None else baseline,
        change=change,
        shift="none" if previous is not None else "insufficient_data",
        suppressed=False,
    )


def index_figure(weeks: tuple[WeekIndex, ...]) -> Figure:
    now = weeks[-1]
    previous = weeks[-2].score if len(weeks) > 1 else None
    return figure(now.score, n=now.n, previous=previous, baseline=weeks[0].score)


def make_digest(
    week: str,
    index: Figure,
    asked: Mapping[int, Figure],
    index_history: tuple[WeekIndex, ...],
) -> Digest:
    behaviours = tuple(
        BehaviourFigure(b, asked=b.position in asked, figure=asked.get(b.position, NOT_ASKED))
        for b in BEHAVIOURS
    )
    return Digest(
        team="Northside Partnership",
        week=week,
        threshold=3,
        participation=Participation(invited=8, responded=6),
        index=index,
        behaviours=behaviours,
        index_history=index_history,
        overall=overall_along(index_history),
    )


def overall_along(weeks: tuple[WeekIndex, ...]) -> Overall:
    """An overall figure that follows the given weeks (the chart draws only its history)."""
    points = tuple(
        OverallPoint(w.week, w.score, estimate_score(w.sample).variance / 4) for w in weeks
    )
    last = points[-1] if points else None
    return Overall(
        score=last.score if last else None,
        previous=points[-2].score if len(points) > 1 else None,
        previous_week=points[-2].week if len(points) > 1 else None,
        baseline=points[0].score if points else None,
        baseline_week=points[0].week if points else None,
        change=None,
        shift="none",
        trend=index_trend([], min_people=3),
        covered=13 if points else 0,
        history=points,
    )


def normal_digest() -> Digest:
    """Six published weeks; three behaviours asked, two with long pole phrases."""
    weeks = history(range(5, 11))
    asked = {
        0: figure(0.42, n=6, previous=0.25, baseline=0.1),
        8: figure(-0.17, n=6, previous=-0.33, baseline=-0.4),
        9: figure(0.83, n=5, previous=0.6, baseline=0.5),
    }
    return make_digest("2026-W10", index_figure(weeks), asked, weeks)


def first_digest() -> Digest:
    """The team's first round: its only published week is this one."""
    weeks = history(range(10, 11))
    asked = {1: figure(0.3, n=6), 2: figure(-0.08, n=6), 3: figure(0.5, n=5)}
    return make_digest("2026-W10", index_figure(weeks), asked, weeks)


def suppressed_digest(*, leaky: bool = False) -> Digest:
    """Too few answers for the index and one behaviour; earlier weeks were published."""
    hidden = LEAKY_SUPPRESSED if leaky else SUPPRESSED
    asked = {4: figure(0.2, n=3, previous=0.1, baseline=0.0), 5: hidden, 6: figure(-0.1, n=3)}
    return make_digest("2026-W12", hidden, asked, history(range(5, 11)))


def unpublished_digest() -> Digest:
    """A first round with too few answers: nothing can be shown, not even a history."""
    return make_digest("2026-W10", SUPPRESSED, {0: SUPPRESSED, 1: SUPPRESSED, 2: SUPPRESSED}, ())


ALL_CASES = {
    "normal": normal_digest,
    "first": first_digest,
    "suppressed": suppressed_digest,
    "unpublished": unpublished_digest,
}


# --- the image ----------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(ALL_CASES))
@pytest.mark.parametrize("target", [None, 0.4])
def test_every_kind_of_week_renders_a_slack_sized_png(case: str, target: float | None) -> None:
    png = render_digest_chart(ALL_CASES[case](), target=target)
    assert png.startswith(PNG_MAGIC)
    with Image.open(io.BytesIO(png)) as image:
        image.verify()
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.size == (1200, 900)


def test_rendering_the_same_digest_twice_gives_the_same_bytes() -> None:
    digest = normal_digest()
    assert render_digest_chart(digest, target=0.4) == render_digest_chart(digest, target=0.4)


# --- what goes into it --------------------------------------------------------------------


def test_rows_are_the_index_then_each_asked_behaviour_with_both_poles() -> None:
    data = chart_data(normal_digest())
    assert [row.is_index for row in data.rows] == [True, False, False, False]
    assert data.rows[1].label == 'talk of "them" ↔ talk of "us"'
    assert "…" not in "".join(row.them + row.us for row in data.rows)
    assert data.rows[2].lines == 2


def test_published_rows_carry_score_range_start_and_last_time() -> None:
    row = chart_data(normal_digest()).rows[1]
    assert row.score == 0.42 and row.baseline == 0.1 and row.previous == 0.25
    assert row.low is not None and row.high is not None
    assert -1 <= row.low < 0.42 < row.high <= 1


def test_index_row_range_comes_from_this_weeks_people() -> None:
    digest = normal_digest()
    data = chart_data(digest)
    assert data.rows[0].score == digest.index.score
    this_week = digest.index_history[-1]
    assert (data.rows[0].low, data.rows[0].high) == sample_range(this_week.score, this_week.sample)


def test_line_is_the_overall_figure_week_by_week_with_a_band_and_the_start() -> None:
    digest = normal_digest()
    assert digest.overall is not None
    data = chart_data(digest, target=0.4)
    assert [p.week for p in data.trend] == [p.week for p in digest.overall.history]
    assert [p.score for p in data.trend] == [p.score for p in digest.overall.history]
    assert all(p.low <= p.score <= p.high for p in data.trend)
    assert data.baseline == digest.overall.history[0].score
    assert data.target == 0.4
    assert data.trend_note is None


@pytest.mark.parametrize("case", ["first", "unpublished"])
def test_too_few_weeks_for_a_trend_gets_a_friendly_note(case: str) -> None:
    data = chart_data(ALL_CASES[case]())
    assert data.trend_note == TREND_NOTE


def test_suppressed_figures_become_words_not_numbers() -> None:
    data = chart_data(suppressed_digest(leaky=True))
    hidden = [row for row in data.rows if row.suppressed]
    assert [row.is_index for row in hidden] == [True, False]
    for row in hidden:
        assert (row.score, row.low, row.high, row.baseline, row.previous, row.n) == (None,) * 6
    assert LEAKED not in data.numbers()


def test_suppressed_week_adds_nothing_to_the_trend() -> None:
    digest = suppressed_digest(leaky=True)
    data = chart_data(digest)
    assert digest.week not in {p.week for p in data.trend}
    assert len(data.trend) == len(digest.index_history)


def _drawn(data: ChartData) -> tuple[list[str], list[float]]:
    """Every text and every plotted coordinate of the drawn figure."""
    fig = build_figure(data)
    texts = [t.get_text() for t in fig.findobj(Text)]
    values: list[float] = []
    for line in fig.findobj(Line2D):
        for coords in (line.get_xdata(), line.get_ydata()):
            values += np.asarray(coords, dtype=float).ravel().tolist()
    return texts, values


def test_the_picture_draws_no_suppressed_value() -> None:
    texts, values = _drawn(chart_data(suppressed_digest(leaky=True)))
    assert texts.count("not enough answers this week") == 2
    assert not any("0.77" in text for text in texts)
    assert all(abs(v - LEAKED) > 1e-9 for v in values)


def test_the_picture_of_an_unpublished_week_shows_no_score_at_all() -> None:
    texts, _ = _drawn(chart_data(unpublished_digest()))
    assert texts.count("not enough answers this week") == 4
    assert not any(text.startswith(("+0.", "-0.")) and len(text) == 5 for text in texts)


def test_many_weeks_get_thinned_labels_ending_with_the_latest() -> None:
    weeks = history(range(1, 21))
    digest = make_digest("2026-W20", index_figure(weeks), {0: figure(0.1, n=6)}, weeks)
    fig = build_figure(chart_data(digest))
    labels = [t.get_text() for t in fig.axes[1].get_xticklabels()]
    assert 2 <= len(labels) <= 8
    assert labels[-1] == "11 May"
    assert not any("-W" in label for label in labels)


def test_target_outside_the_scale_is_refused() -> None:
    with pytest.raises(ValueError):
        chart_data(normal_digest(), target=1.5)


@pytest.mark.parametrize("behaviour", BEHAVIOURS, ids=lambda b: b.id)
def test_every_pole_phrase_is_wrapped_whole_into_at_most_two_lines(behaviour: Behaviour) -> None:
    for text in (behaviour.favourable, behaviour.unfavourable):
        lines = wrap_pole(text).split("\n")
        assert " ".join(lines) == text
        assert len(lines) <= 2 and all(len(line) <= POLE_WIDTH for line in lines)


def test_wrapped_pole_phrases_overlap_neither_each_other_nor_the_row_above() -> None:
    weeks = history(range(5, 11))
    longest = {9: figure(0.2, n=6), 10: figure(-0.1, n=6), 7: figure(0.3, n=6)}
    fig = build_figure(chart_data(make_digest("2026-W10", index_figure(weeks), longest, weeks)))
    renderer = FigureCanvasAgg(fig).get_renderer()
    poles = [t for t in fig.axes[0].texts if t.get_text() in _pole_texts()]
    boxes = [t.get_window_extent(renderer) for t in poles]
    assert len(boxes) == 6
    for i, first in enumerate(boxes):
        for second in boxes[i + 1 :]:
            assert not first.overlaps(second)


def _pole_texts() -> set[str]:
    return {wrap_pole(text) for b in BEHAVIOURS for text in (b.favourable, b.unfavourable)}


def test_a_short_pole_phrase_stays_on_one_line() -> None:
    assert wrap_pole("tell") == "tell"


if __name__ == "__main__":
    path = sys.argv[1] if len(sys.argv) > 1 else SAMPLE_PATH
    with open(path, "wb") as out:
        out.write(render_digest_chart(normal_digest(), target=0.4))
    print(path)
