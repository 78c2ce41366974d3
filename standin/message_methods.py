"""The Web API methods that put things into conversations: chat.* and files.*.

Each checks the message against Block Kit (recording what it refuses), resolves the
`channel` argument the way Slack does (C…, D…, U…/W… or #name), and applies the
per-channel rate limit to posts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from standin.blockkit import MAX_TEXT_LENGTH, check_blocks, check_message
from standin.limits import RateLimiter
from standin.records import Records
from standin.replies import Reply, fail, invalid_arguments, ok
from standin.tenancy import Tenancy
from standin.workspace import Workspace


class MessageMethods:
    """chat.* and files.* handlers, bound to the server's workspaces, records and limits."""

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
