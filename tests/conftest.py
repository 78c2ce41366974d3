"""Fixtures: every database test runs on SQLite and, when TEST_DATABASE_URL is set, PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

# The bot imports its drawing library where a chart or report is drawn, not at start
# (delivery.digests, handlers.report). A test process imports it here, once, so that the
# first chart of a run is not timed by a test's wait, as a server's first chart is timed by
# no one.
import charts.digest_chart
import charts.report_pdf  # noqa: F401
from standin import StandInSlack
from storage.database import Database, normalise_url
from storage.migrate import upgrade
from tests.support import TUESDAY_10, FakeClock, RunningBot, standard_workspace, start_bot

POSTGRES_ENV = "TEST_DATABASE_URL"


def _admin_engine() -> Engine:
    url = normalise_url(os.environ[POSTGRES_ENV])
    return create_engine(url, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str | None]:
    """A migrated template database: each test copies it instead of migrating again."""
    if not os.environ.get(POSTGRES_ENV):
        yield None
        return
    admin = _admin_engine()
    name = f"pulse_template_{os.getpid()}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalise_url(os.environ[POSTGRES_ENV])).set(database=name)
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    yield name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_template: str | None
) -> Iterator[str]:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'pulse.db'}"
        return
    if postgres_template is None:
        pytest.skip(
            f"PostgreSQL tests need {POSTGRES_ENV} (e.g. postgresql://postgres@127.0.0.1/postgres)"
        )
    admin = _admin_engine()
    name = f"pulse_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"'))
    yield (
        make_url(normalise_url(os.environ[POSTGRES_ENV]))
        .set(database=name)
        .render_as_string(hide_password=False)
    )
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def slack() -> Iterator[StandInSlack]:
    """The stand-in workspace with the standard team channel; Block Kit checks must stay clean."""
    with StandInSlack(standard_workspace()) as server:
        yield server
        assert server.block_kit_problems == [], server.block_kit_problems


@pytest.fixture
def clock() -> FakeClock:
    """Time starts on the Tuesday of the test round's week, at the pulse hour."""
    return FakeClock(TUESDAY_10)


@pytest.fixture
def running(database_url: str, slack: StandInSlack, clock: FakeClock) -> Iterator[RunningBot]:
    """The bot serving signed HTTP, talking to the stand-in Slack."""
    bot = start_bot(database_url, slack, clock)
    yield bot
    bot.stop()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A migrated database of either engine, for tests that drive storage and services."""
    database = Database.from_url(database_url)
    upgrade(database.engine)
    yield database
    database.dispose()
