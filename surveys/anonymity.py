"""Which answers may be published, so that no figure can be worked out from the others.

One rule (`publishable`) decides every figure. A figure from fewer people than the team's
threshold is withheld. So is a figure in which every person's answers sit at the same place
(for one behaviour: everyone chose the same point) unless it stands for at least
UNANIMOUS_MIN_PEOPLE people: otherwise it would tell each of them what every other one said.
A week's index pools the answers of the behaviours shown that week only: pooling a withheld
behaviour with shown ones would let anyone recover it by subtraction. When every behaviour of
a week is withheld the index may pool them all, because nothing shown can be subtracted from
it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from surveys.moments import Moments

if TYPE_CHECKING:
    # pandas is imported by `published_answers` only, the answer-by-answer reference the
    # tests hold digests and summaries to: the bot works from moments and plain rows, and
    # never holds pandas' 30 MB.
    import pandas as pd

MINIMUM_THRESHOLD = 3
DEFAULT_THRESHOLD = 5
UNANIMOUS_MIN_PEOPLE = 10
"""Fewest people a figure may show in which everyone answered alike (docs/METHOD.md)."""


class ThresholdTooLow(ValueError):
    """A threshold below the floor that keeps individuals hidden."""


def checked_threshold(value: int) -> int:
    """Refuse thresholds under the minimum rather than silently raising them."""
    if value < MINIMUM_THRESHOLD:
        raise ThresholdTooLow(
            f"The anonymity threshold cannot be below {MINIMUM_THRESHOLD} people."
        )
    return value


@dataclass(frozen=True)
class PublishedAnswers:
    """Counted answers behind published figures: per behaviour-week, and pooled per week."""

    behaviours: pd.DataFrame
    index: pd.DataFrame


def without_spread(sample: Moments) -> bool:
    """Whether every person's answers average exactly the figure's score (for one behaviour:
    everyone chose the same point). Decided in whole numbers: Σ(tᵢ·K − T·kᵢ)² = 0."""
    k, t = sample.answers, sample.total
    return (
        k * k * sample.total_squares - 2 * t * k * sample.cross + t * t * sample.size_squares == 0
    )


def publishable(sample: Moments, threshold: int) -> bool:
    """The publishing rule for every figure: enough people, and no unanimity that a handful
    of people could read each other's answers from."""
    if sample.people < threshold:
        return False
    return sample.people >= max(UNANIMOUS_MIN_PEOPLE, threshold) or not without_spread(sample)


def _publishable_groups(counted: pd.DataFrame, keys: list[str], threshold: int) -> pd.Series:
    """`publishable` for each group of answer rows, as a mask over the rows."""
    import pandas as pd

    person = counted.groupby([*keys, "respondent"])["point"].agg(["sum", "count"])
    person["t"] = (person["sum"] - 3 * person["count"]).astype(int)
    person = person.reset_index()
    shown: dict[tuple[object, ...], bool] = {}
    for key, rows in person.groupby(keys):
        ts, ks = rows["t"].tolist(), rows["count"].tolist()
        sample = Moments(
            people=len(ts),
            answers=sum(ks),
            total=sum(ts),
            total_squares=sum(x * x for x in ts),
            cross=sum(x * y for x, y in zip(ts, ks, strict=True)),
            size_squares=sum(y * y for y in ks),
        )
        shown[key if isinstance(key, tuple) else (key,)] = publishable(sample, threshold)
    index = pd.MultiIndex.from_frame(counted[keys]) if len(keys) > 1 else counted[keys[0]]
    values = [shown[k if isinstance(k, tuple) else (k,)] for k in index]
    return pd.Series(values, index=counted.index, dtype=bool)


def published_answers(frame: pd.DataFrame, *, threshold: int) -> PublishedAnswers:
    """Split counted answers into those behind published behaviour and index figures."""
    counted = frame[frame["point"].notna()]
    if counted.empty:
        return PublishedAnswers(behaviours=counted, index=counted)
    shown = _publishable_groups(counted, ["week", "behaviour"], threshold)
    behaviours = counted[shown]
    weeks_with_shown = set(behaviours["week"])
    pooled = counted[shown | ~counted["week"].isin(weeks_with_shown)]
    if pooled.empty:
        return PublishedAnswers(behaviours=behaviours, index=pooled)
    return PublishedAnswers(
        behaviours=behaviours, index=pooled[_publishable_groups(pooled, ["week"], threshold)]
    )


def shown_behaviours(samples: Mapping[str, Moments], *, threshold: int) -> frozenset[str]:
    """The behaviours of one week whose figures may be shown."""
    return frozenset(b for b, m in samples.items() if m.people and publishable(m, threshold))


def pooled_behaviours(samples: Mapping[str, Moments], shown: frozenset[str]) -> frozenset[str]:
    """The behaviours a week's index pools: the shown ones, or all of them if none is shown."""
    return shown or frozenset(b for b, m in samples.items() if m.people)


def index_shown(pooled: Moments, threshold: int) -> bool:
    """Whether a week's index, pooling these answers, may be shown."""
    return publishable(pooled, threshold)


# Organisations (SPEC §4 `organisations`, §5). Two rules keep a partner organisation's figures
# from singling anyone out; docs/METHOD.md ("Organisations") says why each is needed.


def kept_organisation_labels(respondents: Mapping[str, int], threshold: int) -> frozenset[str]:
    """The organisations whose name may stay on a closed round's answers.

    An organisation's name on an answer narrows who gave it to that organisation's people,
    so it is kept only for an organisation with at least ``threshold`` respondents that
    round, and only while the answers left without a name ("Other partners") are none or
    come from at least ``threshold`` people: else the smallest named one joins them, and so
    on. With fewer than two organisations named, none is: the team says it all.
    """
    kept = {name for name, people in respondents.items() if people >= threshold}
    total = sum(respondents.values())
    while kept:
        rest = total - sum(respondents[name] for name in kept)
        if len(kept) + (1 if rest else 0) < 2:
            return frozenset()
        if rest == 0 or rest >= threshold:
            return frozenset(kept)
        kept.remove(min(kept, key=lambda name: (respondents[name], name)))
    return frozenset()


def shown_organisations(
    team: Moments,
    groups: Mapping[str, Moments],
    threshold: int,
    eligible: Collection[str] | None = None,
) -> frozenset[str]:
    """The organisations (``groups``, whose moments add up to ``team``'s) whose figure may be
    shown beside the team's, with complementary suppression.

    Each shown organisation's figure must be publishable, and so must whatever the team's
    figure minus the shown ones leaves (the remainder: the suppressed organisations pooled),
    unless it leaves no one. While the remainder could be worked out from too few people,
    the smallest shown organisation is withheld too, so that no subtraction of published
    figures ever isolates fewer than ``threshold`` people. Nothing is shown by organisation
    when the team's own figure is not.
    """
    if not team.people or not publishable(team, threshold):
        return frozenset()
    allowed = groups.keys() if eligible is None else eligible
    shown = {
        g for g, m in groups.items() if g in allowed and m.people and publishable(m, threshold)
    }
    while shown:
        rest = _remainder(team, [groups[g] for g in shown])
        if rest.people == 0 or publishable(rest, threshold):
            return frozenset(shown)
        shown.remove(min(shown, key=lambda g: (groups[g].people, g)))
    return frozenset()


def _remainder(team: Moments, shown: Sequence[Moments]) -> Moments:
    """What the team's moments less the shown ones leave."""
    fields = [
        getattr(team, f) - sum(getattr(m, f) for m in shown)
        for f in ("people", "answers", "total", "total_squares", "cross", "size_squares")
    ]
    return Moments(*fields)
