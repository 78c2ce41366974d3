"""The views of a stand-in workspace: modals and each user's App Home.

A view keeps its id across `views.update`, and a fresh `hash` each time, so the
bot's optimistic `hash` checks can be tested against it.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from standin.identity import WorkspaceCore


class Views(WorkspaceCore):
    """Stored views by id, and which one is each user's home tab."""

    def __init__(self, team_id: str, **identity: str) -> None:
        super().__init__(team_id, **identity)
        self._views: dict[str, dict[str, Any]] = {}
        self._home_views: dict[str, str] = {}  # user id -> view id

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
