"""What can go wrong in a unit of work, in storage's own words.

Services decide what to do about a failed write (try again, answer politely, give up)
without knowing which database or driver raised it: `storage.database` translates the
driver's errors into these at the edge of every unit of work.
"""

from __future__ import annotations


class StorageError(Exception):
    """A unit of work failed in the database and was rolled back whole."""


class AlreadyExists(StorageError):
    """A row the unit of work added collided with one already there (a unique key): another
    process got there first, and running the work again finds its row."""


class TransientConflict(StorageError):
    """The database rolled the unit of work back because of a concurrent one (a deadlock,
    or a snapshot that could not serialise): running it again is the documented remedy."""
