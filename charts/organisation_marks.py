"""Each partner organisation's published figures as marks on the chart's rows.

Only figures the digest publishes reach a mark: a withheld organisation figure is left out,
and an organisation with nothing shown is neither drawn nor named in the key. Each
organisation keeps one look for the whole chart: a marker shape of its own (so the marks
stay apart in greyscale and for anyone who cannot tell the colours apart) and a colour from
the Okabe–Ito palette, chosen for the common colour-vision deficiencies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from surveys.organisation_figures import OrganisationFigures
from surveys.organisations import OTHER_PARTNERS


@dataclass(frozen=True)
class OrganisationStyle:
    """How one organisation's marks look: matplotlib marker, fill and edge colours."""

    marker: str
    colour: str
    edge: str


INK = "#222222"
ORGANISATION_STYLES = (
    OrganisationStyle("s", "#D55E00", "white"),  # vermillion square
    OrganisationStyle("^", "#009E73", "white"),  # bluish-green triangle
    OrganisationStyle("v", "#CC79A7", "white"),  # reddish-purple triangle, pointing down
    OrganisationStyle("P", "#000000", "white"),  # black plus
    OrganisationStyle("*", "#F0E442", INK),  # yellow star, outlined to show on white
    OrganisationStyle("p", "white", INK),  # hollow pentagon
)
"""One style per organisation a manager can name (surveys.organisations.MAX_ORGANISATIONS).
The team's own marks use circles and a diamond in blue, sky blue and orange, so none of
these shapes or colours is taken."""

OTHER_PARTNERS_STYLE = OrganisationStyle("h", "white", "#6B6B6B")
""""Other partners" (several organisations together) is a hollow grey hexagon."""


@dataclass(frozen=True)
class OrganisationMark:
    """One organisation's published score on one row."""

    name: str
    score: float
    style: OrganisationStyle


def styles_for(figures: Sequence[OrganisationFigures]) -> dict[str, OrganisationStyle]:
    """Each organisation's style, by its place in the digest's list (names in order, "Other
    partners" last), so a withheld organisation does not shift the others' looks."""
    named = [f.name for f in figures if f.name != OTHER_PARTNERS]
    styles = {
        name: ORGANISATION_STYLES[i % len(ORGANISATION_STYLES)] for i, name in enumerate(named)
    }
    return styles | {OTHER_PARTNERS: OTHER_PARTNERS_STYLE}


def index_marks(figures: Sequence[OrganisationFigures]) -> tuple[OrganisationMark, ...]:
    """Each organisation's published index."""
    styles = styles_for(figures)
    return tuple(
        OrganisationMark(f.name, f.index, styles[f.name])
        for f in figures
        if not f.index_suppressed and f.index is not None
    )


def behaviour_marks(
    figures: Sequence[OrganisationFigures], behaviour_id: str
) -> tuple[OrganisationMark, ...]:
    """Each organisation's published score for one behaviour."""
    styles = styles_for(figures)
    return tuple(
        OrganisationMark(f.name, b.score, styles[f.name])
        for f in figures
        for b in f.behaviours
        if b.id == behaviour_id and not b.suppressed and b.score is not None
    )


def drawn_organisations(
    rows: Sequence[Sequence[OrganisationMark]],
) -> tuple[tuple[str, OrganisationStyle], ...]:
    """The organisations that have at least one mark, in first-seen order, for the key."""
    seen: dict[str, OrganisationStyle] = {}
    for marks in rows:
        for mark in marks:
            seen.setdefault(mark.name, mark.style)
    return tuple(seen.items())
