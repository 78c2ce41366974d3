"""The prompt outbox's records of what became of each claimed DM, on the hot path.

Every outcome is its own transaction of one statement, committed before the next DM goes,
so a process that dies leaves at most the one prompt it was posting unrecorded. They run
on one connection held for the pass (`HotPath.statements`): a session per write would
cost more than the write.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Connection

from storage import prompt_outbox as outbox_store
from storage.database import Database


class OutboxRecords:
    """One statement per outcome on a held connection; invited counts kept for `settle`."""

    def __init__(self, db: Database, connection: Connection) -> None:
        self._db = db
        self._connection = connection
        self._rounds_sent_to: set[int] = set()

    def sent(
        self,
        *,
        prompt_id: int,
        round_id: int,
        channel_id: str,
        message_ts: str,
        route: str = "dm",
    ) -> None:
        """Slack accepted the prompt (a DM, or an ephemeral in the team channel): it is
        never sent again."""
        with self._db.hot.one_statement(self._connection) as connection:
            outbox_store.mark_sent(
                connection,
                prompt_id=prompt_id,
                channel_id=channel_id,
                message_ts=message_ts,
                route=route,
            )
        self._rounds_sent_to.add(round_id)

    def unreachable(self, *, prompt_id: int, round_id: int) -> None:
        """Slack would let the bot reach this member neither way: never retried, counted."""
        with self._db.hot.one_statement(self._connection) as connection:
            outbox_store.mark_unreachable(connection, prompt_id=prompt_id)
        self._rounds_sent_to.add(round_id)

    def skipped(self, prompt_id: int) -> None:
        """A member Slack will not let us DM: never retried."""
        with self._db.hot.one_statement(self._connection) as connection:
            outbox_store.mark_skipped(connection, prompt_id=prompt_id)

    def release(self, prompt_ids: Iterable[int], *, claimed_at: datetime) -> int:
        """Put back prompts claimed at one moment that were not posted."""
        with self._db.hot.one_statement(self._connection) as connection:
            return outbox_store.release_claims(
                connection, prompt_ids=list(prompt_ids), claimed_at=claimed_at
            )

    def settle(self) -> None:
        """Count the invited people of the rounds sent to since the last call."""
        if not self._rounds_sent_to:
            return
        with self._db.hot.one_statement(self._connection) as connection:
            outbox_store.recount_invited(connection, self._rounds_sent_to)
        self._rounds_sent_to = set()


@contextmanager
def outbox_records(db: Database) -> Iterator[OutboxRecords]:
    """Record a pass's outcomes on one connection; the last batch's counts are settled."""
    with db.hot.statements() as connection:
        records = OutboxRecords(db, connection)
        yield records
        records.settle()
