"""The messages of a stand-in workspace: channel history, edits, and ephemerals.

History is what `conversations.history` would show after every edit and deletion;
ephemerals are kept apart because Slack never stores them in history (only the
`response_url` of a click on one can change it).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import Any

from standin.conversations import Conversations


@dataclass(frozen=True)
class Message:
    """A message as it currently stands in a channel (after any updates)."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] | None = None
    user: str | None = None
    bot_id: str | None = None
    thread_ts: str | None = None
    files: list[dict[str, Any]] | None = None
    metadata: dict[str, Any] | None = None
    edited_ts: str | None = None

    def to_api(self, team_id: str) -> dict[str, Any]:
        """The `message` object Slack echoes back from chat.postMessage."""
        out: dict[str, Any] = {"type": "message", "text": self.text, "ts": self.ts, "team": team_id}
        if self.user:
            out["user"] = self.user
        if self.bot_id:
            out["bot_id"] = self.bot_id
        if self.blocks is not None:
            out["blocks"] = copy.deepcopy(self.blocks)
        if self.thread_ts:
            out["thread_ts"] = self.thread_ts
        if self.files:
            out["files"] = copy.deepcopy(self.files)
            out["upload"] = True
        if self.metadata:
            out["metadata"] = copy.deepcopy(self.metadata)
        if self.edited_ts:
            out["edited"] = {"user": self.user, "ts": self.edited_ts}
        return out


@dataclass(frozen=True)
class EphemeralMessage:
    """An ephemeral message: only `user` sees it, and it is never stored in history."""

    channel: str
    user: str
    message_ts: str
    text: str
    blocks: list[dict[str, Any]] | None = None


class Messages(Conversations):
    """Posting, editing and deleting messages, in channels and DMs, and ephemerals."""

    def __init__(self, team_id: str, **identity: str) -> None:
        super().__init__(team_id, **identity)
        self._messages: dict[str, list[Message]] = {}
        self._ephemerals: list[EphemeralMessage] = []

    def post_message(
        self,
        channel_id: str,
        *,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        user: str | None = None,
        bot_id: str | None = None,
        thread_ts: str | None = None,
        files: list[dict[str, Any]] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Message:
        with self._lock:
            if channel_id.startswith("D") and channel_id not in self._channels:
                user_id = self.dm_user(channel_id)
                if user_id is not None:
                    self.open_dm(user_id)
            message = Message(
                channel=channel_id,
                ts=self.next_ts(),
                text=text,
                blocks=copy.deepcopy(blocks),
                user=user,
                bot_id=bot_id,
                thread_ts=thread_ts,
                files=copy.deepcopy(files),
                metadata=copy.deepcopy(metadata),
            )
            self._messages.setdefault(channel_id, []).append(message)
            return message

    def find_message(self, channel_id: str, ts: str) -> Message | None:
        with self._lock:
            for message in self._messages.get(channel_id, []):
                if message.ts == ts:
                    return message
        return None

    def update_message(
        self,
        channel_id: str,
        ts: str,
        *,
        text: str | None = None,
        blocks: list[dict[str, Any]] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Message | None:
        """Apply an edit; fields left as None keep their old value, as in chat.update."""
        with self._lock:
            history = self._messages.get(channel_id, [])
            for i, message in enumerate(history):
                if message.ts != ts:
                    continue
                updated = replace(
                    message,
                    text=message.text if text is None else text,
                    blocks=message.blocks if blocks is None else copy.deepcopy(blocks),
                    metadata=message.metadata if metadata is None else copy.deepcopy(metadata),
                    edited_ts=self.next_ts(),
                )
                history[i] = updated
                return updated
        return None

    def delete_message(self, channel_id: str, ts: str) -> bool:
        with self._lock:
            history = self._messages.get(channel_id, [])
            for i, message in enumerate(history):
                if message.ts == ts:
                    del history[i]
                    return True
        return False

    def messages(self, channel_id: str) -> list[Message]:
        with self._lock:
            return list(self._messages.get(channel_id, []))

    def post_ephemeral(
        self, channel_id: str, user_id: str, *, text: str, blocks: list[dict[str, Any]] | None
    ) -> EphemeralMessage:
        with self._lock:
            message = EphemeralMessage(
                channel=channel_id,
                user=user_id,
                message_ts=self.next_ts(),
                text=text,
                blocks=copy.deepcopy(blocks),
            )
            self._ephemerals.append(message)
            return message

    def replace_ephemeral(
        self,
        channel_id: str,
        user_id: str,
        message_ts: str,
        *,
        text: str,
        blocks: list[dict[str, Any]] | None,
    ) -> bool:
        """What a response_url's `replace_original` does to an ephemeral message."""
        with self._lock:
            for index, message in enumerate(self._ephemerals):
                if (message.channel, message.user, message.message_ts) == (
                    channel_id,
                    user_id,
                    message_ts,
                ):
                    self._ephemerals[index] = replace(
                        message, text=text, blocks=copy.deepcopy(blocks)
                    )
                    return True
            return False

    def delete_ephemeral(self, channel_id: str, user_id: str, message_ts: str) -> bool:
        """What a response_url's `delete_original` does to an ephemeral message."""
        with self._lock:
            before = len(self._ephemerals)
            self._ephemerals = [
                m
                for m in self._ephemerals
                if (m.channel, m.user, m.message_ts) != (channel_id, user_id, message_ts)
            ]
            return len(self._ephemerals) < before

    def ephemerals(self) -> list[EphemeralMessage]:
        with self._lock:
            return list(self._ephemerals)
