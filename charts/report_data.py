"""What a quarter's board report says, in the briefing's story order, from published
figures only: the digests of the quarter's closed rounds, its review, and the team's actions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from charts.chart_data import TrendPoint, trend_points
from charts.report_organisations import OrganisationChange, organisation_changes
from surveys.actions import AgreedAction
from surveys.behaviours import BEHAVIOURS
from surveys.digest import Digest
from surveys.review import ReviewResults, quarter_of
from surveys.weeks import parse_week


def week_quarter(week: str) -> str:
    """The quarter a week counts in: the one its Thursday falls in (as ISO years count)."""
    thursday = parse_week(week).monday + timedelta(days=3)
    return f"{thursday.year}-Q{(thursday.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class BehaviourChange:
    """One behaviour over the quarter: its first and latest shown readings."""

    favourable: str
    unfavourable: str
    start: float | None
    start_week: str | None
    now: float | None
    now_week: str | None


@dataclass(frozen=True)
class ReportData:
    """Every word and number of the report, and nothing else."""

    team: str
    team_name: str | None
    quarter: str
    weeks: tuple[str, ...]
    trend: tuple[TrendPoint, ...]
    behaviours: tuple[BehaviourChange, ...]
    review: ReviewResults | None
    agreed: tuple[AgreedAction, ...]
    done: tuple[AgreedAction, ...]
    still_open: tuple[AgreedAction, ...]
    target: float | None = None
    organisations: tuple[OrganisationChange, ...] = ()


def _behaviour_changes(digests: Sequence[Digest]) -> tuple[BehaviourChange, ...]:
    changes = []
    for item in BEHAVIOURS:
        readings = [
            (d.week, b.figure.score)
            for d in digests
            for b in d.behaviours
            if b.behaviour.id == item.id and b.asked and b.figure.score is not None
        ]
        start, now = (readings[0], readings[-1]) if readings else ((None, None), (None, None))
        changes.append(
            BehaviourChange(
                favourable=item.favourable,
                unfavourable=item.unfavourable,
                start=start[1],
                start_week=start[0],
                now=now[1],
                now_week=now[0],
            )
        )
    return tuple(changes)


def report_data(
    *,
    team: str,
    team_name: str | None,
    quarter: str,
    digests: Sequence[Digest],
    review: ReviewResults | None,
    actions: Sequence[AgreedAction],
    target: float | None = None,
) -> ReportData:
    """The quarter's report from the team's published digests, its review (if it had one
    that quarter) and every action it has agreed."""
    inside = [d for d in digests if week_quarter(d.week) == quarter]
    last = inside[-1] if inside else None
    history = last.overall.history if last and last.overall else ()
    trend = tuple(p for p in trend_points(history) if week_quarter(p.week) == quarter)
    agreed = tuple(a for a in actions if week_quarter(a.agreed_week) == quarter)
    last_week = inside[-1].week if inside else None
    done = tuple(a for a in actions if a.status == "done" and _in(a.review_week, quarter))
    still_open = tuple(
        a
        for a in actions
        if a.status == "open" and (last_week is None or a.agreed_week <= last_week)
    )
    return ReportData(
        team=team,
        team_name=team_name,
        quarter=quarter,
        weeks=tuple(d.week for d in inside),
        trend=trend,
        behaviours=_behaviour_changes(inside),
        review=review if review is not None and review.quarter == quarter else None,
        agreed=agreed,
        done=done,
        still_open=still_open,
        target=target,
        organisations=organisation_changes(inside),
    )


def _in(week: str, quarter: str) -> bool:
    return week_quarter(week) <= quarter


__all__ = ["BehaviourChange", "ReportData", "quarter_of", "report_data", "week_quarter"]
