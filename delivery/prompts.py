"""Sending a round's prompts from the outbox, and its one reminder."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError

from blocks.prompt import prompt_message, reminder_message
from delivery.context import Outbound
from services import rounds as round_service
from services.errors import WorkspaceNotInstalled
from services.rounds import PromptToSend

log = logging.getLogger(__name__)

# Errors that concern one member only: skip them, keep going with the round.
MEMBER_ERRORS = frozenset(
    {"user_not_found", "account_inactive", "cannot_dm_bot", "channel_not_found", "user_disabled"}
)


@dataclass(frozen=True)
class SendReport:
    """What one pass over the outbox did."""

    sent: int = 0
    skipped: int = 0
    deferred: int = 0


def _send_one(out: Outbound, prompt: PromptToSend) -> str:
    message = prompt_message(
        prompt_id=prompt.prompt_id,
        week=prompt.round.week,
        behaviour_ids=prompt.round.behaviour_ids,
        answers={},
        closes_at=prompt.round.closes_at,
        threshold=prompt.round.threshold,
    )
    out.pacer.wait_turn(prompt.user_id)
    try:
        client = out.client_for(prompt.round.workspace_id)
    except WorkspaceNotInstalled:
        log.warning("prompt %s skipped: the workspace has uninstalled the app", prompt.prompt_id)
        round_service.mark_skipped(db=out.db, prompt_id=prompt.prompt_id, reason="not_installed")
        return "skipped"
    try:
        reply = client.chat_postMessage(channel=prompt.user_id, **message)
    except SlackApiError as error:
        code = str(error.response.get("error", ""))
        if code in MEMBER_ERRORS:
            log.warning("prompt %s skipped: Slack said %s", prompt.prompt_id, code)
            round_service.mark_skipped(db=out.db, prompt_id=prompt.prompt_id, reason=code)
            return "skipped"
        raise
    round_service.mark_sent(
        db=out.db, prompt_id=prompt.prompt_id, channel_id=reply["channel"], message_ts=reply["ts"]
    )
    return "sent"


def send_due_prompts(out: Outbound, *, round_id: int | None = None) -> SendReport:
    """Send every due prompt, each claimed just before it goes, until none is left.

    A failure that is not about one member (Slack down after retries, a broken network)
    puts the prompt back and ends the pass; the next pass picks up where this one stopped.
    """
    sent = skipped = 0
    while True:
        claimed = round_service.claim_prompts(
            db=out.db, now=out.clock(), round_id=round_id, lease=out.claim_lease
        )
        if not claimed:
            return SendReport(sent=sent, skipped=skipped)
        prompt = claimed[0]
        try:
            outcome = _send_one(out, prompt)
        except Exception as error:
            log.warning("prompt delivery paused: %s", type(error).__name__)
            round_service.release(db=out.db, prompt_id=prompt.prompt_id)
            return SendReport(sent=sent, skipped=skipped, deferred=1)
        sent += outcome == "sent"
        skipped += outcome == "skipped"


def send_reminders(out: Outbound, *, round_id: int) -> int:
    """Nudge, once, everyone in the round who has not answered anything yet."""
    reminded = 0
    for target in round_service.claim_reminders(db=out.db, round_id=round_id, now=out.clock()):
        out.pacer.wait_turn(target.user_id)
        message = reminder_message(week=target.week, closes_at=target.closes_at)
        try:
            out.client_for(target.workspace_id).chat_postMessage(channel=target.user_id, **message)
        except SlackApiError as error:
            log.warning("reminder skipped: Slack said %s", error.response.get("error"))
            continue
        except WorkspaceNotInstalled:
            log.warning("reminder skipped: the workspace has uninstalled the app")
            continue
        reminded += 1
    return reminded
