"""What storage hands to services: named, frozen copies of rows, never the rows themselves.

A service reads fields from these and passes ids back to change anything, so every change
to a row is made by a function of `storage/`, and nothing outside it holds an object whose
attributes write to the database when set.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, TypeVar

R = TypeVar("R")


def record(kind: type[R], row: Any) -> R:
    """A record of ``kind`` holding the row's values of the fields it names."""
    return kind(**{field.name: getattr(row, field.name) for field in fields(kind)})  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class TeamRecord:
    """A team: its channel, its schedule and the settings its manager chose."""

    id: int
    workspace_id: str
    channel_id: str
    channel_name: str | None
    created_at: datetime
    schedule_from: datetime
    questions_per_week: int
    anonymity_threshold: int
    pulse_weekday: int
    pulse_time: str
    reminder_weekday: int
    reminder_time: str
    close_weekday: int
    close_time: str
    timezone: str
    round_days: int
    target: float | None
    digest_channel_id: str | None
    active: bool
    review_schedule_from: datetime | None


@dataclass(frozen=True, slots=True)
class MemberRecord:
    """A person in (or once in) a team's channel, as Slack last described them."""

    id: int
    team_id: int
    user_id: str
    in_channel: bool
    is_bot: bool
    deactivated: bool
    timezone: str | None
    email_domain: str | None
    home_team_id: str | None


@dataclass(frozen=True, slots=True)
class RoundRecord:
    """One week's round of a team."""

    id: int
    team_id: int
    week: str
    behaviour_ids: list[str]
    opened_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    invited: int
    reminded_at: datetime | None
    digest_posted_at: datetime | None


@dataclass(frozen=True, slots=True)
class PromptRecord:
    """A member's prompt in a round (an outbox row)."""

    id: int
    round_id: int
    user_id: str
    state: str
    due_at: datetime
    channel_id: str | None
    message_ts: str | None
    sent_at: datetime | None
    reminder_state: str | None


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    """A team's quarterly partnership review."""

    id: int
    team_id: int
    quarter: str
    opened_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    threshold: int
    invited: int
    responded: int
    peers_invited: int
    peers_responded: int


@dataclass(frozen=True, slots=True)
class AgreedActionRecord:
    """An action a team agreed on, with the state of the owner's two messages."""

    id: int
    team_id: int
    behaviour_id: str
    suggestion: str | None
    text: str
    owner_id: str | None
    agreed_by: str | None
    agreed_at: datetime
    agreed_week: str
    baseline_week: str | None
    review_week: str
    status: str
    closed_at: datetime | None
    owner_told_at: datetime | None
    review_asked_at: datetime | None
    owner_report: str | None


@dataclass(frozen=True, slots=True)
class BudgetGrant:
    """How many calls a take from a workspace's send budget granted, and, when none, how
    many seconds to wait."""

    granted: int
    wait_seconds: float
