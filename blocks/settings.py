"""The team settings modal, and the view that confirms a save."""

from __future__ import annotations

from typing import Any

from blocks.ids import SETTINGS_VIEW, SettingsField, team_metadata
from blocks.text import context, escape, section
from services.settings import MAX_MANAGERS, MAX_QUESTIONS, MAX_THRESHOLD, TeamSettings
from surveys.anonymity import MINIMUM_THRESHOLD
from surveys.organisations import MAX_NAME, MAX_ORGANISATIONS, slot_field
from surveys.schedule import WEEKDAYS


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _input(
    field: SettingsField,
    label: str,
    element: dict[str, Any],
    *,
    hint: str | None = None,
    optional: bool = False,
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": field.value,
        "label": _plain(label),
        "element": {**element, "action_id": field.value},
        "optional": optional,
    }
    if hint:
        block["hint"] = _plain(hint)
    return block


def _day_option(weekday: int) -> dict[str, Any]:
    return {"text": _plain(WEEKDAYS[weekday].capitalize()), "value": str(weekday)}


def _number(value: float | int) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


QUARTERLY_ON = "on"


def _quarterly_review(on: bool) -> dict[str, Any]:
    option = {
        "text": _plain("Start the partnership review by itself each quarter"),
        "value": QUARTERLY_ON,
    }
    element: dict[str, Any] = {"type": "checkboxes", "options": [option]}
    if on:
        element["initial_options"] = [option]
    return _input(
        SettingsField.QUARTERLY_REVIEW,
        "Quarterly review",
        element,
        hint="At the pulse day and time in each quarter's first full week, unless the "
        "quarter has had its review. Or start it any time with /pulse review.",
        optional=True,
    )


def settings_modal(settings: TeamSettings, *, workspace_id: str) -> dict[str, Any]:
    """The modal a manager changes a team's settings in, filled in with the current ones."""
    target: dict[str, Any] = {
        "type": "number_input",
        "is_decimal_allowed": True,
        "min_value": "-1",
        "max_value": "1",
    }
    if settings.target is not None:
        target["initial_value"] = _number(round(settings.target, 2))
    blocks = [
        section(f"Settings for <#{settings.channel_id}>"),
        _input(
            SettingsField.PULSE_WEEKDAY,
            "Pulse day",
            {
                "type": "static_select",
                "options": [_day_option(day) for day in range(7)],
                "initial_option": _day_option(settings.pulse_weekday),
            },
        ),
        _input(
            SettingsField.PULSE_TIME,
            "Pulse time",
            {"type": "timepicker", "initial_time": settings.pulse_time},
            hint="In each member's own time zone. The reminder and the close move with it.",
        ),
        _input(
            SettingsField.TIMEZONE,
            "Time zone if a member has none",
            {"type": "plain_text_input", "initial_value": settings.timezone, "max_length": 64},
            hint="A name like Europe/London. Also the zone the round closes in.",
        ),
        _input(
            SettingsField.QUESTIONS,
            "Questions per week",
            {
                "type": "number_input",
                "is_decimal_allowed": False,
                "initial_value": str(settings.questions_per_week),
                "min_value": "1",
                "max_value": str(MAX_QUESTIONS),
            },
            hint=f"From 1 to {MAX_QUESTIONS}. With 3, every behaviour comes round in 13 weeks.",
        ),
        _input(
            SettingsField.THRESHOLD,
            "Anonymity threshold",
            {
                "type": "number_input",
                "is_decimal_allowed": False,
                "initial_value": str(settings.threshold),
                "min_value": str(MINIMUM_THRESHOLD),
                "max_value": str(MAX_THRESHOLD),
            },
            hint=f"Figures from fewer people are never shown. Never below {MINIMUM_THRESHOLD}.",
        ),
        _input(
            SettingsField.DIGEST_CHANNEL,
            "Digest channel",
            {
                "type": "conversations_select",
                "initial_conversation": settings.digest_channel_id or settings.channel_id,
                "filter": {"include": ["public", "private"], "exclude_bot_users": True},
            },
            hint="Where the weekly digest is posted. Invite the app to that channel first.",
        ),
        _input(
            SettingsField.TARGET,
            "Target index (optional)",
            target,
            hint='From -1 (all "them") to +1 (all "us"): where the team aims to get to.',
            optional=True,
        ),
        _input(
            SettingsField.MANAGERS,
            "Managers",
            {
                "type": "multi_users_select",
                "initial_users": list(settings.managers),
                "max_selected_items": MAX_MANAGERS,
            },
            hint="Managers see summaries and exports, send rounds and change these settings.",
        ),
        _quarterly_review(settings.quarterly_review),
        *organisation_inputs(settings),
        context("Changes take effect at the team's next round; an open round carries on as is."),
    ]
    return {
        "type": "modal",
        "callback_id": SETTINGS_VIEW,
        "title": _plain("Team settings"),
        "submit": _plain("Save"),
        "close": _plain("Cancel"),
        "private_metadata": team_metadata(
            workspace_id=workspace_id, channel_id=settings.channel_id
        ),
        "blocks": blocks,
    }


def _block(block_id: str, label: str, element: dict[str, Any], hint: str | None) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "element": {**element, "action_id": block_id},
        "optional": True,
    }
    if hint:
        block["hint"] = _plain(hint)
    return block


def organisation_inputs(settings: TeamSettings) -> list[dict[str, Any]]:
    """One slot per organisation the manager named, and room for more (up to
    MAX_ORGANISATIONS): a name, the people in it, the email domains in it."""
    named = list(settings.organisations)
    slots = min(MAX_ORGANISATIONS, max(4, len(named) + 1))
    blocks: list[dict[str, Any]] = [
        section(
            "*Partner organisations* (optional). Members count in the organisation you "
            "assign them to here, by person or by email domain; otherwise in their own "
            "Slack workspace."
        )
    ]
    for i in range(slots):
        organisation = named[i] if i < len(named) else None
        name: dict[str, Any] = {"type": "plain_text_input", "max_length": MAX_NAME}
        people: dict[str, Any] = {"type": "multi_users_select"}
        domains: dict[str, Any] = {"type": "plain_text_input", "max_length": 500}
        if organisation is not None:
            name["initial_value"] = organisation.name
            if organisation.people:
                people["initial_users"] = list(organisation.people)
            if organisation.domains:
                domains["initial_value"] = ", ".join(organisation.domains)
        first = i == 0
        blocks += [
            _block(slot_field("name", i), f"Organisation {i + 1}", name,
                   "e.g. Leeds City Council" if first else None),
            _block(slot_field("people", i), f"People in organisation {i + 1}", people, None),
            _block(slot_field("domains", i), f"Email domains of organisation {i + 1}", domains,
                   "e.g. leeds.gov.uk, separated by commas" if first else None),
        ]  # fmt: skip
    return blocks


def _organisations_line(settings: TeamSettings) -> str:
    if not settings.organisations:
        return "• Organisations: each member's own workspace"
    parts = []
    for o in settings.organisations:
        who = [f"<@{u}>" for u in o.people] + [escape(d) for d in o.domains]
        parts.append(f"{escape(o.name)} ({', '.join(who) or 'nobody assigned yet'})")
    return "• Organisations: " + "; ".join(parts)


def settings_saved_view(settings: TeamSettings) -> dict[str, Any]:
    """What the modal turns into once the settings are saved."""
    day = WEEKDAYS[settings.pulse_weekday].capitalize()
    target = "none" if settings.target is None else f"{settings.target:+.2f}"
    digest = settings.digest_channel_id or settings.channel_id
    managers = ", ".join(f"<@{user}>" for user in settings.managers)
    lines = [
        f"*Saved.* The settings for <#{settings.channel_id}> now are:",
        f"• Pulse: {day}s at {settings.pulse_time} (time zone if a member has none: "
        f"{escape(settings.timezone)})",
        f"• Questions per week: {settings.questions_per_week}",
        f"• Anonymity threshold: {settings.threshold} people",
        f"• Digest channel: <#{digest}>",
        f"• Target index: {target}",
        f"• Managers: {managers}",
        "• Quarterly review: "
        + (
            "starts by itself in each quarter's first full week"
            if settings.quarterly_review
            else "started by hand (`/pulse review`)"
        ),
        _organisations_line(settings),
    ]
    return {
        "type": "modal",
        "callback_id": SETTINGS_VIEW,
        "title": _plain("Team settings"),
        "close": _plain("Done"),
        "blocks": [
            section("\n".join(lines)),
            context("Changes take effect at the team's next round."),
        ],
    }


def settings_problem_view(text: str) -> dict[str, Any]:
    """A modal that says why the settings could not be opened or saved."""
    return {
        "type": "modal",
        "callback_id": SETTINGS_VIEW,
        "title": _plain("Team settings"),
        "close": _plain("Close"),
        "blocks": [section(escape(text))],
    }
