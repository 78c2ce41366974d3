"""The team settings modal: opened from /pulse setup, /pulse settings and App Home's
button; checked and saved when the manager submits it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks.ids import SETTINGS_VIEW, ActionId, SettingsField
from blocks.settings import (
    QUARTERLY_ON,
    settings_modal,
    settings_problem_view,
    settings_saved_view,
)
from handlers.context import HandlerContext
from handlers.home import publish_home
from handlers.payloads import modal_team, user_of, workspace_of
from services import settings as settings_service
from services.errors import PulseError
from services.settings import InvalidSettings, SettingsForm
from services.slack_ids import is_slack_id
from surveys.organisations import MAX_ORGANISATIONS, AssignmentSlot, slot_field

log = logging.getLogger(__name__)


def open_settings(
    ctx: HandlerContext,
    client: WebClient,
    *,
    trigger_id: str,
    workspace_id: str,
    channel_id: str,
    user_id: str,
) -> None:
    """Open the modal for one of the team's managers (PulseError for anyone else)."""
    current = settings_service.settings_for_manager(
        db=ctx.outbound.db, workspace_id=workspace_id, channel_id=channel_id, user_id=user_id
    )
    try:
        client.views_open(
            trigger_id=trigger_id, view=settings_modal(current, workspace_id=workspace_id)
        )
    except SlackApiError as error:
        log.warning("settings modal not opened: Slack said %s", error.response.get("error"))


def _element(values: dict[str, Any], field: SettingsField) -> dict[str, Any]:
    return _field(values, field.value)


def _text(values: dict[str, Any], field: SettingsField, key: str) -> str | None:
    value = _element(values, field).get(key)
    return value if isinstance(value, str) else None


def read_form(view: dict[str, Any]) -> SettingsForm:
    """The submitted values, as text and ids, whatever shape they arrived in."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, dict) else None
    values = values if isinstance(values, dict) else {}
    day = _element(values, SettingsField.PULSE_WEEKDAY).get("selected_option")
    users = _element(values, SettingsField.MANAGERS).get("selected_users")
    quarterly = _element(values, SettingsField.QUARTERLY_REVIEW).get("selected_options")
    return SettingsForm(
        pulse_weekday=day.get("value") if isinstance(day, dict) else None,
        pulse_time=_text(values, SettingsField.PULSE_TIME, "selected_time"),
        timezone=_text(values, SettingsField.TIMEZONE, "value"),
        questions_per_week=_text(values, SettingsField.QUESTIONS, "value"),
        threshold=_text(values, SettingsField.THRESHOLD, "value"),
        digest_channel_id=_text(values, SettingsField.DIGEST_CHANNEL, "selected_conversation"),
        target=_text(values, SettingsField.TARGET, "value"),
        managers=[u for u in users if isinstance(u, str)] if isinstance(users, list) else [],
        quarterly_review=isinstance(quarterly, list)
        and any(isinstance(o, dict) and o.get("value") == QUARTERLY_ON for o in quarterly),
        organisations=_organisation_slots(values),
    )


def _organisation_slots(values: dict[str, Any]) -> list[AssignmentSlot]:
    """The organisation slots the modal showed, as typed and picked."""
    slots = []
    for i in range(MAX_ORGANISATIONS):
        name_field = slot_field("name", i)
        if name_field not in values:
            continue
        users = _field(values, slot_field("people", i)).get("selected_users")
        slots.append(
            AssignmentSlot(
                name=_string(_field(values, name_field).get("value")),
                people=[u for u in users if isinstance(u, str)] if isinstance(users, list) else [],
                domains=_string(_field(values, slot_field("domains", i)).get("value")),
            )
        )
    return slots


def _field(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    block = values.get(block_id)
    element = block.get(block_id) if isinstance(block, dict) else None
    return element if isinstance(element, dict) else {}


def _string(value: object) -> str | None:
    return value if isinstance(value, str) else None


def submit(ctx: HandlerContext) -> Callable[..., None]:
    """Save the form, or show each wrong field's problem beside it; nothing is half-saved."""

    def listener(ack: Callable[..., None], body: dict[str, Any], view: dict[str, Any]) -> None:
        user_id = user_of(body)
        workspace, channel = modal_team(view)
        if not user_id or not channel or workspace != workspace_of(body):
            ack(response_action="update", view=settings_problem_view(PulseError.reply))
            return
        try:
            saved = settings_service.apply_settings(
                db=ctx.outbound.db,
                workspace_id=workspace,
                channel_id=channel,
                user_id=user_id,
                form=read_form(view),
                now=ctx.outbound.clock(),
            )
        except InvalidSettings as invalid:
            ack(response_action="errors", errors=invalid.problems)
            return
        except PulseError as error:
            ack(response_action="update", view=settings_problem_view(error.reply))
            return
        ack(response_action="update", view=settings_saved_view(saved))

    return listener


def open_from_home(ctx: HandlerContext) -> Callable[..., None]:
    """App Home's Settings button beside a team its manager sees.

    The button's value names a team, and a value can be altered: whether the caller manages
    that team is settled before anything opens. Anyone else gets their App Home redrawn as
    it truly is (without that team's button), with a line saying why, and no modal.
    """

    def listener(ack: Callable[..., None], body: dict[str, Any], client: WebClient) -> None:
        ack()
        actions = body.get("actions")
        action = actions[0] if isinstance(actions, list) and actions else {}
        channel = action.get("value") if isinstance(action, dict) else None
        user = body.get("user")
        user_id = user.get("id") if isinstance(user, dict) else None
        trigger_id = body.get("trigger_id")
        workspace = workspace_of(body)
        if not (is_slack_id(channel) and is_slack_id(user_id) and isinstance(trigger_id, str)):
            return
        try:
            current = settings_service.settings_for_manager(
                db=ctx.outbound.db, workspace_id=workspace, channel_id=channel, user_id=user_id
            )
        except PulseError as error:
            if workspace:
                _refuse_in_home(ctx, client, workspace, user_id, error.reply)
            return
        try:
            client.views_open(
                trigger_id=trigger_id, view=settings_modal(current, workspace_id=workspace)
            )
        except SlackApiError as error:
            log.warning("settings modal not opened: Slack said %s", error.response.get("error"))

    return listener


def _refuse_in_home(
    ctx: HandlerContext, client: WebClient, workspace: str, user_id: str, reply: str
) -> None:
    try:
        publish_home(ctx, client, workspace_id=workspace, user_id=user_id, notice=reply)
    except SlackApiError as error:
        log.warning("refusal not shown: Slack said %s", error.response.get("error"))


def register(app: App, ctx: HandlerContext) -> None:
    """Wire the settings modal and App Home's button."""
    app.view(SETTINGS_VIEW)(submit(ctx))
    app.action(ActionId.OPEN_SETTINGS.value)(open_from_home(ctx))
