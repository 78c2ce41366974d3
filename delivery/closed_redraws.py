"""When a round closes, every prompt DM of it is redrawn to one message, the same for
everyone, and its reminders are deleted: no DM left in Slack shows what a member chose,
or that they had not answered by the reminder. Paced like the fan-out, each message
recorded as done before the next goes, and resumed by the next pass after a crash."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from blocks.prompt import closed_prompt_message, forgotten_prompt_message
from blocks.text import team_mention
from delivery.context import Outbound
from services import redraws as redraw_service
from services.errors import WorkspaceNotInstalled
from storage.redraws import RedrawToDo

log = logging.getLogger(__name__)

CLAIM_BATCH = 100

# The message or its conversation is gone, or can no longer be changed: nothing to redraw.
GONE = frozenset(
    {
        "message_not_found",
        "channel_not_found",
        "cant_update_message",
        "cant_delete_message",
        "is_archived",
        "account_inactive",
        "user_disabled",
    }
)


def redraw_closed(out: Outbound, *, batch_size: int = CLAIM_BATCH) -> int:
    """Redraw or delete every DM of closed rounds still waiting; how many were done. A
    failure that is not about one message puts the rest back for the next pass."""
    done = 0
    while batch := redraw_service.claim_redraws(
        db=out.db, now=out.clock(), limit=batch_size, lease=out.claim_lease
    ):
        for index, item in enumerate(batch):
            try:
                _redraw(out, item)
            except Exception as error:
                log.warning("closed-round redraws paused: %s", type(error).__name__)
                redraw_service.release_redraws(db=out.db, redraw_ids=[i.id for i in batch[index:]])
                return done
            redraw_service.finish_redraw(db=out.db, redraw_id=item.id)
            done += 1
    return done


def _redraw(out: Outbound, item: RedrawToDo) -> None:
    method = "chat.update" if item.kind in ("prompt", "forgotten") else "chat.delete"
    out.wait_turn(item.channel_id, item.workspace_id, method)
    try:
        client = out.client_for(item.workspace_id)
        team = team_mention(item.team_channel, item.team_name)
        if item.kind == "prompt":
            closed = closed_prompt_message(week=item.week, team=team)
            client.chat_update(channel=item.channel_id, ts=item.message_ts, **closed)
        elif item.kind == "forgotten":
            withdrawn = forgotten_prompt_message(week=item.week, team=team)
            client.chat_update(channel=item.channel_id, ts=item.message_ts, **withdrawn)
        else:
            client.chat_delete(channel=item.channel_id, ts=item.message_ts)
    except WorkspaceNotInstalled:
        log.warning("a closed round's DM left as it was: the workspace uninstalled the app")
    except SlackApiError as error:
        if str(error.response.get("error", "")) not in GONE:
            raise
