"""The environment is read in one place, and every unusable value fails the same way.

A caller catches `BadSetting` once and prints its message; no setting may slip through as a
`ValueError` or be read in another unit. The operator's view of the same failures, one line
and nothing created, is in `test_cli_errors`.
"""

from __future__ import annotations

import pytest

from config.settings import BadSetting, load_settings
from tests.test_cli_errors import BAD_PULSE_SETTINGS


def test_retention_is_a_whole_number_of_days_two_years_unless_set() -> None:
    assert load_settings({}).retention_days == 730
    assert load_settings({"PULSE_RETENTION_DAYS": " 90 "}).retention_days == 90


@pytest.mark.parametrize(
    ("name", "value"),
    [
        pytest.param(name, value, id=f"{name}={value}")
        for name, values in BAD_PULSE_SETTINGS.items()
        for value in values
    ],
)
def test_every_bad_setting_raises_bad_setting_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(BadSetting) as raised:
        load_settings({name: value})
    assert name in str(raised.value)
    assert repr(value) in str(raised.value)
