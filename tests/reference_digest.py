"""The digest as first written with pandas groupbys, kept to prove faster versions identical.

An independent oracle on purpose: it restates the publishing rule (`_shown`) rather than
calling `surveys.anonymity.publishable`, which the bot's every published figure (digest,
summary, export, App Home) goes through. Were it to share that function, a mistake in the
rule would agree with itself and the comparison could not catch it. Only the constant
UNANIMOUS_MIN_PEOPLE is shared: it is the product's figure, not its working.

Nothing in the bot uses this module: `tests/test_digest_equivalence.py` compares it with
`surveys.digest.compute_digest` on many random histories.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import pandas as pd

from surveys.anonymity import UNANIMOUS_MIN_PEOPLE
from surveys.behaviour_shift import behaviour_noise, detect_behaviour_shift
from surveys.behaviours import BEHAVIOURS
from surveys.digest import (
    INDEX,
    AnswerRow,
    ArchivedFigure,
    BehaviourFigure,
    Digest,
    Figure,
    Participation,
    RoundFacts,
    WeekIndex,
)
from surveys.moments import Sample, moments_of
from surveys.overall import Reading, design_effect, overall_of
from surveys.statistics import IndexShift, Shift, detect_index_shift
from surveys.summary import frame_of
from surveys.weeks import parse_week

_NOT_ASKED = Figure(0, None, None, None, None, None, "insufficient_data", False)
_SUPPRESSED = Figure(None, None, None, None, None, None, "insufficient_data", True)


@dataclass(frozen=True)
class PublishedAnswers:
    """Counted answers behind published figures: per behaviour-week, and pooled per week."""

    behaviours: pd.DataFrame
    index: pd.DataFrame


def published_answers(frame: pd.DataFrame, *, threshold: int) -> PublishedAnswers:
    """Split counted answers into those behind published behaviour and index figures."""
    counted = frame[frame["point"].notna()]
    shown = _shown(counted, ["week", "behaviour"], threshold)
    behaviours = counted[shown]
    weeks_with_shown = set(behaviours["week"])
    pooled = counted[shown | ~counted["week"].isin(weeks_with_shown)]
    return PublishedAnswers(
        behaviours=behaviours, index=pooled[_shown(pooled, ["week"], threshold)]
    )


def _shown(counted: pd.DataFrame, keys: list[str], threshold: int) -> pd.Series:
    """Enough people, and not everyone's answers averaging alike unless there are many."""
    if counted.empty:
        return pd.Series([], index=counted.index, dtype=bool)
    people = counted.groupby(keys)["respondent"].transform("nunique")
    means = counted.groupby([*keys, "respondent"])["point"].transform("mean")
    alike = means.groupby([counted[k] for k in keys]).transform(
        lambda m: bool((m - m.iloc[0]).abs().max() < 1e-9)
    )
    return (people >= threshold) & ((people >= max(UNANIMOUS_MIN_PEOPLE, threshold)) | ~alike)


def _clean(value: float) -> float:
    return round(float(value), 10)


def _samples(counted: pd.DataFrame) -> Sample:
    grouped = counted.groupby("respondent", sort=True)["point"]
    return [[int(p) for p in points] for _, points in grouped]


@dataclass(frozen=True)
class _Series:
    weeks: list[str]
    scores: list[float]
    samples: list[Sample]

    def before(self, week: str) -> tuple[str, float, Sample] | None:
        earlier = [i for i, w in enumerate(self.weeks) if w < week]
        if not earlier:
            return None
        i = earlier[-1]
        return self.weeks[i], self.scores[i], self.samples[i]


def _series(published: pd.DataFrame, archived: Sequence[ArchivedFigure] = ()) -> _Series:
    by_week: dict[str, tuple[float, Sample]] = {}
    for week, rows in published.groupby("week", sort=True):
        by_week[str(week)] = (float(rows["score"].mean()), _samples(rows))
    for figure in archived:
        by_week.setdefault(figure.week, (figure.score, []))
    weeks = sorted(by_week)
    return _Series(weeks, [by_week[w][0] for w in weeks], [by_week[w][1] for w in weeks])


ShiftRule = Callable[[Sample, Sample | None], Shift]


def _figure(
    series: _Series, week: str, *, threshold: int, current: pd.DataFrame, rule: ShiftRule
) -> Figure:
    n = int(current["respondent"].nunique())
    if not _shown(current, ["week"], threshold).all() or current.empty:
        return _SUPPRESSED
    score = float(current["score"].mean())
    earlier = series.before(week)
    previous_week, previous, previous_sample = earlier if earlier else (None, None, None)
    return Figure(
        n=n,
        score=_clean(score),
        previous=None if previous is None else _clean(previous),
        previous_week=previous_week,
        baseline=_clean(series.scores[0] if series.weeks else score),
        change=None if previous is None else _clean(score - previous),
        shift=rule(_samples(current), previous_sample),
        suppressed=False,
    )


def _fixed(shift: Shift) -> ShiftRule:
    return lambda _sample, _previous: shift


def _index_verdict(
    series: _Series, week: str, current: pd.DataFrame, threshold: int, family_size: int
) -> IndexShift:
    history = [
        (parse_week(w).ordinal, s)
        for w, s in zip(series.weeks, series.samples, strict=True)
        if w < week
    ]
    history.append((parse_week(week).ordinal, _samples(current)))
    return detect_index_shift(history, min_people=threshold, family_size=family_size)


def compute_digest(
    *,
    team: str,
    week: str,
    answers: Sequence[AnswerRow],
    rounds: Sequence[RoundFacts],
    threshold: int,
    archived: Sequence[ArchivedFigure] = (),
) -> Digest:
    """The digest exactly as the pandas version built it."""
    earlier_archive = [a for a in archived if a.week < week]
    frame = frame_of([a for a in answers if a.week <= week])
    this_round = next((r for r in rounds if r.week == week), None)
    asked = set(this_round.behaviour_ids) if this_round else set()
    published = published_answers(frame, threshold=threshold)
    family_size = len(asked) + 2  # its behaviours, the index and the overall figure
    week_rows = frame[frame["week"] == week]
    counted_now = week_rows[week_rows["point"].notna()]
    earlier_published = published.behaviours[published.behaviours["week"] < week]
    figures = []
    earlier_series = {
        b.id: _series(earlier_published[earlier_published["behaviour"] == b.id]) for b in BEHAVIOURS
    }
    noise = behaviour_noise(
        {
            b: [(w, moments_of(x)) for w, x in zip(sr.weeks, sr.samples, strict=True)]
            for b, sr in earlier_series.items()
        },
        week,
    )
    for b in BEHAVIOURS:
        if b.id not in asked:
            figures.append(BehaviourFigure(b, asked=False, figure=_NOT_ASKED))
            continue
        series = _series(
            earlier_published[earlier_published["behaviour"] == b.id],
            [a for a in earlier_archive if a.figure == b.id],
        )
        current = counted_now[counted_now["behaviour"] == b.id]
        verdict = detect_behaviour_shift(
            [*(moments_of(x) for x in earlier_series[b.id].samples), moments_of(_samples(current))],
            noise=noise,
            min_people=threshold,
            family_size=family_size,
        )
        figure = _figure(
            series,
            week,
            threshold=threshold,
            current=current,
            rule=_fixed(verdict.shift),
        )
        if not figure.suppressed:
            figure = replace(figure, basis=verdict.basis)
        figures.append(BehaviourFigure(b, asked=True, figure=figure))
    index_series = _series(
        published.index[published.index["week"] < week],
        [a for a in earlier_archive if a.figure == INDEX],
    )
    index_now = published.index[published.index["week"] == week]
    if index_now.empty:
        index_now = counted_now.iloc[0:0]
    verdict = _index_verdict(index_series, week, index_now, threshold, family_size)
    index = _figure(
        index_series,
        week,
        threshold=threshold,
        current=index_now,
        rule=lambda _sample, _previous: verdict.shift,
    )
    history = _index_history(published.index[published.index["week"] <= week])
    return Digest(
        team=team,
        week=week,
        threshold=threshold,
        participation=Participation(
            invited=this_round.invited if this_round else 0,
            responded=int(week_rows["respondent"].nunique()),
        ),
        index=index if index.suppressed else replace(index, basis=verdict.basis),
        behaviours=tuple(figures),
        index_history=history,
        index_recent_shift=verdict.against_recent_weeks.shift,
        index_basis=verdict.basis,
        overall=overall_of(
            _readings(published.behaviours, earlier_archive),
            week,
            design_effects=_design_effects(published),
            family_size=family_size,
        ),
    )


def _readings(
    behaviours: pd.DataFrame, archived: Sequence[ArchivedFigure]
) -> dict[str, list[Reading]]:
    readings: dict[str, list[Reading]] = {}
    for b in BEHAVIOURS:
        series = _series(
            behaviours[behaviours["behaviour"] == b.id], [a for a in archived if a.figure == b.id]
        )
        readings[b.id] = [
            Reading(w, score, moments_of(sample))
            for w, score, sample in zip(series.weeks, series.scores, series.samples, strict=True)
        ]
    return readings


def _design_effects(published: PublishedAnswers) -> dict[str, float]:
    effects = {}
    for week, rows in published.index.groupby("week", sort=True):
        shown = published.behaviours[published.behaviours["week"] == week]
        if shown.empty:
            continue
        parts = [moments_of(_samples(r)) for _, r in shown.groupby("behaviour", sort=True)]
        effects[str(week)] = design_effect(moments_of(_samples(rows)), parts)
    return effects


def _index_history(published_index: pd.DataFrame) -> tuple[WeekIndex, ...]:
    series = _series(published_index)
    return tuple(
        WeekIndex(week=w, n=len(sample), score=_clean(s), sample=moments_of(sample))
        for w, s, sample in zip(series.weeks, series.scores, series.samples, strict=True)
    )
