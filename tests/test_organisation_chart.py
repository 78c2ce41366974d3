"""The digest chart's organisations: each one's published scores as marks under each row,
told apart by shape as well as by a colour-blind-safe colour, so they stay distinguishable in
greyscale; marks that would cover each other are dodged into lanes, so every one stays in
sight; no withheld organisation figure is drawn or named.

Run as a module (``python -m tests.test_organisation_chart``) to write a sample image.
"""

from __future__ import annotations

import io
import sys
from dataclasses import replace
from itertools import combinations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.lines import Line2D
from matplotlib.text import Text
from PIL import Image
from scipy import ndimage

from charts import chart_data
from charts.digest_chart import build_figure, render_digest_chart
from charts.organisation_drawing import LANE_ROOM, MARK_WIDTH, ORGANISATION_PITCH, lanes
from charts.organisation_marks import (
    ORGANISATION_STYLES,
    OTHER_PARTNERS_STYLE,
    OrganisationMark,
    OrganisationStyle,
)
from surveys.digest import Digest
from surveys.organisation_figures import OrganisationBehaviour, OrganisationFigures
from surveys.organisations import OTHER_PARTNERS
from tests.test_digest_chart import PNG_MAGIC, normal_digest

COUNCIL, NHS, POLICE, FIRE = "Leeds City Council", "NHS Leeds", "West Yorkshire Police", "Fire"
LEAKED = 0.77
"""What a withheld organisation figure wrongly carries; it must never be drawn."""

OKABE_ITO = {
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000",
}  # fmt: skip
TEAM_MARKERS = {"o", "D"}


def _org(name: str, index: float | None, scores: list[float | None]) -> OrganisationFigures:
    """Figures for the three behaviours normal_digest asks; None is withheld (leaky)."""
    ids = [b.behaviour.id for b in normal_digest().asked]
    behaviours = tuple(
        OrganisationBehaviour(b, 6, s, False)
        if s is not None
        else OrganisationBehaviour(b, 2, LEAKED, True)
        for b, s in zip(ids, scores, strict=True)
    )
    if index is None:
        return OrganisationFigures(name, 2, LEAKED, True, behaviours)
    return OrganisationFigures(name, 6, index, False, behaviours)


def partnership_digest() -> Digest:
    """Three named organisations and "Other partners"; the fire service is withheld in every
    figure, the police on one behaviour."""
    return replace(
        normal_digest(),
        organisations=(
            _org(FIRE, None, [None, None, None]),
            _org(COUNCIL, 0.3, [0.6, 0.1, 0.9]),
            _org(NHS, -0.1, [-0.5, -0.4, 0.7]),
            _org(POLICE, 0.05, [0.0, None, 0.8]),
            _org(OTHER_PARTNERS, 0.2, [0.3, 0.3, 0.75]),
        ),
    )


def _organisation_lines(digest: Digest) -> list[Line2D]:
    figure = build_figure(chart_data(digest))
    return [
        line
        for line in figure.axes[0].get_lines()
        if str(line.get_gid() or "").startswith("organisation:")
    ]


def test_each_row_carries_only_the_organisations_published_scores() -> None:
    data = chart_data(partnership_digest())
    index, talk, ways, _ = data.rows
    assert [(m.name, m.score) for m in index.organisations] == [
        (COUNCIL, 0.3), (NHS, -0.1), (POLICE, 0.05), (OTHER_PARTNERS, 0.2),
    ]  # fmt: skip
    assert [m.name for m in ways.organisations] == [COUNCIL, NHS, OTHER_PARTNERS]
    assert [m.score for m in talk.organisations] == [0.6, -0.5, 0.0, 0.3]
    assert LEAKED not in data.numbers()
    assert [name for name, _ in data.organisations] == [COUNCIL, NHS, POLICE, OTHER_PARTNERS]


def test_an_organisation_with_nothing_published_is_neither_drawn_nor_named() -> None:
    digest = partnership_digest()
    figure = build_figure(chart_data(digest))
    texts = [t.get_text() for t in figure.findobj(Text)]
    assert COUNCIL in texts and OTHER_PARTNERS in texts
    assert not any(FIRE in text for text in texts)
    drawn = [str(line.get_gid()) for line in _organisation_lines(digest)]
    assert f"organisation:{FIRE}" not in drawn
    assert all(abs(float(x) - LEAKED) > 1e-9 for line in figure.findobj(Line2D)
               for x in np.asarray(line.get_xdata(), dtype=float).ravel())  # fmt: skip


def test_no_organisation_marks_beside_a_withheld_team_figure() -> None:
    digest = partnership_digest()
    hidden = replace(digest.index, score=None, suppressed=True)
    data = chart_data(replace(digest, index=hidden))
    assert data.rows[0].organisations == ()


def test_organisations_differ_in_shape_and_use_a_colour_blind_safe_palette() -> None:
    styles = [*ORGANISATION_STYLES, OTHER_PARTNERS_STYLE]
    markers = [s.marker for s in styles]
    assert len(set(markers)) == len(markers)
    assert not TEAM_MARKERS & set(markers)
    for style in styles:
        assert style.colour.upper() in OKABE_ITO or style.colour == "white"
    drawn = {
        line.get_gid(): line.get_marker() for line in _organisation_lines(partnership_digest())
    }
    assert len(set(drawn.values())) == len(drawn) == 4


def _greyscale(
    digest: Digest, row: tuple[float, float] = (1.5, 2.5)
) -> tuple[np.ndarray, list[tuple[str, tuple[int, int]]]]:
    """The rendered chart in greyscale, and the pixel centre of each organisation's mark on
    the row whose marks' y lies in ``row`` (by default the first behaviour's)."""
    figure = build_figure(chart_data(digest))
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    grey = np.asarray(Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
                      .convert("L"), dtype=float)  # fmt: skip
    ax = figure.axes[0]
    height = grey.shape[0]
    centres = []
    for line in ax.get_lines():
        gid = str(line.get_gid() or "")
        x = float(np.asarray(line.get_xdata(), dtype=float)[0])
        y = float(np.asarray(line.get_ydata(), dtype=float)[0])
        if gid.startswith("organisation:") and row[0] < y < row[1]:
            px, py = ax.transData.transform((x, y))
            centres.append((gid, (round(px), height - round(py))))
    return grey, centres


def test_in_greyscale_every_organisations_mark_is_visible_and_unlike_the_others() -> None:
    grey, centres = _greyscale(partnership_digest())
    assert len(centres) == 4  # council, NHS, police, other partners on "talk of us"
    half = 9
    patches = {
        gid: grey[y - half : y + half + 1, x - half : x + half + 1] for gid, (x, y) in centres
    }
    for gid, patch in patches.items():
        assert patch.min() < 200, f"{gid} does not show against the white page"
    for (one, a), (other, b) in combinations(patches.items(), 2):
        assert np.abs(a - b).mean() > 12, f"{one} and {other} look alike in greyscale"


def converged_digest() -> Digest:
    """Council, NHS and police with the same scores everywhere, as partners that have
    converged; the police stand alone on one behaviour."""
    same: list[float | None] = [0.3, 0.3, 0.8]
    return replace(
        normal_digest(),
        organisations=(
            _org(COUNCIL, 0.2, same),
            _org(NHS, 0.2, same),
            _org(POLICE, 0.2, [0.3, -0.6, 0.8]),
        ),
    )


def _mark(score: float) -> OrganisationMark:
    return OrganisationMark("any", score, OrganisationStyle("s", "#000000", "white"))


def test_marks_closer_than_a_mark_are_dodged_into_lanes_and_the_rest_stay_on_the_first() -> None:
    assert lanes([_mark(0.3), _mark(0.3), _mark(0.3)]) == [0, 1, 2]
    assert lanes([_mark(0.3), _mark(0.3 + MARK_WIDTH / 2), _mark(-0.5)]) == [0, 1, 0]
    assert lanes([_mark(0.1), _mark(0.1 + 2 * MARK_WIDTH), _mark(0.9)]) == [0, 0, 0]
    assert lanes([]) == []


def test_organisations_with_identical_scores_each_show_as_a_separate_mark() -> None:
    pitch = ORGANISATION_PITCH + 2 * LANE_ROOM  # three lanes
    grey, centres = _greyscale(converged_digest(), row=(pitch, 2 * pitch))
    assert len(centres) == 3  # council, NHS and police all on "talk of us", all at +0.3
    xs = {x for _, (x, _) in centres}
    assert len(xs) == 1  # dodged downwards, never sideways: each still at its score
    ys = sorted(y for _, (_, y) in centres)
    x = xs.pop()
    band = grey[ys[0] - 9 : ys[-1] + 10, x - 11 : x + 12] < 200
    regions, count = ndimage.label(band)
    sizes = np.bincount(regions.ravel())[1:]
    assert count == 3 and sizes.min() > 30, f"{count} mark regions, sizes {sizes}"
    for one, other in combinations(ys, 2):
        assert other - one >= 14, "two organisations' marks overlap"


def test_rows_leave_room_for_dodged_marks_only_when_marks_need_dodging() -> None:
    def pitch(digest: Digest) -> float:
        """How far apart the police's index and first-behaviour marks are: one row's pitch."""
        police = [line for line in _organisation_lines(digest)
                  if line.get_gid() == f"organisation:{POLICE}"]  # fmt: skip
        ys = [float(np.asarray(line.get_ydata(), dtype=float)[0]) for line in police]
        return ys[1] - ys[0]

    assert pitch(partnership_digest()) == pytest.approx(ORGANISATION_PITCH)
    assert pitch(converged_digest()) > ORGANISATION_PITCH


def test_a_partnership_chart_is_still_a_slack_sized_png() -> None:
    png = render_digest_chart(partnership_digest(), target=0.4)
    assert png.startswith(PNG_MAGIC)
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (1200, 900)


def test_the_key_overlaps_neither_the_title_nor_the_panel() -> None:
    figure = build_figure(chart_data(partnership_digest()))
    renderer = FigureCanvasAgg(figure).get_renderer()
    key = figure.legends[0].get_window_extent(renderer)
    subtitle = next(t for t in figure.texts if t.get_text().startswith("Where are we now, "))
    assert not key.overlaps(subtitle.get_window_extent(renderer))
    panel_title = figure.axes[0].title.get_window_extent(renderer)
    assert not key.overlaps(panel_title)


@pytest.mark.parametrize("count", [1, 2, 5, 6])
def test_any_number_of_organisations_renders(count: int) -> None:
    names = [f"Organisation {i}" for i in range(count)]
    digest = replace(
        normal_digest(),
        organisations=tuple(
            _org(n, 0.1 * i, [0.1 * i, -0.1 * i, 0.5]) for i, n in enumerate(names)
        ),
    )
    assert render_digest_chart(digest).startswith(PNG_MAGIC)
    assert [name for name, _ in chart_data(digest).organisations] == names


if __name__ == "__main__":
    path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/organisation-chart-sample.png"
    with open(path, "wb") as out:
        out.write(render_digest_chart(partnership_digest(), target=0.4))
    converged = path.replace(".png", "-converged.png")
    with open(converged, "wb") as out:
        out.write(render_digest_chart(converged_digest(), target=0.4))
    print(path, converged)
