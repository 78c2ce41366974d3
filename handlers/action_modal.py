"""Agreed actions in Slack: the modal (from /pulse action or the digest's button), its
submission, a manager's Done / Drop buttons, and the owner's Done / Not yet."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, Literal

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks.actions import (
    action_agreed_view,
    action_modal,
    action_problem_view,
    review_answered_message,
    team_name,
)
from blocks.ids import ACTION_VIEW, ActionField, ActionId
from blocks.replies import notice
from delivery.actions import tell_owners
from handlers.context import HandlerContext
from handlers.home import publish_home
from handlers.payloads import modal_team, user_of, workspace_of
from services import actions as action_service
from services.actions import ActionForm, InvalidAction
from services.errors import PulseError
from surveys.actions import OwnerReport

log = logging.getLogger(__name__)
_ACTION_ID = re.compile(r"^[1-9][0-9]{0,11}$")
_AGREE_VALUE = re.compile(r"^([CG][A-Z0-9]{1,31}):([a-z0-9-]{0,120})$")
BAD_BUTTON = "That button didn't come from an action I know, so nothing was changed."


def open_action_modal(
    ctx: HandlerContext,
    client: WebClient,
    *,
    trigger_id: str,
    workspace_id: str,
    channel_id: str,
    user_id: str,
    behaviour_id: str | None = None,
) -> None:
    """Open the modal for one of the team's managers (PulseError for anyone else)."""
    start = action_service.modal_start(
        db=ctx.outbound.db,
        workspace_id=workspace_id,
        channel_id=channel_id,
        user_id=user_id,
        behaviour_id=behaviour_id,
        now=ctx.outbound.clock(),
    )
    try:
        client.views_open(
            trigger_id=trigger_id,
            view=action_modal(
                workspace_id=start.workspace_id,
                channel_id=start.channel_id,
                behaviour_id=start.behaviour_id,
                review_weeks=start.review_weeks,
            ),
        )
    except SlackApiError as error:
        log.warning("action modal not opened: Slack said %s", error.response.get("error"))


def _element(values: dict[str, Any], field: ActionField) -> dict[str, Any]:
    block = values.get(field.value)
    element = block.get(field.value) if isinstance(block, dict) else None
    return element if isinstance(element, dict) else {}


def _chosen(values: dict[str, Any], field: ActionField) -> str | None:
    option = _element(values, field).get("selected_option")
    value = option.get("value") if isinstance(option, dict) else None
    return value if isinstance(value, str) else None


def read_form(view: dict[str, Any]) -> ActionForm:
    """The submitted values, as text and ids, whatever shape they arrived in."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, dict) else None
    values = values if isinstance(values, dict) else {}
    words = _element(values, ActionField.OWN_WORDS).get("value")
    owner = _element(values, ActionField.OWNER).get("selected_user")
    return ActionForm(
        behaviour_id=_chosen(values, ActionField.BEHAVIOUR),
        suggestion=_chosen(values, ActionField.SUGGESTION),
        own_words=words if isinstance(words, str) else None,
        owner=owner if isinstance(owner, str) else None,
        review_week=_chosen(values, ActionField.REVIEW_WEEK),
    )


def submit(ctx: HandlerContext) -> Callable[..., None]:
    """Store the action, or show each wrong field's problem beside it."""

    def listener(ack: Callable[..., None], body: dict[str, Any], view: dict[str, Any]) -> None:
        user_id = user_of(body)
        workspace, channel = modal_team(view)
        if not user_id or not channel or workspace != workspace_of(body):
            ack(response_action="update", view=action_problem_view(PulseError.reply))
            return
        try:
            agreed = action_service.agree_action(
                db=ctx.outbound.db,
                workspace_id=workspace,
                channel_id=channel,
                user_id=user_id,
                form=read_form(view),
                now=ctx.outbound.clock(),
            )
        except InvalidAction as invalid:
            ack(response_action="errors", errors=invalid.problems)
            return
        except PulseError as error:
            ack(response_action="update", view=action_problem_view(error.reply))
            return
        ack(response_action="update", view=action_agreed_view(agreed.action, channel))

    return listener


def tell(ctx: HandlerContext) -> Callable[..., None]:
    """After the modal has closed: DM the new action's owner."""

    def listener() -> None:
        tell_owners(ctx.outbound)

    return listener


def _click(body: dict[str, Any]) -> tuple[str, str, Any]:
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else {}
    value = action.get("value") if isinstance(action, dict) else None
    return user_of(body), workspace_of(body), value


def _say(respond: Callable[..., Any], text: str) -> None:
    try:
        respond(response_type="ephemeral", replace_original=False, **notice(text))
    except Exception:
        log.warning("could not post an ephemeral reply to a click")


def open_from_digest(ctx: HandlerContext) -> Callable[..., None]:
    """The digest's "Agree an action": the modal, with the digest's focus behaviour."""

    def listener(
        ack: Callable[..., None], body: dict[str, Any], client: WebClient, respond: Any
    ) -> None:
        ack()
        user_id, workspace, value = _click(body)
        match = _AGREE_VALUE.fullmatch(value) if isinstance(value, str) else None
        trigger_id = body.get("trigger_id")
        if not (match and user_id and workspace and isinstance(trigger_id, str)):
            _say(respond, BAD_BUTTON)
            return
        try:
            open_action_modal(
                ctx,
                client,
                trigger_id=trigger_id,
                workspace_id=workspace,
                channel_id=match.group(1),
                user_id=user_id,
                behaviour_id=match.group(2) or None,
            )
        except PulseError as error:
            _say(respond, error.reply)

    return listener


def close(ctx: HandlerContext, status: Literal["done", "dropped"]) -> Callable[..., None]:
    """A manager's Done / Drop, in the digest or App Home."""

    def listener(
        ack: Callable[..., None], body: dict[str, Any], client: WebClient, respond: Any
    ) -> None:
        ack()
        user_id, workspace, value = _click(body)
        if not (user_id and workspace and isinstance(value, str) and _ACTION_ID.match(value)):
            _say(respond, BAD_BUTTON)
            return
        try:
            closed = action_service.close_action(
                db=ctx.outbound.db,
                workspace_id=workspace,
                user_id=user_id,
                action_id=int(value),
                status=status,
                now=ctx.outbound.clock(),
            )
        except PulseError as error:
            _say(respond, error.reply)
            return
        _say(respond, f"Marked {status}: {closed.action.text}")
        _refresh_home(ctx, body, client, workspace, user_id)

    return listener


def _refresh_home(
    ctx: HandlerContext, body: dict[str, Any], client: WebClient, workspace: str, user_id: str
) -> None:
    container = body.get("container")
    if not (isinstance(container, dict) and container.get("type") == "view"):
        return
    try:
        publish_home(ctx, client, workspace_id=workspace, user_id=user_id)
    except SlackApiError as error:
        log.warning("App Home not refreshed: Slack said %s", error.response.get("error"))


def owner_answer(ctx: HandlerContext, report: OwnerReport) -> Callable[..., None]:
    """The owner's Done / Not yet in their review-week DM."""

    def listener(
        ack: Callable[..., None], body: dict[str, Any], client: WebClient, respond: Any
    ) -> None:
        ack()
        user_id, workspace, value = _click(body)
        if not (user_id and workspace and isinstance(value, str) and _ACTION_ID.match(value)):
            _say(respond, BAD_BUTTON)
            return
        try:
            answered = action_service.report_by_owner(
                db=ctx.outbound.db,
                workspace_id=workspace,
                user_id=user_id,
                action_id=int(value),
                report=report,
            )
        except PulseError as error:
            _say(respond, error.reply)
            return
        container = body.get("container")
        channel = container.get("channel_id") if isinstance(container, dict) else None
        ts = container.get("message_ts") if isinstance(container, dict) else None
        if isinstance(channel, str) and isinstance(ts, str):
            message = review_answered_message(
                answered.action, team=team_name(answered.channel_id, answered.channel_name)
            )
            try:
                client.chat_update(channel=channel, ts=ts, **message)
            except SlackApiError as error:
                log.warning("review DM not redrawn: Slack said %s", error.response.get("error"))

    return listener


def register(app: App, ctx: HandlerContext) -> None:
    """Wire the action modal and its buttons."""
    app.view(ACTION_VIEW)(ack=submit(ctx), lazy=[tell(ctx)])
    app.action(ActionId.AGREE_ACTION.value)(open_from_digest(ctx))
    app.action(ActionId.ACTION_DONE.value)(close(ctx, "done"))
    app.action(ActionId.ACTION_DROP.value)(close(ctx, "dropped"))
    app.action(ActionId.OWNER_DONE.value)(owner_answer(ctx, "done"))
    app.action(ActionId.OWNER_NOT_YET.value)(owner_answer(ctx, "not_yet"))
