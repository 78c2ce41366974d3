"""Write statements compiled once and run with the driver's own parameters.

A few writes run thousands of times in a row on a hot path: the outbox records each DM as
sent before the next one goes, and every click stores an answer. For a write of a few
plain values, SQLAlchemy's per-call work (the compiled-cache lookup, building and
processing parameters) costs more than SQLite's own write. `Prepared` does that work once
per dialect, then hands the SQL and values to the driver through
`Connection.exec_driver_sql`, so the connection's transaction and events stay as they were.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ClauseElement, Connection, CursorResult
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class _DriverStatement:
    """One dialect's SQL, with the statement's own literal values and the order of its
    positional parameters (None where the driver takes them by name)."""

    sql: str
    defaults: Mapping[str, Any]
    order: tuple[str, ...] | None

    def arguments(self, values: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        merged = {**self.defaults, **values}
        if self.order is None:
            return merged
        return tuple(merged[name] for name in self.order)


class Prepared:
    """An insert, update or delete whose parameters are plain values (numbers, strings,
    None) that the driver takes as they are; it returns no rows to convert."""

    def __init__(self, statement: ClauseElement) -> None:
        self._statement = statement
        self._by_dialect: dict[str, _DriverStatement] = {}

    def execute(self, connection: Connection, values: Mapping[str, Any]) -> CursorResult[Any]:
        """Run on ``connection`` in its current transaction."""
        dialect = connection.dialect
        driver_statement = self._by_dialect.get(dialect.name) or self._compile(dialect)
        return connection.exec_driver_sql(driver_statement.sql, driver_statement.arguments(values))

    def _compile(self, dialect: Dialect) -> _DriverStatement:
        compiled = self._statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        order = compiled.positiontup
        driver_statement = _DriverStatement(
            sql=compiled.string,
            defaults={
                name: value
                for name, value in compiled.params.items()
                if not compiled.binds[name].required
            },
            order=tuple(order) if order is not None else None,
        )
        self._by_dialect[dialect.name] = driver_statement
        return driver_statement
