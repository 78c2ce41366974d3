"""The suite runs on whatever date the machine says: `make test-other-date` runs the
time-related tests under libfaketime, and this guard proves the fake date really took hold
(in this process and in the bot's own subprocesses) rather than the run silently using today."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest

EXPECTED = os.environ.get("PULSE_EXPECT_FAKE_DATE")


@pytest.mark.skipif(not EXPECTED, reason="PULSE_EXPECT_FAKE_DATE is set by make test-other-date")
def test_the_run_sees_the_date_it_was_given() -> None:
    # date.today() is what code that forgot its clock would read.
    assert date.today().isoformat() == EXPECTED  # noqa: DTZ011
    assert datetime.now(UTC).date().isoformat() == EXPECTED


@pytest.mark.skipif(not EXPECTED, reason="PULSE_EXPECT_FAKE_DATE is set by make test-other-date")
def test_subprocesses_see_the_same_date() -> None:
    child = subprocess.run(
        [sys.executable, "-c", "import datetime; print(datetime.date.today().isoformat())"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert child.stdout.strip() == EXPECTED
