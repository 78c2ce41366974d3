"""Posting a team's digest to its channel, once."""

from __future__ import annotations

import logging

from blocks.digest import digest_message
from delivery.closed_redraws import redraw_closed
from delivery.context import Outbound
from delivery.ephemeral_views import hide_due
from services import digests as digest_service
from services import rounds as round_service
from services.digests import DigestBundle
from services.rounds import RoundInfo
from surveys.story import tell_story
from surveys.weeks import week_words

log = logging.getLogger(__name__)


def post_digest(
    out: Outbound,
    *,
    channel_id: str,
    week: str,
    chart: bool = True,
    built: DigestBundle | None = None,
) -> DigestBundle:
    """Post a week's digest to the team's digest channel and attach its chart; ``built`` is
    the digest when it was built already (with others, as the schedule does)."""
    bundle = built or digest_service.build_digest(db=out.db, channel_id=channel_id, week=week)
    story = tell_story(bundle.digest, target=bundle.target)
    message = digest_message(bundle.digest, story, team_name=bundle.team_name)
    out.client_for(bundle.workspace_id).chat_postMessage(channel=bundle.channel_id, **message)
    if chart:
        attach_chart(out, bundle)
    return bundle


def attach_chart(out: Outbound, bundle: DigestBundle) -> bool:
    """Upload the digest's chart beside it; the message already says everything in words,
    so a failed upload costs the picture, never the figures."""
    # matplotlib is imported where a chart is drawn, not when the server starts: most of
    # a server's processes never draw one, and it would hold some 30 MB in each.
    from charts.digest_chart import render_digest_chart

    digest = bundle.digest
    try:
        image = render_digest_chart(digest, target=bundle.target, team_name=bundle.team_name)
        when = week_words(digest.week)
        out.client_for(bundle.workspace_id).files_upload_v2(
            channel=bundle.channel_id,
            content=image,
            filename=f"partnership-pulse-{digest.week}.png",
            title=f"Partnership pulse {bundle.team_name}, {when}: where we are, where we're going",
            alt_txt=f"Chart of the partnership pulse for {bundle.team_name}, {when}",
        )
    except Exception as error:
        log.warning("digest chart not attached (%s); the text digest stands", type(error).__name__)
        return False
    return True


def post_round_digest(
    out: Outbound,
    *,
    round_id: int,
    channel_id: str,
    week: str,
    built: DigestBundle | None = None,
) -> bool:
    """Post a closed round's digest exactly once across processes and retries."""
    if not digest_service.claim_digest_post(db=out.db, round_id=round_id, now=out.clock()):
        return False
    try:
        post_digest(out, channel_id=channel_id, week=week, built=built)
    except Exception:
        digest_service.release_digest_post(db=out.db, round_id=round_id)
        raise
    return True


def close_and_post(out: Outbound, *, round_: RoundInfo) -> bool:
    """Post a round's digest, closing the round first if it is still open: figures published
    while answers can still change could be compared with later ones to single someone
    out. True if this call closed the round."""
    if round_.closed:
        post_digest(out, channel_id=round_.channel_id, week=round_.week)
        return False
    round_service.close_round(db=out.db, round_id=round_.id, now=out.clock())
    if not post_round_digest(
        out, round_id=round_.id, channel_id=round_.channel_id, week=round_.week
    ):
        post_digest(out, channel_id=round_.channel_id, week=round_.week)
    redraw_closed(out)
    hide_due(out)
    return True
