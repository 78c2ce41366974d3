"""A Slack Connect channel for the tests: members of two other workspaces, some of whom
Slack refuses the bot a DM with, and clicks on the messages they see in the channel."""

from __future__ import annotations

from typing import Any

from tests.pulse_flow import button
from tests.support import TEAM_CHANNEL, RunningBot

NHS, POLICE = "T0NHS", "T0POLICE"
NURSE, DOCTOR = "W0NURSE01", "W0DOCTOR1"  # the bot may DM them
CONSTABLE = "W0PC00001"  # Slack refuses the bot a DM with them
SERGEANT = "W0SGT0001"  # refused a DM, and Slack will not describe them either


def share_the_channel(running: RunningBot) -> None:
    """Share the team channel with the NHS and the police, as in standin/connect.py."""
    ws = running.slack.workspace
    ws.connect_team(NHS, "NHS Leeds", "nhs-leeds")
    ws.connect_team(POLICE, "West Yorkshire Police", "wyp")
    ws.add_external_user(NURSE, "nurse", NHS)
    ws.add_external_user(DOCTOR, "doctor", NHS)
    ws.add_external_user(CONSTABLE, "constable", POLICE, dm_refused=True)
    ws.add_external_user(SERGEANT, "sergeant", POLICE, dm_refused=True, visible=False)
    for user in (NURSE, DOCTOR, CONSTABLE, SERGEANT):
        ws.join(TEAM_CHANNEL, user)
    running.slack.clock = running.clock


def in_channel_messages(running: RunningBot, user: str) -> list[Any]:
    """The ephemeral messages with blocks the user sees in the channel, oldest first."""
    return [e for e in running.slack.ephemerals_to(user) if e.blocks]


def in_channel_prompt(running: RunningBot, user: str) -> Any:
    """The newest message the user sees alone in the channel."""
    prompts = in_channel_messages(running, user)
    assert prompts, f"{user} has no prompt in the channel"
    return prompts[-1]


def click_ephemeral(
    running: RunningBot,
    message: Any,
    block_id: str,
    element: dict[str, Any],
    *,
    clicker: str,
    key: str,
) -> Any:
    """A signed click on a button of an ephemeral message, with its own response_url."""
    return running.sender.block_action(
        user_id=clicker,
        user_team_id=POLICE,
        action_id=element["action_id"],
        value=element["value"],
        block_id=block_id,
        channel_id=TEAM_CHANNEL,
        message_ts=message.message_ts,
        is_ephemeral=True,
        response_url=running.slack.response_url(
            key,
            channel_id=TEAM_CHANNEL,
            message_ts=message.message_ts,
            user_id=clicker,
            ephemeral=True,
        ),
    )


def click_in_channel(
    running: RunningBot,
    user: str,
    point: int,
    *,
    as_user: str | None = None,
    key: str = "",
    message: Any = None,
) -> Any:
    """Click a point of the first question on the user's newest (or the given) message."""
    message = message or in_channel_prompt(running, user)
    block_id, element = button(message, 0, point)
    clicker = as_user or user
    return click_ephemeral(
        running, message, block_id, element, clicker=clicker, key=key or f"eph-{clicker}-{point}"
    )


def chosen(message: Any) -> list[str]:
    """The points a message shows as chosen (a chosen button is styled)."""
    return [
        element["text"]["text"]
        for block in message.blocks or []
        if block["type"] == "actions"
        for element in block["elements"]
        if element.get("style") == "primary"
    ]
