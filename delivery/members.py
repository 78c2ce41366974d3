"""Keeping a team's membership current from the channel itself."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from delivery.context import Outbound
from services import home_workspaces as home_service
from services import teams as team_service
from services.teams import MemberInfo, TeamRef
from surveys.organisations import email_domain

log = logging.getLogger(__name__)


def channel_member_ids(
    out: Outbound, channel_id: str, workspace_id: str | None = None
) -> list[str]:
    """Every member of a channel, following conversations.members' pagination."""
    client = out.client_for(workspace_id)
    members: list[str] = []
    cursor = None
    while True:
        page = client.conversations_members(channel=channel_id, cursor=cursor, limit=1000)
        members += page.get("members", [])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return members


def _describe(out: Outbound, user_id: str, workspace_id: str | None = None) -> MemberInfo:
    """What Slack says of someone in the channel. A member Slack will not describe (in a
    Slack Connect channel, someone of another organisation: `user_not_visible`, or a
    stranger's thin profile) is still a member, asked like everyone else; only an account
    Slack says is deleted, or a bot, is left out."""
    try:
        user = out.client_for(workspace_id).users_info(user=user_id)["user"]
    except SlackApiError as error:
        log.info(
            "users.info would not describe a channel member (%s); they are asked all the same",
            error.response.get("error"),
        )
        return MemberInfo(user_id=user_id, is_bot=False, deactivated=False, timezone=None)
    home = user.get("team_id")
    profile = user.get("profile") or {}
    return MemberInfo(
        user_id=user_id,
        is_bot=bool(user.get("is_bot")) or user_id == "USLACKBOT",
        deactivated=bool(user.get("deleted")),
        timezone=user.get("tz"),
        home_team_id=home if isinstance(home, str) and home else None,
        # users:read.email: only the domain is kept, for organisations assigned by domain.
        email_domain=email_domain(profile.get("email") if isinstance(profile, dict) else None),
    )


def learn_workspace_names(out: Outbound, team: TeamRef) -> None:
    """Name the home workspaces of the team's members through `team.info`, once each
    (the names are kept); a workspace Slack will not describe waits for the next refresh,
    and its members are counted all the same."""
    for workspace_id in home_service.unnamed_workspaces(db=out.db, team_id=team.id):
        try:
            reply = out.client_for(team.workspace_id).team_info(team=workspace_id)
        except SlackApiError as error:
            log.info(
                "team.info would not name a member's workspace (%s)", error.response.get("error")
            )
            continue
        name = (reply.get("team") or {}).get("name")
        if isinstance(name, str):
            home_service.name_workspace(
                db=out.db, workspace_id=workspace_id, name=name, now=out.clock()
            )


def learn_channel_name(out: Outbound, team: TeamRef) -> None:
    """Keep the name the team's channel goes by, for digests and prompts to name the team;
    without it they fall back on the channel id, so a refusal costs only the name."""
    try:
        channel = out.client_for(team.workspace_id).conversations_info(channel=team.channel_id)
    except SlackApiError as error:
        log.info(
            "conversations.info failed for a team (%s); its name waits", error.response["error"]
        )
        return
    name = (channel.get("channel") or {}).get("name")
    if isinstance(name, str) and name != team.channel_name:
        team_service.record_channel_name(
            db=out.db, channel_id=team.channel_id, name=name, workspace_id=team.workspace_id
        )


def refresh_members(out: Outbound, team: TeamRef) -> int:
    """Sync a team's members with its channel, and its name; look up only people not seen
    before, or whose home workspace Slack has not named yet."""
    learn_channel_name(out, team)
    present = channel_member_ids(out, team.channel_id, team.workspace_id)
    known = team_service.known_member_ids(db=out.db, team_id=team.id)
    known -= home_service.members_without_home(db=out.db, team_id=team.id)
    details = [
        _describe(out, user_id, team.workspace_id) for user_id in present if user_id not in known
    ]
    team_service.sync_members(db=out.db, team_id=team.id, present=present, details=details)
    learn_workspace_names(out, team)
    return len(present)
