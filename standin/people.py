"""The people of a stand-in workspace, and the other workspaces it shares channels with.

A member of another workspace (Slack Connect) is a `User` whose `team_id` is not this
workspace's; what Slack shows of them, and refuses, is in standin/connect.py.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from standin.connect import stranger_view
from standin.identity import TS_EPOCH, WorkspaceCore


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
            "updated": TS_EPOCH,
        }


class People(WorkspaceCore):
    """Users (home and external) and connected teams: who the bot can ask about."""

    def __init__(self, team_id: str, **identity: str) -> None:
        super().__init__(team_id, **identity)
        self._users: dict[str, User] = {}
        self._connected_teams: dict[str, dict[str, str]] = {}

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
