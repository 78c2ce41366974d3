"""The Web API methods the stand-in answers, one small handler each.

Every handler takes the decoded `args` and the caller's token and returns
`(http_status, json_body, headers)`. Reply shapes and error codes follow
Slack's published method reference (`slack-methods` data), so code
that handles real Slack answers handles these too. Authentication and
injected faults are dealt with before a handler runs (see `webapi`).
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from standin.blockkit import MAX_TEXT_LENGTH, check_blocks, check_message, check_view
from standin.connect import team_info
from standin.limits import RateLimiter
from standin.records import Records
from standin.tenancy import OAuthGrant, Tenancy
from standin.workspace import Channel, Workspace

Reply = tuple[int, dict[str, Any], dict[str, str]]
Handler = Callable[[dict[str, Any], str | None], Reply]

# Methods callable without a bot token.
UNAUTHENTICATED_METHODS = frozenset({"oauth.v2.access"})

_MAX_PAGE = 1000


def ok(**fields: Any) -> Reply:
    return 200, {"ok": True, **fields}, {}


def fail(error: str, **extra: Any) -> Reply:
    return 200, {"ok": False, "error": error, **extra}, {}


def invalid_arguments(*messages: str) -> Reply:
    return fail("invalid_arguments", response_metadata={"messages": list(messages)})


def _encode_cursor(kind: str, offset: int) -> str:
    return base64.b64encode(f"{kind}:{offset}".encode()).decode()


def _decode_cursor(kind: str, cursor: str) -> int | None:
    try:
        prefix, _, offset = base64.b64decode(cursor, validate=True).decode().partition(":")
        return int(offset) if prefix == kind and int(offset) >= 0 else None
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_cursor: str


def paginate(kind: str, items: list[Any], args: dict[str, Any], default_limit: int) -> Page | Reply:
    """Slack cursor paging: a page of `items` and the next cursor ("" at the end).

    The cursor is opaque to callers, as in Slack; `limit` 0 means "all".
    """
    try:
        limit = int(args.get("limit") or default_limit)
    except (TypeError, ValueError):
        return fail("invalid_limit")
    if limit < 0 or limit > _MAX_PAGE:
        return fail("invalid_limit")
    cursor = args.get("cursor") or ""
    offset = _decode_cursor(kind, cursor) if cursor else 0
    if offset is None:
        return fail("invalid_cursor")
    if limit == 0:
        return Page(items[offset:], "")
    more = offset + limit < len(items)
    return Page(
        items[offset : offset + limit], _encode_cursor(kind, offset + limit) if more else ""
    )


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("1", "true"))


class SlackMethods:
    """Handlers bound to the server's workspaces, records and limits."""

    def __init__(
        self,
        tenancy: Tenancy,
        records: Records,
        *,
        limiter: Callable[[], RateLimiter | None],
        upload_url: Callable[[str], str],
    ) -> None:
        self.tenancy = tenancy
        self.records = records
        self._limiter = limiter
        self._upload_url = upload_url
        self.oauth_client: tuple[str, str] | None = None

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

    # ---------------------------------------------------------------- helpers

    def _workspace(self, token: str | None) -> Workspace:
        workspace = self.tenancy.workspace_for_token(token)
        if workspace is None:  # authentication runs before handlers
            raise LookupError("handler called without a valid token")
        return workspace

    @staticmethod
    def _dm_target(workspace: Workspace, user_id: str | None) -> tuple[str | None, str | None]:
        user = workspace.get_user(user_id) if user_id else None
        if user is None:
            return None, "user_not_found"
        if user.deleted:
            return None, "account_inactive"
        if user.is_bot:
            return None, "cannot_dm_bot"
        if user.dm_refused:  # Slack Connect: see standin/connect.py
            return None, "channel_not_found"
        return workspace.dm_channel_id(user.id), None

    def _resolve_channel(self, workspace: Workspace, channel: Any) -> tuple[str | None, str | None]:
        """Map a `channel` argument (C…, D…, U…/W… or #name) to a conversation id."""
        if not isinstance(channel, str) or not channel:
            return None, "channel_not_found"
        if channel[0] in ("U", "W"):
            return self._dm_target(workspace, channel)
        if channel.startswith("D"):
            if workspace.get_channel(channel) is None:
                return None, "channel_not_found"
            return self._dm_target(workspace, workspace.dm_user(channel))
        if workspace.get_channel(channel) is not None:
            return channel, None
        name = channel.lstrip("#")
        for candidate in workspace.channels():
            if candidate.name == name:
                return candidate.id, None
        return None, "channel_not_found"

    def _content_error(self, method: str, args: dict[str, Any]) -> Reply | None:
        """Run the Block Kit checks; reject (and record) a bad message payload."""
        text, blocks = args.get("text"), args.get("blocks")
        if isinstance(blocks, str):
            problems = ["blocks: not a JSON array of blocks"]
            self.records.add_problems(method, problems)
            return fail("invalid_blocks_format", response_metadata={"messages": problems})
        problems = check_message(text, blocks)
        if not problems:
            return None
        self.records.add_problems(method, problems)
        block_problems = check_blocks(blocks) if blocks not in (None, []) else []
        if block_problems:
            error = "invalid_blocks"
        elif isinstance(text, str) and len(text) > MAX_TEXT_LENGTH:
            error = "msg_too_long"
        else:
            error = "no_text"
        return fail(error, response_metadata={"messages": problems})

    def _rate_limited(self, workspace: Workspace, channel_id: str) -> Reply | None:
        limiter = self._limiter()
        if limiter is None:
            return None
        retry_after = limiter.acquire(workspace.team_id, channel_id)
        if retry_after is None:
            return None
        return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}

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

    # ------------------------------------------------------------------- chat

    def chat_post_message(self, args: dict[str, Any], token: str | None) -> Reply:
        ws = self._workspace(token)
        channel_id, error = self._resolve_channel(ws, args.get("channel"))
        if channel_id is None:
            return fail(error or "channel_not_found")
        rejected = self._rate_limited(ws, channel_id) or self._content_error(
            "chat.postMessage", args
        )
        if rejected:
            return rejected
        metadata = args.get("metadata")
        message = ws.post_message(
            channel_id,
            text=args["text"],
            blocks=args.get("blocks"),
            user=ws.bot_user_id,
            bot_id=ws.bot_id,
            thread_ts=args.get("thread_ts") or None,
            metadata=metadata if isinstance(metadata, dict) else None,
        )
        return ok(channel=channel_id, ts=message.ts, message=message.to_api(ws.team_id))

    def chat_update(self, args: dict[str, Any], token: str | None) -> Reply:
        ws = self._workspace(token)
        channel_id, error = self._resolve_channel(ws, args.get("channel"))
        if channel_id is None:
            return fail(error or "channel_not_found")
        ts = args.get("ts")
        if not ts or ws.find_message(channel_id, str(ts)) is None:
            return fail("message_not_found")
        rejected = self._content_error("chat.update", args)
        if rejected:
            return rejected
        updated = ws.update_message(
            channel_id, str(ts), text=args["text"], blocks=args.get("blocks")
        )
        if updated is None:  # deleted meanwhile
            return fail("message_not_found")
        return ok(
            channel=channel_id, ts=updated.ts, text=updated.text, message=updated.to_api(ws.team_id)
        )

    def chat_post_ephemeral(self, args: dict[str, Any], token: str | None) -> Reply:
        ws = self._workspace(token)
        user = ws.get_user(str(args.get("user") or ""))
        if user is None:
            return fail("user_not_found")
        channel_id, error = self._resolve_channel(ws, args.get("channel"))
        if channel_id is None:
            return fail(error or "channel_not_found")
        if user.id not in ws.members(channel_id):
            return fail("user_not_in_channel")
        rejected = self._content_error("chat.postEphemeral", args)
        if rejected:
            return rejected
        message = ws.post_ephemeral(
            channel_id, user.id, text=args["text"], blocks=args.get("blocks")
        )
        return ok(message_ts=message.message_ts)

    def chat_delete(self, args: dict[str, Any], token: str | None) -> Reply:
        ws = self._workspace(token)
        channel_id, error = self._resolve_channel(ws, args.get("channel"))
        if channel_id is None:
            return fail(error or "channel_not_found")
        ts = str(args.get("ts") or "")
        if not ws.delete_message(channel_id, ts):
            return fail("message_not_found")
        return ok(channel=channel_id, ts=ts)

    def chat_get_permalink(self, args: dict[str, Any], token: str | None) -> Reply:
        """A message's permanent link, shaped as Slack's: the workspace's domain, the
        channel, and the ts without its dot."""
        ws = self._workspace(token)
        channel_id, error = self._resolve_channel(ws, args.get("channel"))
        if channel_id is None:
            return fail(error or "channel_not_found")
        ts = str(args.get("message_ts") or "")
        if not ts or ws.find_message(channel_id, ts) is None:
            return fail("message_not_found")
        link = f"https://{ws.domain}.slack.com/archives/{channel_id}/p{ts.replace('.', '')}"
        return ok(channel=channel_id, permalink=link)

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
        if _flag(args.get("return_im")):
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
        return team_info(self._workspace(token), args)

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

    # ------------------------------------------------------------------ files

    def files_get_upload_url_external(self, args: dict[str, Any], token: str | None) -> Reply:
        ws = self._workspace(token)
        filename = args.get("filename")
        try:
            length = int(args.get("length"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return invalid_arguments("missing required field: length")
        if not filename:
            return invalid_arguments("missing required field: filename")
        record = ws.reserve_file(str(filename), length, alt_txt=args.get("alt_txt"))
        return ok(upload_url=self._upload_url(record.id), file_id=record.id)

    def files_complete_upload_external(self, args: dict[str, Any], token: str | None) -> Reply:
        ws = self._workspace(token)
        files = args.get("files")
        if not isinstance(files, list) or not files:
            return invalid_arguments("missing required field: files")
        requested = [(str(f.get("id")), f.get("title")) for f in files if isinstance(f, dict)]
        for file_id, _ in requested:
            record = ws.get_file(file_id)
            if record is None or record.content is None:
                return fail("file_not_found")
        wanted = [args["channel_id"]] if args.get("channel_id") else []
        wanted += [c for c in str(args.get("channels") or "").split(",") if c]
        channel_ids: list[str] = []
        for wanted_channel in wanted:
            channel_id, error = self._resolve_channel(ws, wanted_channel)
            if channel_id is None:
                return fail(error or "channel_not_found")
            channel_ids.append(channel_id)
        for file_id, title in requested:
            ws.complete_file(file_id, title=title, channels=channel_ids)
        shared = [ws.get_file(file_id) for file_id, _ in requested]
        file_objects = [f.to_api(ws.bot_user_id) for f in shared if f is not None]
        for channel_id in channel_ids:
            ws.post_message(
                channel_id,
                text=str(args.get("initial_comment") or ""),
                user=ws.bot_user_id,
                bot_id=ws.bot_id,
                thread_ts=args.get("thread_ts") or None,
                files=file_objects,
            )
        return ok(files=file_objects)


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
