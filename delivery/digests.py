"""Posting a team's digest to its channel, once."""

from __future__ import annotations

import logging

from blocks.digest import digest_message
from delivery.context import Outbound
from services import digests as digest_service
from services.digests import DigestBundle
from surveys.story import tell_story

log = logging.getLogger(__name__)


def post_digest(out: Outbound, *, channel_id: str, week: str) -> DigestBundle:
    """Build a week's digest and post it to the team's digest channel."""
    bundle = digest_service.build_digest(db=out.db, channel_id=channel_id, week=week)
    story = tell_story(bundle.digest, target=bundle.target)
    message = digest_message(bundle.digest, story)
    out.client.chat_postMessage(channel=bundle.channel_id, **message)
    return bundle


def post_round_digest(out: Outbound, *, round_id: int, channel_id: str, week: str) -> bool:
    """Post a closed round's digest exactly once across processes and retries."""
    if not digest_service.claim_digest_post(db=out.db, round_id=round_id, now=out.clock()):
        return False
    try:
        post_digest(out, channel_id=channel_id, week=week)
    except Exception:
        digest_service.release_digest_post(db=out.db, round_id=round_id)
        raise
    return True
