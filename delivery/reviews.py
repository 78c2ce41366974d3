"""Review DMs: sent once each (claimed before sending, given back if Slack refuses), and
redrawn without their answers once the review has closed."""

from __future__ import annotations

import logging
from enum import Enum
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks.review import closed_review_message, review_prompt_message, review_started_notice
from blocks.text import team_mention
from delivery.context import Outbound
from delivery.members import refresh_members
from delivery.prompts import DM_REFUSED, IN_CHANNEL_REFUSED, MEMBER_ERRORS
from delivery.review_views import hide_due_review_views
from delivery.unreachable import tell_managers_of_review
from services import review_reach as reach_service
from services import review_schedule
from services import reviews as review_service
from services import teams as team_service
from services.errors import WorkspaceNotInstalled

log = logging.getLogger(__name__)


class Reviewer(Enum):
    """What Slack says of someone a manager would invite as a peer reviewer."""

    PERSON = "person"
    UNKNOWN = "unknown"
    BOT = "bot"
    DEACTIVATED = "deactivated"


def who_is(out: Outbound, *, workspace_id: str, user_id: str) -> Reviewer:
    """Whether Slack knows the person and they can answer: someone from another workspace
    whom Slack Connect hides (`user_not_visible`) is still a person."""
    try:
        user = out.client_for(workspace_id).users_info(user=user_id)["user"]
    except SlackApiError as error:
        reason = error.response.get("error")
        return Reviewer.PERSON if reason == "user_not_visible" else Reviewer.UNKNOWN
    if user.get("is_bot") or user_id == "USLACKBOT":
        return Reviewer.BOT
    return Reviewer.DEACTIVATED if user.get("deleted") else Reviewer.PERSON


def send_review_prompts(out: Outbound) -> int:
    """DM every review prompt not yet sent; where Slack refuses the DM, the prompt goes to
    the member alone in the team channel, as a pulse's does. Each claimed prompt ends sent,
    unreachable or skipped, so only a failure that is not about the member (Slack down, a
    broken network) is tried again on a later tick."""
    sent = 0
    unreached: set[int] = set()
    for state in review_service.claim_unsent(db=out.db, now=out.clock()):
        review, prompt = state.review, state.prompt
        message = review_prompt_message(
            prompt_id=prompt.id,
            quarter=review.quarter,
            answers={},
            closes_at=review.closes_at,
            threshold=review.threshold,
            team=team_mention(review.channel_id, review.channel_name),
            peer=prompt.peer,
        )
        try:
            outcome = _send_one(out, state, message)
        except Exception as error:
            log.warning("a review DM was not sent (%s); it is retried", type(error).__name__)
            review_service.release(db=out.db, prompt_id=prompt.id)
            continue
        sent += outcome == "sent"
        if outcome == "unreachable":
            unreached.add(review.id)
    for review_id in sorted(unreached):
        tell_managers_of_review(out, review_id=review_id)
    return sent


def _send_one(out: Outbound, state: review_service.PromptState, message: dict[str, Any]) -> str:
    """Post one claimed review prompt and record how it went: "sent", "unreachable" or
    "skipped". A failure that is not about this member is raised."""
    prompt = state.prompt
    client = out.client_for(prompt.workspace_id)
    try:
        posted = client.chat_postMessage(channel=prompt.user_id, **message)
    except SlackApiError as error:
        code = str(error.response.get("error", ""))
        if code in DM_REFUSED:
            return _send_in_channel(out, client, state, message, refused=code)
        if code not in MEMBER_ERRORS:
            raise
        log.warning("review prompt %s skipped: Slack said %s", prompt.id, code)
        reach_service.skipped(db=out.db, prompt_id=prompt.id)
        return "skipped"
    review_service.mark_sent(
        db=out.db,
        prompt_id=prompt.id,
        channel_id=str(posted["channel"]),
        message_ts=str(posted["ts"]),
    )
    return "sent"


def _send_in_channel(
    out: Outbound,
    client: WebClient,
    state: review_service.PromptState,
    message: dict[str, Any],
    *,
    refused: str,
) -> str:
    """The review prompt to the member alone in the team channel; where Slack will not do
    that either, the member is recorded as unreachable (still counted as invited)."""
    prompt, channel = state.prompt, state.review.channel_id
    try:
        reply = client.chat_postEphemeral(channel=channel, user=prompt.user_id, **message)
    except SlackApiError as error:
        code = str(error.response.get("error", ""))
        if code not in IN_CHANNEL_REFUSED:
            raise
        log.warning(
            "review prompt %s: member unreachable (the DM was refused: %s; in the channel: %s)",
            prompt.id,
            refused,
            code,
        )
        reach_service.unreachable(db=out.db, prompt_id=prompt.id)
        return "unreachable"
    log.info(
        "review prompt %s goes to its member in the team channel: Slack refused the DM (%s)",
        prompt.id,
        refused,
    )
    reach_service.sent_in_channel(
        db=out.db, prompt_id=prompt.id, channel_id=channel, message_ts=str(reply["message_ts"])
    )
    return "sent"


def redraw_closed_reviews(out: Outbound) -> int:
    """Redraw every closed review's DM the same for everyone, showing no answer."""
    redrawn = 0
    for state in review_service.closed_unredrawn(db=out.db):
        prompt, review = state.prompt, state.review
        assert prompt.channel_id is not None and prompt.message_ts is not None
        message = closed_review_message(
            quarter=review.quarter, team=team_mention(review.channel_id, review.channel_name)
        )
        try:
            client = out.client_for(prompt.workspace_id)
            client.chat_update(channel=prompt.channel_id, ts=prompt.message_ts, **message)
        except Exception as error:
            log.warning("a closed review DM was not redrawn (%s); retried", type(error).__name__)
            continue
        review_service.mark_redrawn(db=out.db, prompt_id=prompt.id)
        redrawn += 1
    hide_due_review_views(out)
    return redrawn


def close_due_reviews(out: Outbound) -> int:
    """Close the reviews whose week is over and redraw their DMs."""
    closed = review_service.close_due_reviews(db=out.db, now=out.clock())
    redraw_closed_reviews(out)
    return closed


def start_due_reviews(out: Outbound) -> int:
    """Start the quarterly reviews whose slot has come, asking each team's channel as it is
    now (as a round's sending does); their DMs go out with the other review DMs."""
    started = 0
    for due in review_schedule.due_reviews(db=out.db, now=out.clock()):
        try:
            team = team_service.find_team(
                db=out.db, channel_id=due.channel_id, workspace_id=due.workspace_id
            )
            refresh_members(out, team)
            review = review_service.start_scheduled_review(
                db=out.db,
                workspace_id=due.workspace_id,
                channel_id=due.channel_id,
                quarter=due.quarter,
                now=out.clock(),
            )
        except Exception:
            log.exception("could not start a team's quarterly review; retried next minute")
            continue
        if review is not None:
            started += 1
            _tell_managers_started(out, review)
    return started


def _tell_managers_started(out: Outbound, review: review_service.ReviewInfo) -> int:
    """DM the team's managers that its quarterly review has started by itself. Only the
    process whose start won the quarter's unique key gets here, so they are told once (a
    crash just after the start costs the notice, never a second one)."""
    message = review_started_notice(
        quarter=review.quarter,
        team=team_mention(review.channel_id, review.channel_name),
        closes_at=review.closes_at,
        invited=review.invited,
    )
    managers = review_schedule.managers_to_tell(
        db=out.db, workspace_id=review.workspace_id, channel_id=review.channel_id
    )
    told = 0
    for manager in managers:
        try:
            out.client_for(review.workspace_id).chat_postMessage(channel=manager, **message)
        except (SlackApiError, WorkspaceNotInstalled) as error:
            log.warning("a manager was not told the review started: %s", type(error).__name__)
            continue
        told += 1
    return told
