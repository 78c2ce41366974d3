"""Reminders: once per round, a nudge to everyone who has not answered yet, by DM or, where
Slack refused the member a DM, alone in the team channel as their prompt went."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks.prompt import in_channel_reminder_message, prompt_message, reminder_message
from blocks.text import team_mention
from delivery.context import Outbound
from services import redraws as redraw_service
from services import reminders as reminder_service
from services.errors import WorkspaceNotInstalled
from services.reminders import ReminderTarget

log = logging.getLogger(__name__)


def _prompt_link(client: WebClient, target: ReminderTarget) -> str | None:
    """The permanent link to the member's prompt; without one the nudge still goes."""
    if not target.prompt_channel or not target.prompt_ts:
        return None
    try:
        reply = client.chat_getPermalink(channel=target.prompt_channel, message_ts=target.prompt_ts)
    except SlackApiError as error:
        log.info("no link to the prompt for a reminder: Slack said %s", error.response.get("error"))
        return None
    link = reply.get("permalink")
    return link if isinstance(link, str) and link.startswith("https://") else None


def send_reminders(out: Outbound, *, round_ids: Sequence[int]) -> int:
    """Nudge, once, everyone in these rounds who has not answered anything yet: by DM, or,
    where Slack refused the member a DM, alone in the team channel as their prompt went.
    Every round's pass is taken and its nudges queued before the first goes; the queue is
    then sent, with whatever an earlier pass cut short left in it."""
    reminder_service.claim_reminders(db=out.db, round_ids=round_ids, now=out.clock())
    reminded = 0
    for target in reminder_service.queued_reminders(db=out.db):
        if not reminder_service.take_reminder(db=out.db, prompt_id=target.prompt_id):
            continue  # another sender took it: no turn of the workspace's budget spent
        out.wait_turn(target.user_id, target.round.workspace_id)
        try:
            client = out.client_for(target.round.workspace_id)
            if target.in_channel:
                _remind_in_channel(client, target)
            else:
                _remind_by_dm(out, client, target)
        except SlackApiError as error:
            log.warning("reminder skipped: Slack said %s", error.response.get("error"))
            continue
        except WorkspaceNotInstalled:
            log.warning("reminder skipped: the workspace has uninstalled the app")
            continue
        reminded += 1
    return reminded


def _remind_by_dm(out: Outbound, client: WebClient, target: ReminderTarget) -> None:
    """The nudge DM, kept to be deleted when the round closes."""
    round_ = target.round
    message = reminder_message(
        week=round_.week,
        closes_at=round_.closes_at,
        team=team_mention(round_.channel_id, round_.channel_name),
        link=_prompt_link(client, target),
    )
    reply = client.chat_postMessage(channel=target.user_id, **message)
    redraw_service.reminder_sent(
        db=out.db, round_id=round_.id, channel_id=reply["channel"], message_ts=reply["ts"]
    )


def _remind_in_channel(client: WebClient, target: ReminderTarget) -> None:
    """The nudge with the unanswered prompt again, to the member alone in the team channel.

    Nothing is kept to delete at close: an ephemeral message can be changed only through a
    click on it, it shows no answer, and Slack drops it on reload. A click on it is the
    prompt's click (its response_url kept, the choice hidden in 20 minutes or at close).
    """
    round_ = target.round
    team = team_mention(round_.channel_id, round_.channel_name)
    prompt = prompt_message(
        prompt_id=target.prompt_id,
        week=round_.week,
        behaviour_ids=round_.behaviour_ids,
        answers={},
        closes_at=round_.closes_at,
        threshold=round_.threshold,
        team=team,
    )
    message = in_channel_reminder_message(
        prompt, week=round_.week, closes_at=round_.closes_at, team=team
    )
    client.chat_postEphemeral(channel=round_.channel_id, user=target.user_id, **message)
    log.info("prompt %s: reminder sent in the team channel (no DM allowed)", target.prompt_id)
