"""A local stand-in for Slack, spoken to over real HTTP.

`StandInSlack` serves the Slack Web API methods the bot uses (point
slack_sdk's `base_url` / `SLACK_API_URL` at `api_url`), checks every message
and view against Block Kit, and records what happened. `SlackRequestSender`
drives the bot's own endpoint with correctly signed Slack requests;
`SocketModeSender` drives a bot connected over Socket Mode (`socket_mode`).
"""

from __future__ import annotations

from standin.blockkit import check_blocks, check_message, check_view
from standin.limits import RateLimits
from standin.records import ApiCall
from standin.signer import SlackReply, SlackRequestSender, sign
from standin.socket_mode import Envelope, NotAcknowledged, SocketModeHub
from standin.socket_sender import SocketModeSender
from standin.tenancy import DEFAULT_SCOPES
from standin.webapi import StandInSlack
from standin.workspace import (
    DEFAULT_BOT_USER_ID,
    DEFAULT_TEAM_ID,
    Channel,
    EphemeralMessage,
    Message,
    UploadedFile,
    User,
    Workspace,
)

__all__ = [
    "DEFAULT_BOT_USER_ID",
    "DEFAULT_SCOPES",
    "DEFAULT_TEAM_ID",
    "ApiCall",
    "Channel",
    "Envelope",
    "EphemeralMessage",
    "Message",
    "NotAcknowledged",
    "RateLimits",
    "SlackReply",
    "SlackRequestSender",
    "SocketModeHub",
    "SocketModeSender",
    "StandInSlack",
    "UploadedFile",
    "User",
    "Workspace",
    "check_blocks",
    "check_message",
    "check_view",
    "sign",
]
