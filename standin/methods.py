"""The Web API methods the stand-in answers, one small handler each, and their table.

Every handler takes the decoded `args` and the caller's token and returns a `Reply`
(see `replies`). Reply shapes and error codes follow Slack's published method reference
(`slack-methods` data). Here: auth, OAuth, conversations, users, teams and views; the
methods that post into conversations (chat.*, files.*) are in `message_methods`.
Authentication and injected faults are dealt with before a handler runs (see `webapi`).
"""

from __future__ import annotations

import time
from typing import Any

from standin.blockkit import check_view
from standin.message_methods import MessageMethods
from standin.replies import Handler, Page, Reply, fail, flag, invalid_arguments, ok, paginate
from standin.tenancy import OAuthGrant, Tenancy
from standin.workspace import Channel, Workspace

# Methods callable without a bot token.
UNAUTHENTICATED_METHODS = frozenset({"oauth.v2.access"})


class SlackMethods(MessageMethods):
    """Every handler, bound to the server's workspaces, records and limits."""

    oauth_client: tuple[str, str] | None = None

    def table(self) -> dict[str, Handler]:
        """Dispatch table: Web API method name -> handler."""
        return {
            "auth.test": self.auth_test,
            "chat.postMessage": self.chat_post_message,
            "chat.update": self.chat_update,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "chat.delete": self.chat_delete,
            "chat.getPermalink": self.chat_get_permalink,
            "conversations.open": self.conversations_open,
            "conversations.info": self.conversations_info,
            "conversations.members": self.conversations_members,
            "conversations.list": self.conversations_list,
            "users.info": self.users_info,
            "users.list": self.users_list,
            "team.info": self.team_info,
            "views.publish": self.views_publish,
            "views.open": self.views_open,
            "views.push": self.views_push,
            "views.update": self.views_update,
            "files.getUploadURLExternal": self.files_get_upload_url_external,
            "files.completeUploadExternal": self.files_complete_upload_external,
            "oauth.v2.access": self.oauth_v2_access,
        }

    def _checked_view(
        self, method: str, args: dict[str, Any], expected_type: str
    ) -> dict[str, Any] | Reply:
        """The `view` argument if it passes the Block Kit checks, else the refusal."""
        view = args.get("view")
        problems = check_view(view)
        if not problems and isinstance(view, dict) and view.get("type") != expected_type:
            problems = [f"view['type']: {method} needs a {expected_type!r} view"]
        if not problems and isinstance(view, dict):
            return view
        self.records.add_problems(method, problems)
        return invalid_arguments(*problems)

    # ------------------------------------------------------------------- auth

    def auth_test(self, args: dict[str, Any], token: str | None) -> Reply:
        ws = self._workspace(token)
        return ok(
            url=f"https://{ws.domain}.slack.com/",
            team=ws.team_name,
            user=ws.bot_name,
            team_id=ws.team_id,
            user_id=ws.bot_user_id,
            bot_id=ws.bot_id,
            is_enterprise_install=False,
        )

    def oauth_v2_access(self, args: dict[str, Any], token: str | None) -> Reply:
        if self.oauth_client is not None:
            client_id, client_secret = self.oauth_client
            if args.get("client_id") != client_id:
                return fail("invalid_client_id")
            if args.get("client_secret") != client_secret:
                return fail("bad_client_secret")
        redeemed = self.tenancy.redeem(str(args.get("code") or ""))
        if redeemed is None:
            return fail("invalid_code")
        grant, bot_token = redeemed
        return ok(**_install_reply(grant, bot_token, self.tenancy))

    # ---------------------------------------------------------- conversations

    def conversations_open(self, args: dict[str, Any], token: str | None) -> Reply:
        ws = self._workspace(token)
        if args.get("channel"):
            channel = ws.get_channel(str(args["channel"]))
            if channel is None or not channel.is_im:
                return fail("channel_not_found")
            return ok(channel={"id": channel.id})
        users = [u for u in str(args.get("users") or "").split(",") if u.strip()]
        if not users:
            return fail("users_list_not_supplied")
        if len(users) > 1:
            return fail("not_implemented")  # group DMs are outside the stand-in's scope
        user = ws.get_user(users[0].strip())
        if user is None:
            return fail("user_not_found")
        if user.deleted:
            return fail("user_disabled")
        if user.is_bot:
            return fail("cannot_dm_bot")
        if user.dm_refused:  # Slack Connect: see standin/connect.py
            return fail("channel_not_found")
        already_open = ws.is_dm_open(user.id)
        channel = ws.open_dm(user.id)
        if flag(args.get("return_im")):
            return ok(no_op=already_open, already_open=already_open, channel=channel.to_api())
        return ok(channel={"id": channel.id})

    def conversations_info(self, args: dict[str, Any], token: str | None) -> Reply:
        ws = self._workspace(token)
        channel = ws.get_channel(str(args.get("channel") or ""))
        if channel is None:
            return fail("channel_not_found")
        return ok(channel=_as_seen_by_bot(ws, channel))

    def conversations_members(self, args: dict[str, Any], token: str | None) -> Reply:
        ws = self._workspace(token)
        channel_id = str(args.get("channel") or "")
        channel = ws.get_channel(channel_id)
        if channel is None:
            return fail("channel_not_found")
        page = paginate(f"members/{channel_id}", list(channel.members), args, 100)
        if not isinstance(page, Page):
            return page
        return ok(members=page.items, response_metadata={"next_cursor": page.next_cursor})

    def conversations_list(self, args: dict[str, Any], token: str | None) -> Reply:
        ws = self._workspace(token)
        types = str(args.get("types") or "public_channel").split(",")
        channels = [
            _as_seen_by_bot(ws, c)
            for c in ws.channels()
            if ("private_channel" if c.is_private else "public_channel") in types
        ]
        page = paginate("channels", channels, args, 100)
        if not isinstance(page, Page):
            return page
        return ok(channels=page.items, response_metadata={"next_cursor": page.next_cursor})

    # ------------------------------------------------------------------ users

    def users_info(self, args: dict[str, Any], token: str | None) -> Reply:
        ws = self._workspace(token)
        user = ws.get_user(str(args.get("user") or ""))
        if user is None:
            return fail("user_not_found")
        if not user.visible:  # Slack Connect: see standin/connect.py
            return fail("user_not_visible")
        return ok(user=user.to_api())

    def team_info(self, args: dict[str, Any], token: str | None) -> Reply:
        """team.info: the token's own workspace, or one it shares a channel with
        (Slack Connect: see standin/connect.py)."""
        ws = self._workspace(token)
        wanted = str(args.get("team") or "") or ws.team_id
        if wanted == ws.team_id:
            team = {"id": ws.team_id, "name": ws.team_name, "domain": ws.domain}
        else:
            connected = ws.connected_team(wanted)
            if connected is None:
                return fail("team_not_found")
            team = connected
        icon = {"image_default": True, "image_34": "https://a.slack-edge.com/standin.png"}
        return ok(team={**team, "icon": icon})

    def users_list(self, args: dict[str, Any], token: str | None) -> Reply:
        ws = self._workspace(token)
        page = paginate(
            "users", [u.to_api() for u in ws.users() if u.team_id == ws.team_id], args, 0
        )
        if not isinstance(page, Page):
            return page
        return ok(
            members=page.items,
            cache_ts=int(time.time()),
            response_metadata={"next_cursor": page.next_cursor},
        )

    # ------------------------------------------------------------------ views

    def views_publish(self, args: dict[str, Any], token: str | None) -> Reply:
        ws = self._workspace(token)
        user_id = str(args.get("user_id") or "")
        if ws.get_user(user_id) is None:
            return invalid_arguments("invalid `user_id`")
        view = self._checked_view("views.publish", args, "home")
        if not isinstance(view, dict):
            return view
        current_id = ws.home_view_id(user_id)
        current = ws.get_view(current_id) if current_id else None
        if args.get("hash") and current and args["hash"] != current["hash"]:
            return fail("hash_conflict")
        return ok(view=ws.save_view(view, user_id=user_id, view_id=current_id))

    def _open_modal(self, method: str, args: dict[str, Any], token: str | None) -> Reply:
        ws = self._workspace(token)
        if not (args.get("trigger_id") or args.get("interactivity_pointer")):
            return invalid_arguments("missing required field: trigger_id")
        view = self._checked_view(method, args, "modal")
        if not isinstance(view, dict):
            return view
        return ok(view=ws.save_view(view))

    def views_open(self, args: dict[str, Any], token: str | None) -> Reply:
        return self._open_modal("views.open", args, token)

    def views_push(self, args: dict[str, Any], token: str | None) -> Reply:
        return self._open_modal("views.push", args, token)

    def views_update(self, args: dict[str, Any], token: str | None) -> Reply:
        ws = self._workspace(token)
        if args.get("view_id"):
            current = ws.get_view(str(args["view_id"]))
        elif args.get("external_id"):
            current = ws.find_view_by_external_id(str(args["external_id"]))
        else:
            return invalid_arguments("missing required field: view_id or external_id")
        if current is None:
            return fail("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            return fail("hash_conflict")
        view = self._checked_view("views.update", args, str(current["type"]))
        if not isinstance(view, dict):
            return view
        return ok(view=ws.save_view(view, view_id=current["id"]))


def _as_seen_by_bot(ws: Workspace, channel: Channel) -> dict[str, Any]:
    """A channel object with `is_member`: whether the calling bot is in the channel."""
    described = channel.to_api()
    if not channel.is_im:
        described["is_member"] = ws.bot_user_id in channel.members
    return described


def _install_reply(grant: OAuthGrant, bot_token: str, tenancy: Tenancy) -> dict[str, Any]:
    """oauth.v2.access success body, shaped like Slack's documented example."""
    workspace = tenancy.workspace_for(grant.team_id)
    return {
        "access_token": bot_token,
        "token_type": "bot",
        "scope": grant.scope,
        "bot_user_id": grant.bot_user_id,
        "app_id": workspace.app_id if workspace else "",
        "team": {"name": grant.team_name, "id": grant.team_id},
        "enterprise": None,
        "is_enterprise_install": False,
        "authed_user": {"id": grant.installer_user_id},
    }
