"""In-memory state of one stand-in Slack workspace.

The Web API server and the tests both read and change this state from
different threads (one thread per HTTP request), so every public method
takes the workspace lock. Values handed out are immutable snapshots
(frozen dataclasses or fresh dicts/lists), so a test can hold on to them
without racing the server.
"""

from __future__ import annotations

import copy
import itertools
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from standin.connect import stranger_view

DEFAULT_TEAM_ID = "T0STANDIN"
DEFAULT_TEAM_NAME = "Stand-in Workspace"
DEFAULT_BOT_USER_ID = "U0STANDBOT"
DEFAULT_BOT_ID = "B0STANDBOT"
DEFAULT_APP_ID = "A0STANDIN"

# A fixed epoch keeps message timestamps reproducible between test runs
# while still looking like real Slack "seconds.micros" strings.
_TS_EPOCH = 1_700_000_000
_TS_STEP_MICROS = 100


@dataclass(frozen=True)
class User:
    """A workspace member as users.info describes it."""

    id: str
    name: str
    team_id: str
    tz: str = "Europe/London"
    is_bot: bool = False
    deleted: bool = False
    real_name: str = ""
    display_name: str = ""
    email: str = ""
    # Slack Connect (see standin/connect.py for the sources): a member of another
    # workspace may come back from users.info as a stranger, may not be visible at all,
    # and may be someone the bot is not allowed to DM.
    is_stranger: bool = False
    visible: bool = True
    dm_refused: bool = False

    @property
    def profile(self) -> dict[str, Any]:
        """The `profile` sub-object, computed so it never drifts from the fields."""
        return {
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.display_name,
            "display_name_normalized": self.display_name,
            "email": self.email,
            "team": self.team_id,
        }

    def tz_offset(self, at: datetime | None = None) -> int:
        """Seconds east of UTC right now (or at `at`), as Slack reports it.

        Computed per call because the offset changes with daylight saving,
        which is exactly what scheduling code needs to be tested against.
        """
        moment = at or datetime.now(ZoneInfo("UTC"))
        offset = moment.astimezone(ZoneInfo(self.tz)).utcoffset()
        return int(offset.total_seconds()) if offset is not None else 0

    def tz_label(self, at: datetime | None = None) -> str:
        moment = at or datetime.now(ZoneInfo("UTC"))
        return moment.astimezone(ZoneInfo(self.tz)).tzname() or self.tz

    def to_api(self) -> dict[str, Any]:
        """The user object exactly as users.info / users.list return it."""
        if self.is_stranger:
            return stranger_view(self.id, self.team_id, self.name, self.real_name)
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "deleted": self.deleted,
            "real_name": self.real_name,
            "tz": self.tz,
            "tz_label": self.tz_label(),
            "tz_offset": self.tz_offset(),
            "profile": self.profile,
            "is_admin": False,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": _TS_EPOCH,
        }


@dataclass(frozen=True)
class Channel:
    """A public/private channel or a direct-message (IM) conversation."""

    id: str
    name: str
    members: tuple[str, ...] = ()
    is_private: bool = False
    is_im: bool = False
    user: str | None = None  # the other party of an IM
    created: int = _TS_EPOCH

    def to_api(self) -> dict[str, Any]:
        """The channel object as conversations.info returns it."""
        if self.is_im:
            return {
                "id": self.id,
                "created": self.created,
                "is_im": True,
                "is_org_shared": False,
                "user": self.user,
                "is_open": True,
                "priority": 0,
            }
        return {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": not self.is_private,
            "is_group": self.is_private,
            "is_im": False,
            "is_mpim": False,
            "is_private": self.is_private,
            "created": self.created,
            "is_archived": False,
            "is_general": False,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
            "num_members": len(self.members),
        }


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


@dataclass
class UploadedFile:
    """A file going through the two-step external upload.

    Mutable because it fills in over three requests: reserved by
    files.getUploadURLExternal, bytes stored by the upload URL, then
    shared by files.completeUploadExternal.
    """

    id: str
    filename: str
    length: int
    title: str = ""
    content: bytes | None = None
    completed: bool = False
    channels: list[str] = field(default_factory=list)
    alt_txt: str | None = None

    def to_api(self, user: str | None) -> dict[str, Any]:
        size = len(self.content) if self.content is not None else self.length
        return {
            "id": self.id,
            "created": _TS_EPOCH,
            "timestamp": _TS_EPOCH,
            "name": self.filename,
            "title": self.title or self.filename,
            "mimetype": _guess_mimetype(self.filename),
            "filetype": self.filename.rsplit(".", 1)[-1] if "." in self.filename else "binary",
            "user": user,
            "size": size,
            "mode": "hosted",
            "is_external": False,
            "is_public": True,
            "channels": list(self.channels),
        }


def _guess_mimetype(filename: str) -> str:
    import mimetypes

    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


class Workspace:
    """Users, channels, DMs, messages, views and files of one Slack team.

    Tests build the workspace up front (`add_user`, `add_channel`), hand it to
    the server, then inspect what the bot did through the same object.
    """

    def __init__(
        self,
        team_id: str = DEFAULT_TEAM_ID,
        *,
        team_name: str = DEFAULT_TEAM_NAME,
        domain: str = "standin",
        bot_user_id: str = DEFAULT_BOT_USER_ID,
        bot_id: str = DEFAULT_BOT_ID,
        app_id: str = DEFAULT_APP_ID,
        bot_name: str = "pulse",
    ) -> None:
        self.team_id = team_id
        self.team_name = team_name
        self.domain = domain
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.bot_name = bot_name
        self._lock = threading.RLock()
        self._users: dict[str, User] = {}
        self._channels: dict[str, Channel] = {}
        self._messages: dict[str, list[Message]] = {}
        self._ephemerals: list[EphemeralMessage] = []
        self._views: dict[str, dict[str, Any]] = {}
        self._home_views: dict[str, str] = {}  # user id -> view id
        self._files: dict[str, UploadedFile] = {}
        self._connected_teams: dict[str, dict[str, str]] = {}
        self._ts_counter = itertools.count(1)
        self._id_counter = itertools.count(1)
        # Like real Slack, the app's bot user is a (bot) member of the team.
        self.add_user(bot_user_id, bot_name, is_bot=True, real_name=bot_name)

    # ------------------------------------------------------------------ users

    def add_user(
        self,
        user_id: str,
        name: str,
        tz: str = "Europe/London",
        is_bot: bool = False,
        deleted: bool = False,
        *,
        real_name: str | None = None,
        display_name: str | None = None,
        email: str | None = None,
    ) -> User:
        """Add (or replace) a user. An unknown `tz` fails here, not mid-test."""
        ZoneInfo(tz)
        user = User(
            id=user_id,
            name=name,
            team_id=self.team_id,
            tz=tz,
            is_bot=is_bot,
            deleted=deleted,
            real_name=real_name if real_name is not None else name.replace(".", " ").title(),
            display_name=display_name if display_name is not None else name,
            email=email if email is not None else f"{name}@{self.domain}.example.com",
        )
        with self._lock:
            self._users[user_id] = user
        return user

    def update_user(self, user_id: str, **changes: Any) -> User:
        """Change fields of a user, e.g. `deleted=True` or a new `tz`."""
        with self._lock:
            user = replace(self._users[user_id], **changes)
            ZoneInfo(user.tz)
            self._users[user_id] = user
            return user

    def connect_team(self, team_id: str, name: str, domain: str) -> None:
        """Share channels with another workspace: `team.info` then answers for it."""
        with self._lock:
            self._connected_teams[team_id] = {"id": team_id, "name": name, "domain": domain}

    def connected_team(self, team_id: str) -> dict[str, str] | None:
        with self._lock:
            found = self._connected_teams.get(team_id)
            return dict(found) if found else None

    def add_external_user(
        self,
        user_id: str,
        name: str,
        team_id: str,
        *,
        tz: str = "Europe/London",
        dm_refused: bool = False,
        stranger: bool = False,
        visible: bool = True,
    ) -> User:
        """A member of another workspace, as this workspace's token sees them."""
        ZoneInfo(tz)
        user = User(
            id=user_id,
            name=name,
            team_id=team_id,
            tz=tz,
            real_name=name.replace(".", " ").title(),
            display_name=name,
            email="",
            is_stranger=stranger,
            visible=visible,
            dm_refused=dm_refused,
        )
        with self._lock:
            self._users[user_id] = user
        return user

    def get_user(self, user_id: str) -> User | None:
        with self._lock:
            return self._users.get(user_id)

    def users(self) -> list[User]:
        with self._lock:
            return list(self._users.values())

    # --------------------------------------------------------------- channels

    def add_channel(
        self,
        channel_id: str,
        name: str,
        members: list[str] | tuple[str, ...] = (),
        *,
        is_private: bool = False,
    ) -> Channel:
        channel = Channel(
            id=channel_id, name=name, members=tuple(dict.fromkeys(members)), is_private=is_private
        )
        with self._lock:
            self._channels[channel_id] = channel
            self._messages.setdefault(channel_id, [])
        return channel

    def get_channel(self, channel_id: str) -> Channel | None:
        with self._lock:
            channel = self._channels.get(channel_id)
            if channel is None and channel_id.startswith("D"):
                user_id = self.dm_user(channel_id)
                if user_id is not None:
                    # Every user has an IM with the app, opened or not.
                    return self._im_channel(user_id)
            return channel

    def channels(self) -> list[Channel]:
        with self._lock:
            return [c for c in self._channels.values() if not c.is_im]

    def join(self, channel_id: str, user_id: str) -> None:
        with self._lock:
            channel = self._channels[channel_id]
            if user_id not in channel.members:
                self._channels[channel_id] = replace(channel, members=(*channel.members, user_id))

    def leave(self, channel_id: str, user_id: str) -> None:
        with self._lock:
            channel = self._channels[channel_id]
            members = tuple(m for m in channel.members if m != user_id)
            self._channels[channel_id] = replace(channel, members=members)

    def members(self, channel_id: str) -> list[str]:
        with self._lock:
            channel = self.get_channel(channel_id)
            return list(channel.members) if channel else []

    # -------------------------------------------------------------------- DMs

    @staticmethod
    def dm_channel_id(user_id: str) -> str:
        """The stable IM id for a user: "D" + the user id without its U/W prefix."""
        return "D" + (user_id[1:] if user_id[:1] in ("U", "W") else user_id)

    def dm_user(self, channel_id: str) -> str | None:
        """The user at the other end of an IM id, if that user exists."""
        if not channel_id.startswith("D"):
            return None
        suffix = channel_id[1:]
        with self._lock:
            for prefix in ("U", "W", ""):
                if prefix + suffix in self._users:
                    return prefix + suffix
        return None

    def is_dm_open(self, user_id: str) -> bool:
        with self._lock:
            return self.dm_channel_id(user_id) in self._channels

    def open_dm(self, user_id: str) -> Channel:
        with self._lock:
            if user_id not in self._users:
                raise KeyError(user_id)
            channel = self._im_channel(user_id)
            self._channels.setdefault(channel.id, channel)
            self._messages.setdefault(channel.id, [])
            return self._channels[channel.id]

    def _im_channel(self, user_id: str) -> Channel:
        channel_id = self.dm_channel_id(user_id)
        existing = self._channels.get(channel_id)
        if existing is not None:
            return existing
        return Channel(
            id=channel_id,
            name=user_id,
            members=(user_id, self.bot_user_id),
            is_im=True,
            user=user_id,
        )

    # --------------------------------------------------------------- messages

    def next_ts(self) -> str:
        """A fresh, strictly increasing message timestamp."""
        n = next(self._ts_counter) * _TS_STEP_MICROS
        return f"{_TS_EPOCH + n // 1_000_000}.{n % 1_000_000:06d}"

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

    # ------------------------------------------------------------------ views

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}0{next(self._id_counter):08d}"

    def _view_hash(self) -> str:
        return f"{int(time.time())}.{next(self._id_counter):08x}"

    def save_view(
        self, view: dict[str, Any], *, user_id: str | None = None, view_id: str | None = None
    ) -> dict[str, Any]:
        """Store a view (new, or replacing `view_id`) and return its API shape."""
        with self._lock:
            previous = self._views.get(view_id) if view_id else None
            new_id = view_id or self._new_id("V")
            stored: dict[str, Any] = {
                "id": new_id,
                "team_id": self.team_id,
                "type": view.get("type"),
                "blocks": copy.deepcopy(view.get("blocks", [])),
                "private_metadata": view.get("private_metadata", ""),
                "callback_id": view.get("callback_id", ""),
                "external_id": view.get("external_id", ""),
                "state": {"values": {}},
                "hash": self._view_hash(),
                "title": copy.deepcopy(view.get("title")),
                "close": copy.deepcopy(view.get("close")),
                "submit": copy.deepcopy(view.get("submit")),
                "clear_on_close": bool(view.get("clear_on_close", False)),
                "notify_on_close": bool(view.get("notify_on_close", False)),
                "root_view_id": previous["root_view_id"] if previous else new_id,
                "previous_view_id": None,
                "app_id": self.app_id,
                "app_installed_team_id": self.team_id,
                "bot_id": self.bot_id,
            }
            self._views[new_id] = stored
            if user_id is not None:
                self._home_views[user_id] = new_id
            return copy.deepcopy(stored)

    def get_view(self, view_id: str) -> dict[str, Any] | None:
        with self._lock:
            view = self._views.get(view_id)
            return copy.deepcopy(view) if view else None

    def find_view_by_external_id(self, external_id: str) -> dict[str, Any] | None:
        with self._lock:
            for view in self._views.values():
                if external_id and view.get("external_id") == external_id:
                    return copy.deepcopy(view)
        return None

    def home_view_id(self, user_id: str) -> str | None:
        with self._lock:
            return self._home_views.get(user_id)

    def home_views(self) -> dict[str, dict[str, Any]]:
        """User id -> the home tab view most recently published for them."""
        with self._lock:
            return {u: copy.deepcopy(self._views[v]) for u, v in self._home_views.items()}

    # ------------------------------------------------------------------ files

    def reserve_file(
        self, filename: str, length: int, *, alt_txt: str | None = None
    ) -> UploadedFile:
        with self._lock:
            record = UploadedFile(
                id=self._new_id("F"), filename=filename, length=length, alt_txt=alt_txt
            )
            self._files[record.id] = record
            return record

    def store_file_content(self, file_id: str, content: bytes) -> bool:
        with self._lock:
            record = self._files.get(file_id)
            if record is None:
                return False
            record.content = content
            return True

    def get_file(self, file_id: str) -> UploadedFile | None:
        with self._lock:
            return self._files.get(file_id)

    def complete_file(self, file_id: str, *, title: str | None, channels: list[str]) -> bool:
        with self._lock:
            record = self._files.get(file_id)
            if record is None or record.content is None:
                return False
            record.title = title or record.filename
            record.completed = True
            record.channels.extend(c for c in channels if c not in record.channels)
            return True

    def files(self) -> list[UploadedFile]:
        with self._lock:
            return [replace(f, channels=list(f.channels)) for f in self._files.values()]
