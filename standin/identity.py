"""Who a stand-in workspace is, and the one lock and counters all its state shares.

The Web API server and the tests both read and change a workspace from different
threads (one thread per HTTP request), so every public method of the parts built on
`WorkspaceCore` takes its lock. One lock for all of them, because some changes span
parts (posting to a DM id opens the DM).
"""

from __future__ import annotations

import itertools
import threading

DEFAULT_TEAM_ID = "T0STANDIN"
DEFAULT_TEAM_NAME = "Stand-in Workspace"
DEFAULT_BOT_USER_ID = "U0STANDBOT"
DEFAULT_BOT_ID = "B0STANDBOT"
DEFAULT_APP_ID = "A0STANDIN"

# A fixed epoch keeps message timestamps reproducible between test runs
# while still looking like real Slack "seconds.micros" strings.
TS_EPOCH = 1_700_000_000
TS_STEP_MICROS = 100


class WorkspaceCore:
    """The identity of one Slack team and its bot, with the lock and id counters."""

    def __init__(
        self,
        team_id: str,
        *,
        team_name: str,
        domain: str,
        bot_user_id: str,
        bot_id: str,
        app_id: str,
        bot_name: str,
    ) -> None:
        self.team_id = team_id
        self.team_name = team_name
        self.domain = domain
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.bot_name = bot_name
        self._lock = threading.RLock()
        self._ts_counter = itertools.count(1)
        self._id_counter = itertools.count(1)

    def next_ts(self) -> str:
        """A fresh, strictly increasing message timestamp."""
        n = next(self._ts_counter) * TS_STEP_MICROS
        return f"{TS_EPOCH + n // 1_000_000}.{n % 1_000_000:06d}"

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}0{next(self._id_counter):08d}"
