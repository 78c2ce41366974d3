"""A team's settings: read for the settings modal, checked, and applied in one transaction.

Changes take effect at the team's next round: a round already open keeps the questions,
closing time and schedule it was opened with.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.errors import NotAManager, PulseError
from services.lookup import team_of_channel
from services.slack_ids import is_channel_id, is_slack_id
from storage import organisations as organisation_store
from storage import reviews as review_store
from storage import teams as team_store
from storage.database import Database, UnitOfWork
from storage.records import TeamRecord
from surveys.anonymity import MINIMUM_THRESHOLD
from surveys.behaviours import BEHAVIOUR_IDS
from surveys.organisations import (
    AssignmentProblems,
    AssignmentSlot,
    Organisation,
    checked_assignment,
)

MAX_QUESTIONS = len(BEHAVIOUR_IDS)
MAX_THRESHOLD = 50
MAX_MANAGERS = 20
_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")


@dataclass(frozen=True)
class TeamSettings:
    """What a manager can change about a team."""

    channel_id: str
    pulse_weekday: int
    pulse_time: str
    timezone: str
    questions_per_week: int
    threshold: int
    digest_channel_id: str | None
    target: float | None
    managers: tuple[str, ...]
    quarterly_review: bool = False
    organisations: tuple[Organisation, ...] = ()


@dataclass(frozen=True)
class SettingsForm:
    """The settings as a manager typed or picked them: unchecked text and ids."""

    pulse_weekday: str | None
    pulse_time: str | None
    timezone: str | None
    questions_per_week: str | None
    threshold: str | None
    digest_channel_id: str | None
    target: str | None
    managers: Sequence[str]
    quarterly_review: bool = False
    organisations: Sequence[AssignmentSlot] = ()


class InvalidSettings(PulseError):
    """One or more fields are wrong; `problems` says what, field by field."""

    reply = "Some settings need another look."

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__()
        self.problems = problems


def _read(
    team: TeamRecord, managers: Sequence[str], organisations: tuple[Organisation, ...] = ()
) -> TeamSettings:
    return TeamSettings(
        channel_id=team.channel_id,
        pulse_weekday=team.pulse_weekday,
        pulse_time=team.pulse_time,
        timezone=team.timezone,
        questions_per_week=team.questions_per_week,
        threshold=team.anonymity_threshold,
        digest_channel_id=team.digest_channel_id,
        target=team.target,
        managers=tuple(managers),
        quarterly_review=team.review_schedule_from is not None,
        organisations=organisations,
    )


def _managed(session: UnitOfWork, workspace_id: str, channel_id: str, user_id: str) -> TeamRecord:
    team = team_of_channel(session, channel_id, workspace_id)
    if not team_store.is_manager(session, team_id=team.id, user_id=user_id):
        raise NotAManager()
    return team


def _minute_of_week(weekday: int, clock: str) -> int:
    hours, minutes = clock.split(":")
    return weekday * 1440 + int(hours) * 60 + int(minutes)


def _slot(minute_of_week: int) -> tuple[int, str]:
    minute_of_week %= 7 * 1440
    weekday, rest = divmod(minute_of_week, 1440)
    return weekday, f"{rest // 60:02d}:{rest % 60:02d}"


Slot = tuple[int, str]


def _moved_slots(team: TeamRecord, weekday: int, clock: str) -> tuple[Slot, Slot, Slot]:
    """The pulse moved, and the reminder and close with it, so the round keeps its shape
    (by default: reminder two days after the pulse, close six days after less an hour)."""
    pulse = (team.pulse_weekday, team.pulse_time)
    reminder = (team.reminder_weekday, team.reminder_time)
    close = (team.close_weekday, team.close_time)
    shift = _minute_of_week(weekday, clock) - _minute_of_week(*pulse)
    if not shift:
        return pulse, reminder, close
    return (
        (weekday, clock),
        _slot(_minute_of_week(*reminder) + shift),
        _slot(_minute_of_week(*close) + shift),
    )


def settings_for_manager(
    *, db: Database, workspace_id: str, channel_id: str, user_id: str
) -> TeamSettings:
    """A team's current settings, for one of its managers only."""
    with db.transaction() as session:
        team = _managed(session, workspace_id, channel_id, user_id)
        return _read(
            team,
            team_store.managers_of(session, team.id),
            organisation_store.assignment_of(session, team.id),
        )


def _whole(text: str | None, low: int, high: int, what: str) -> tuple[int | None, str | None]:
    value = (text or "").strip()
    if not re.fullmatch(r"-?\d{1,4}", value):
        return None, f"Enter {what} as a whole number from {low} to {high}."
    number = int(value)
    if not low <= number <= high:
        return None, f"{what.capitalize()} must be from {low} to {high}."
    return number, None


def _threshold(text: str | None) -> tuple[int | None, str | None]:
    value, problem = _whole(text, MINIMUM_THRESHOLD, MAX_THRESHOLD, "the threshold")
    digits = (text or "").strip()
    if problem and re.fullmatch(r"-?\d{1,4}", digits) and int(digits) < MINIMUM_THRESHOLD:
        problem = (
            f"The threshold can't be below {MINIMUM_THRESHOLD}: with fewer people, "
            "someone's answer could be worked out."
        )
    return value, problem


def _target(text: str | None) -> tuple[float | None, str | None]:
    value = (text or "").strip().replace("−", "-")
    if not value:
        return None, None
    try:
        number = float(value)
    except ValueError:
        return None, "Enter the target as a number from -1 to +1, e.g. 0.4."
    if math.isnan(number) or not -1 <= number <= 1:
        return None, "The target must be from -1 to +1."
    return number, None


def _timezone(text: str | None) -> tuple[str | None, str | None]:
    name = (text or "").strip()
    problem = f"{name[:60]!r} is not a time zone: use a name like Europe/London."
    if not name or len(name) > 64 or name.startswith("/") or ".." in name:
        return None, problem
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None, problem
    return name, None


def check_form(form: SettingsForm, *, channel_id: str) -> TeamSettings:
    """The settings a form asks for, or InvalidSettings naming every wrong field."""
    problems: dict[str, str] = {}
    weekday, problem = _whole(form.pulse_weekday, 0, 6, "the day")
    if problem:
        problems["pulse_weekday"] = "Pick the day the pulse goes out."
    clock = (form.pulse_time or "").strip()
    if not _CLOCK.fullmatch(clock):
        problems["pulse_time"] = "Pick a time of day, like 10:00."
    timezone, problem = _timezone(form.timezone)
    if problem:
        problems["timezone"] = problem
    questions, problem = _whole(form.questions_per_week, 1, MAX_QUESTIONS, "questions a week")
    if problem:
        problems["questions_per_week"] = problem
    threshold, problem = _threshold(form.threshold)
    if problem:
        problems["threshold"] = problem
    digest = (form.digest_channel_id or "").strip() or None
    if digest is not None and not is_channel_id(digest):
        problems["digest_channel_id"] = "Pick a channel for the digest."
    target, problem = _target(form.target)
    if problem:
        problems["target"] = problem
    managers = tuple(dict.fromkeys(u for u in form.managers if isinstance(u, str)))
    if not managers:
        problems["managers"] = "A team needs at least one manager."
    elif len(managers) > MAX_MANAGERS or not all(is_slack_id(u) for u in managers):
        problems["managers"] = f"Pick from 1 to {MAX_MANAGERS} people as managers."
    if problems:
        raise InvalidSettings(problems)
    assert weekday is not None and timezone is not None
    assert questions is not None and threshold is not None
    return TeamSettings(
        channel_id=channel_id,
        pulse_weekday=weekday,
        pulse_time=clock,
        timezone=timezone,
        questions_per_week=questions,
        threshold=threshold,
        digest_channel_id=None if digest == channel_id else digest,
        target=target,
        managers=managers,
        quarterly_review=form.quarterly_review is True,
    )


def apply_settings(
    *,
    db: Database,
    workspace_id: str,
    channel_id: str,
    user_id: str,
    form: SettingsForm,
    now: datetime,
) -> TeamSettings:
    """Check a manager's form and apply it, all or nothing.

    The manager is checked again here, not only when the modal opened: they may have been
    removed as a manager while it was open.
    """
    problems: dict[str, str] = {}
    try:
        wanted = check_form(form, channel_id=channel_id)
    except InvalidSettings as invalid:
        problems.update(invalid.problems)
    with db.transaction() as session:
        team = _managed(session, workspace_id, channel_id, user_id)
        members = {m.user_id for m in team_store.members_of(session, team.id) if m.in_channel}
        try:
            organisations = checked_assignment(form.organisations, members=members)
        except AssignmentProblems as wrong:
            problems.update(wrong.problems)
        if problems:
            raise InvalidSettings(problems)  # before any change: nothing is half-saved
        pulse, reminder, close = _moved_slots(team, wanted.pulse_weekday, wanted.pulse_time)
        team = team_store.change_settings(
            session,
            team.id,
            pulse=pulse,
            reminder=reminder,
            close=close,
            timezone=wanted.timezone,
            questions_per_week=wanted.questions_per_week,
            anonymity_threshold=wanted.threshold,
            digest_channel_id=wanted.digest_channel_id,
            target=wanted.target,
        )
        team = review_store.schedule_reviews(
            session, team.id, wanted=wanted.quarterly_review, now=now
        )
        team_store.replace_managers(session, team_id=team.id, user_ids=wanted.managers)
        organisation_store.replace_assignment(session, team.id, organisations)
        return _read(
            team,
            team_store.managers_of(session, team.id),
            organisation_store.assignment_of(session, team.id),
        )
