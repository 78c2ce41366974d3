"""Every action and block id the bot uses, in one place, so handlers and builders agree."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum

ANSWER_ACTION = re.compile(r"^answer-(?:[1-5]|skip)$")
SKIP = "skip"
REVIEW_ACTION = re.compile(r"^review-(?:[1-4]|dk)$")
DONT_KNOW = "dk"


class ActionId(StrEnum):
    """Buttons other than the scale."""

    OPT_OUT = "home-opt-out"
    OPT_IN = "home-opt-in"
    OPEN_SETTINGS = "home-open-settings"
    AGREE_ACTION = "action-agree"
    ACTION_DONE = "action-done"
    ACTION_DROP = "action-drop"
    OWNER_DONE = "action-owner-done"
    OWNER_NOT_YET = "action-owner-not-yet"


# The callback id of the team settings modal.
SETTINGS_VIEW = "team-settings"
# The callback id of the modal a manager agrees an action in.
ACTION_VIEW = "agreed-action"


class ActionField(StrEnum):
    """The action modal's inputs: block id and action id of each, and the key of its
    problem when the form is refused."""

    BEHAVIOUR = "behaviour"
    SUGGESTION = "suggestion"
    OWN_WORDS = "own_words"
    OWNER = "owner"
    REVIEW_WEEK = "review_week"


class SettingsField(StrEnum):
    """The settings modal's inputs: each is the block id and the action id of one field,
    and the key of its problem when the form is refused."""

    PULSE_WEEKDAY = "pulse_weekday"
    PULSE_TIME = "pulse_time"
    TIMEZONE = "timezone"
    QUESTIONS = "questions_per_week"
    THRESHOLD = "threshold"
    DIGEST_CHANNEL = "digest_channel_id"
    TARGET = "target"
    MANAGERS = "managers"
    QUARTERLY_REVIEW = "quarterly_review"


def answer_action_id(point: int | None) -> str:
    """The action id of a scale button (or of "didn't come up")."""
    return f"answer-{SKIP if point is None else point}"


def question_block_id(prompt_id: int, behaviour_id: str) -> str:
    """The actions block of one question (unique even when App Home shows two prompts)."""
    return f"q:{prompt_id}:{behaviour_id}"


@dataclass(frozen=True)
class AnswerValue:
    """What a scale button carries: which prompt, which question, which point."""

    prompt_id: int
    behaviour_id: str
    point: int | None

    def encode(self) -> str:
        """As the button's ``value``."""
        return self.encode_parts(self.prompt_id, self.behaviour_id, self.point)

    @staticmethod
    def encode_parts(prompt_id: int, behaviour_id: str, point: int | None) -> str:
        """A button's ``value`` without building the value first (a fan-out makes many)."""
        return f"{prompt_id}:{behaviour_id}:{SKIP if point is None else point}"


class BadActionValue(ValueError):
    """A button value that was not made by the bot (or was altered on the way)."""


def decode_answer_value(value: object) -> AnswerValue:
    """Parse a scale button's value strictly; anything odd is refused."""
    if not isinstance(value, str):
        raise BadActionValue("value is not text")
    match = re.fullmatch(r"(\d{1,12}):([a-z0-9-]{1,120}):([1-5]|skip)", value)
    if not match:
        raise BadActionValue("value is not a pulse answer")
    raw_point = match.group(3)
    return AnswerValue(
        prompt_id=int(match.group(1)),
        behaviour_id=match.group(2),
        point=None if raw_point == SKIP else int(raw_point),
    )


def review_action_id(level: int | None) -> str:
    """The action id of a review level button (or of "don't know")."""
    return f"review-{DONT_KNOW if level is None else level}"


def review_block_id(prompt_id: int, question_id: str) -> str:
    """The actions block of one review question."""
    return f"rq:{prompt_id}:{question_id}"


@dataclass(frozen=True)
class ReviewValue:
    """What a review button carries: which review DM, which question, which level."""

    prompt_id: int
    question_id: str
    level: int | None

    def encode(self) -> str:
        """As the button's ``value``."""
        level = DONT_KNOW if self.level is None else str(self.level)
        return f"{self.prompt_id}:{self.question_id}:{level}"


def decode_review_value(value: object) -> ReviewValue:
    """Parse a review button's value strictly; anything odd is refused."""
    if not isinstance(value, str):
        raise BadActionValue("value is not text")
    match = re.fullmatch(r"(\d{1,12}):([a-z0-9-]{1,64}):([1-4]|dk)", value)
    if not match:
        raise BadActionValue("value is not a review answer")
    raw = match.group(3)
    return ReviewValue(
        prompt_id=int(match.group(1)),
        question_id=match.group(2),
        level=None if raw == DONT_KNOW else int(raw),
    )


def team_metadata(*, workspace_id: str, channel_id: str) -> str:
    """What a team's modal carries back on submission: which team it is about (read back
    by `handlers.payloads.modal_team`)."""
    return json.dumps({"workspace": workspace_id, "team": channel_id})
