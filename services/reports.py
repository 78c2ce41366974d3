"""The quarter's board report: published digests, the quarter's review and the team's
actions, gathered for rendering. Nothing unpublished goes in."""

from __future__ import annotations

from charts.report_data import ReportData, report_data
from services import actions as action_service
from services import digests as digest_service
from services import reviews as review_service
from services import teams as team_service
from services.reviews import NoReview
from storage.database import Database


def quarter_report(*, db: Database, channel_id: str, quarter: str) -> ReportData:
    """What the report of a team's quarter shows."""
    team = team_service.find_team(db=db, channel_id=channel_id)
    digests = digest_service.published_digests(db=db, channel_id=channel_id)
    try:
        review = review_service.results(db=db, channel_id=channel_id, quarter=quarter)
    except NoReview:
        review = None
    if review is not None and not review.closed:
        review = None  # still open: its figures are not published yet
    return report_data(
        team=channel_id,
        team_name=team.channel_name,
        quarter=quarter,
        digests=digests,
        review=review,
        actions=action_service.team_actions(db=db, channel_id=channel_id),
        target=team.target,
    )
