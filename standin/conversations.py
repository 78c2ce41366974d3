"""The conversations of a stand-in workspace: channels, their members, and DMs.

Every user has an IM with the app whether or not it was opened, as in Slack: its id is
derived from the user id, so a DM id can be resolved before `conversations.open`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from standin.identity import TS_EPOCH
from standin.people import People


@dataclass(frozen=True)
class Channel:
    """A public/private channel or a direct-message (IM) conversation."""

    id: str
    name: str
    members: tuple[str, ...] = ()
    is_private: bool = False
    is_im: bool = False
    user: str | None = None  # the other party of an IM
    created: int = TS_EPOCH

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


class Conversations(People):
    """Channels and DMs, and who is in each."""

    def __init__(self, team_id: str, **identity: str) -> None:
        super().__init__(team_id, **identity)
        self._channels: dict[str, Channel] = {}

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
