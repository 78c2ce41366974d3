"""Reading who and where out of Slack's interaction payloads (clicks, modal submissions).

An id that does not have a Slack id's shape reads as "", which no team or person matches,
so a malformed payload is refused by the same check as a stranger's.
"""

from __future__ import annotations

import json
from typing import Any

from services.slack_ids import is_slack_id


def workspace_of(body: dict[str, Any]) -> str:
    """The workspace an interaction came from (``team.id``, or ``team_id`` in older shapes)."""
    team = body.get("team")
    workspace = team.get("id") if isinstance(team, dict) else body.get("team_id")
    return workspace if is_slack_id(workspace) else ""


def user_of(body: dict[str, Any]) -> str:
    """The person who clicked or submitted."""
    user = body.get("user")
    user_id = user.get("id") if isinstance(user, dict) else None
    return user_id if is_slack_id(user_id) else ""


def ephemeral_response_url(body: dict[str, Any]) -> str | None:
    """The response_url of a click on an ephemeral message, if Slack sent one: the only way
    to redraw a prompt that reached its member in the team channel."""
    container = body.get("container")
    url = body.get("response_url")
    if isinstance(container, dict) and container.get("is_ephemeral") and isinstance(url, str):
        return url if url.startswith(("https://", "http://")) else None
    return None


def modal_team(view: dict[str, Any]) -> tuple[str, str]:
    """(workspace, channel) a team's modal was opened for, from its private metadata
    (`blocks.ids.team_metadata`); ("", "") when it is not ours."""
    try:
        meta = json.loads(view.get("private_metadata") or "")
    except (TypeError, ValueError):
        meta = None
    if not isinstance(meta, dict):
        return "", ""
    workspace, channel = meta.get("workspace"), meta.get("team")
    if not (is_slack_id(workspace) and is_slack_id(channel)):
        return "", ""
    return workspace, channel
