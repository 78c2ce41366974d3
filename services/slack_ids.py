"""The shape of a Slack id (U…, W…, C…, G…, D…, T…): what our tables can hold.

One definition for the door (handlers/gate.py), the handlers and the services that check a
form's fields, so an id one of them lets in is an id every other accepts.
"""

from __future__ import annotations

import re
from typing import TypeGuard

SLACK_ID = re.compile(r"[A-Z][A-Z0-9]{1,31}")


def is_slack_id(value: object) -> TypeGuard[str]:
    """Whether a value has the shape of a Slack id."""
    return isinstance(value, str) and SLACK_ID.fullmatch(value) is not None


def is_channel_id(value: object) -> TypeGuard[str]:
    """Whether a value has the shape of a public or private channel's id (C…, G…)."""
    return is_slack_id(value) and value[0] in "CG"


def is_user_id(value: object) -> TypeGuard[str]:
    """Whether a value has the shape of a person's id (U…, W…)."""
    return is_slack_id(value) and value[0] in "UW"
