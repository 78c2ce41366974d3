"""What a digest says about each agreed action: the behaviour then and now, and whether it
really moved, from published figures only."""

from __future__ import annotations

from collections.abc import Sequence

from surveys.actions import ActionReport, AgreedAction, Since, listed_in
from surveys.digest import TeamAnswers
from surveys.moments import Moments
from surveys.statistics import detect_shift


def _score(sample: Moments) -> float:
    return round(sample.total / 2 / sample.answers, 10)


def _shown_weeks(answers: TeamAnswers, behaviour_id: str, up_to: str, threshold: int) -> list[str]:
    """Weeks up to ``up_to`` whose digest showed the behaviour (never a suppressed one)."""
    return [
        week
        for week in sorted(answers.weeks)
        if week <= up_to and behaviour_id in answers.published(week, threshold).shown
    ]


def since_agreed(
    action: AgreedAction, answers: TeamAnswers, *, week: str, threshold: int, family_size: int
) -> Since | None:
    """The behaviour's latest shown figure from before the action was agreed ("then")
    against its latest since ("now"); None until it has been shown since."""
    shown = _shown_weeks(answers, action.behaviour_id, week, threshold)
    base = action.baseline_week
    before = [w for w in shown if base is not None and w <= base]
    after = [w for w in shown if base is None or w > base]
    if not after:
        return None
    now_sample = answers.weeks[after[-1]].behaviour(action.behaviour_id)
    then_sample = answers.weeks[before[-1]].behaviour(action.behaviour_id) if before else None
    verdict = detect_shift(
        now_sample, then_sample, min_people=threshold, family_size=family_size
    ).shift
    return Since(
        then=_score(then_sample) if then_sample is not None else None,
        now=_score(now_sample),
        shift=verdict,
        then_week=before[-1] if before else None,
        now_week=after[-1],
    )


def report_actions(
    actions: Sequence[AgreedAction], answers: TeamAnswers, *, week: str, threshold: int
) -> tuple[ActionReport, ...]:
    """The actions a week's digest lists, each with its ``since``. The verdicts of one
    digest are one family, so a stable team is rarely told of a move that is noise."""
    listed = [a for a in actions if listed_in(a, week)]
    family = len(listed) + 1
    return tuple(
        ActionReport(
            a,
            since_agreed(a, answers, week=week, threshold=threshold, family_size=family),
        )
        for a in listed
    )
