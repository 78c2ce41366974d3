"""Telling a team's managers, once per member, whom the bot cannot reach at all."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from blocks.replies import unreachable_notice
from blocks.text import team_mention
from delivery.context import Outbound
from services import review_reach
from services import unreachable as unreachable_service
from services.errors import WorkspaceNotInstalled
from services.unreachable import UnreachableNotice

log = logging.getLogger(__name__)


def tell_managers(out: Outbound, *, round_id: int) -> int:
    """DM the team's managers about the round's newly unreachable members; how many DMs went.

    The members are marked as told before the DMs go, so a crash or a refused DM costs the
    notice, never a second one (a member is told of once, not every week).
    """
    notice = unreachable_service.claim_notice(db=out.db, round_id=round_id, now=out.clock())
    return _send(out, notice, survey="pulse")


def tell_managers_of_review(out: Outbound, *, review_id: int) -> int:
    """The same for a partnership review's newly unreachable members (told of once, with
    the pulse's mark: someone already named for the pulse is not named again)."""
    notice = review_reach.claim_notice(db=out.db, review_id=review_id, now=out.clock())
    return _send(out, notice, survey="partnership review")


def _send(out: Outbound, notice: UnreachableNotice | None, *, survey: str) -> int:
    if notice is None:
        return 0
    message = unreachable_notice(
        team=team_mention(notice.channel_id, notice.channel_name),
        members=notice.members,
        survey=survey,
    )
    told = 0
    for manager in notice.managers:
        try:
            out.client_for(notice.workspace_id).chat_postMessage(channel=manager, **message)
        except (SlackApiError, WorkspaceNotInstalled) as error:
            log.warning("a manager was not told of unreachable members: %s", type(error).__name__)
            continue
        told += 1
    return told
