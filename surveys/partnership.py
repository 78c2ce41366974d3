"""The partnership's organisations in a digest: each one's figures this week, and whether
their views are drawing together (SPEC §4 `organisations`, `convergence`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from surveys.convergence import NO_CONVERGENCE, Convergence, measure_convergence
from surveys.moments import Moments
from surveys.organisation_figures import OrganisationFigures, WeekGroups, organisation_figures
from surveys.organisations import OTHER_PARTNERS
from surveys.weeks import week_ordinal


def partnership_view(
    weeks: Mapping[str, WeekGroups],
    *,
    week: str,
    asked: Sequence[str],
    threshold: int,
) -> tuple[tuple[OrganisationFigures, ...], Convergence]:
    """This week's organisations, and convergence over the weeks up to it.

    Convergence reads only the indexes of organisations shown in each week (never "Other
    partners", whose people change with who was folded), so it publishes nothing their
    figures did not.
    """
    now = organisation_figures(weeks.get(week, {}), asked=asked, threshold=threshold)
    if not now:
        return (), NO_CONVERGENCE
    history = []
    for w in sorted(x for x in weeks if x < week):
        earlier = organisation_figures(weeks[w], asked=(), threshold=threshold)
        history.append((week_ordinal(w), _shown_indexes(earlier)))
    history.append((week_ordinal(week), _shown_indexes(now)))
    return now, measure_convergence(history, min_people=threshold)


def _shown_indexes(figures: Sequence[OrganisationFigures]) -> list[Moments]:
    return [
        f.index_sample for f in figures if f.index_sample is not None and f.name != OTHER_PARTNERS
    ]
