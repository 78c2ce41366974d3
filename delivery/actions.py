"""The owner's two DMs about an action: that it was agreed, and in its review week whether
it was done. Each is claimed in the database before it is sent, so a retry, a restart or a
second process never sends it twice; a failed send gives the claim back for a later tick."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from blocks.actions import owner_told_message, review_ask_message, team_name
from delivery.context import Outbound
from services import actions as action_service
from services.actions import TeamAction

log = logging.getLogger(__name__)


def _send(
    out: Outbound,
    claimed: list[TeamAction],
    column: str,
    message: Callable[[TeamAction], dict[str, Any]],
) -> int:
    sent = 0
    for item in claimed:
        assert item.action.owner is not None
        try:
            client = out.client_for(item.workspace_id)
            client.chat_postMessage(channel=item.action.owner, **message(item))
            sent += 1
        except Exception as error:
            log.warning("an action's DM was not sent (%s); it is retried", type(error).__name__)
            action_service.release_claim(db=out.db, action_id=item.action.id, column=column)
    return sent


def tell_owners(out: Outbound) -> int:
    """DM each new action's owner that it is theirs."""
    claimed = action_service.claim_owner_notices(db=out.db, now=out.clock())
    return _send(
        out,
        claimed,
        "owner_told_at",
        lambda item: owner_told_message(
            item.action,
            team=team_name(item.channel_id, item.channel_name),
            agreed_by=item.agreed_by,
        ),
    )


def ask_reviews(out: Outbound) -> int:
    """In an action's review week (once its team's round for that week has opened), ask
    its owner whether it was done."""
    claimed = action_service.claim_review_asks(db=out.db, now=out.clock())
    return _send(
        out,
        claimed,
        "review_asked_at",
        lambda item: review_ask_message(
            item.action, team=team_name(item.channel_id, item.channel_name)
        ),
    )
