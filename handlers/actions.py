"""Button clicks: answers to a pulse, and App Home's opt-out switch."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from blocks.ids import (
    ANSWER_ACTION,
    ActionId,
    AnswerValue,
    BadActionValue,
    decode_answer_value,
)
from blocks.prompt import closed_prompt_message, prompt_message
from blocks.replies import notice
from blocks.text import team_mention
from delivery.redraws import Redraws
from handlers.context import HandlerContext
from handlers.home import publish_home
from handlers.payloads import ephemeral_response_url, workspace_of
from services import answers as answer_service
from services import ephemeral_views as view_service
from services import teams as team_service
from services.answers import PromptState
from services.errors import InvalidAnswer, PulseError

log = logging.getLogger(__name__)
MAX_ROW_ID = 2**31 - 1  # the largest key an INTEGER column holds on PostgreSQL


def _click(body: dict[str, Any]) -> tuple[str, Any]:
    user = body.get("user") or {}
    actions = body.get("actions") or [{}]
    return str(user.get("id", "")), actions[0].get("value")


def _answer_value(raw: Any) -> AnswerValue:
    """The button's value, refused when it names a prompt no table could hold."""
    value = decode_answer_value(raw)
    if value.prompt_id > MAX_ROW_ID:
        raise BadActionValue("no such prompt")
    return value


def _from_home(body: dict[str, Any]) -> bool:
    container = body.get("container")
    return isinstance(container, dict) and container.get("type") == "view"


@dataclass(frozen=True)
class _Redraw:
    """A recorded click whose message should now show it."""

    prompt_id: int
    user_id: str
    workspace_id: str
    from_home: bool
    client: WebClient
    # The click's response_url: the only way to redraw a prompt that is an ephemeral
    # message in the team channel (Slack refused the member a DM).
    response_url: str | None = None


def record(ctx: HandlerContext, redraws: Redraws[_Redraw]) -> Callable[..., None]:
    """Record the answer, or tell the member plainly why it wasn't recorded; then ack, and
    leave the redraw to the background so the click is answered at once."""

    def listener(
        ack: Callable[..., None],
        body: dict[str, Any],
        respond: Callable[..., Any],
        client: WebClient,
    ) -> None:
        user_id, raw_value = _click(body)
        try:
            value = _answer_value(raw_value)
            answer_service.record_answer(
                db=ctx.outbound.db,
                prompt_id=value.prompt_id,
                user_id=user_id,
                behaviour_id=value.behaviour_id,
                point=value.point,
                now=ctx.outbound.clock(),
            )
        except BadActionValue:
            ack()
            _tell(respond, InvalidAnswer.reply)
            return
        except PulseError as error:
            ack()
            _tell(respond, error.reply)
            return
        ack()
        job = _Redraw(
            value.prompt_id,
            user_id,
            workspace_of(body),
            _from_home(body),
            client,
            ephemeral_response_url(body),
        )
        redraws.submit(value.prompt_id, job)

    return listener


def _tell(respond: Callable[..., Any], text: str) -> None:
    try:
        respond(response_type="ephemeral", replace_original=False, **notice(text))
    except Exception:
        log.warning("could not post an ephemeral reply to a click")


def redraw(ctx: HandlerContext) -> Callable[[_Redraw], None]:
    """Show the member what they chose (or that the pulse has closed)."""

    def draw(job: _Redraw) -> None:
        state = answer_service.prompt_state(db=ctx.outbound.db, prompt_id=job.prompt_id)
        if state is None or state.user_id != job.user_id:
            return
        if job.from_home:
            publish_home(ctx, job.client, workspace_id=job.workspace_id, user_id=job.user_id)
        if state.channel_id is None or state.message_ts is None:
            return
        if state.route == "ephemeral":
            _redraw_ephemeral(ctx, job, state)
            return
        team = team_mention(state.round.channel_id, state.round.channel_name)
        closed = partial(closed_prompt_message, week=state.round.week, team=team)
        if state.round.closed or state.round.closes_at <= ctx.outbound.clock():
            job.client.chat_update(channel=state.channel_id, ts=state.message_ts, **closed())
            return
        message = prompt_message(
            prompt_id=state.prompt_id,
            week=state.round.week,
            behaviour_ids=state.round.behaviour_ids,
            answers=state.answers,
            closes_at=state.round.closes_at,
            threshold=state.round.threshold,
            team=team,
        )
        job.client.chat_update(channel=state.channel_id, ts=state.message_ts, **message)
        # A close that committed while this was drawn may have redrawn the message first;
        # drawing it closed again leaves the answers shown nowhere.
        if answer_service.closed_since(db=ctx.outbound.db, prompt_id=job.prompt_id):
            job.client.chat_update(channel=state.channel_id, ts=state.message_ts, **closed())

    return draw


def _redraw_ephemeral(ctx: HandlerContext, job: _Redraw, state: PromptState) -> None:
    """Show the member their choice on their in-channel prompt through the click's
    response_url, kept first so that the choice is hidden again later (after 20 minutes,
    or when the round closes: `delivery.ephemeral_views`)."""
    if job.response_url is None:
        return
    team = team_mention(state.round.channel_id, state.round.channel_name)
    if state.round.closed or state.round.closes_at <= ctx.outbound.clock():
        message = closed_prompt_message(week=state.round.week, team=team)
    else:
        replaced = view_service.remember_view(
            db=ctx.outbound.db,
            prompt_id=state.prompt_id,
            response_url=job.response_url,
            now=ctx.outbound.clock(),
        )
        drawn = partial(
            prompt_message,
            prompt_id=state.prompt_id,
            week=state.round.week,
            behaviour_ids=state.round.behaviour_ids,
            closes_at=state.round.closes_at,
            threshold=state.round.threshold,
            team=team,
        )
        if replaced is not None:  # perhaps another message of the prompt: hide it first
            WebhookClient(replaced).send(replace_original=True, **drawn(answers={}))
        message = drawn(answers=state.answers)
    reply = WebhookClient(job.response_url).send(replace_original=True, **message)
    if reply.status_code != 200:
        log.warning("an in-channel prompt was not redrawn: Slack answered %s", reply.status_code)


def toggle_opt_out(ctx: HandlerContext, *, opted_out: bool) -> Callable[..., None]:
    """App Home's pause/resume button."""

    def listener(ack: Callable[..., None], body: dict[str, Any], client: WebClient) -> None:
        ack()
        user_id, _ = _click(body)
        workspace = workspace_of(body)
        if not workspace:
            return
        team_service.set_opt_out(
            db=ctx.outbound.db, workspace_id=workspace, user_id=user_id, opted_out=opted_out
        )
        try:
            publish_home(ctx, client, workspace_id=workspace, user_id=user_id)
        except SlackApiError as error:
            log.warning("App Home not refreshed: Slack said %s", error.response.get("error"))

    return listener


def register(app: App, ctx: HandlerContext) -> None:
    """Wire the buttons."""
    redraws: Redraws[_Redraw] = Redraws(redraw(ctx))
    app.action(ANSWER_ACTION)(record(ctx, redraws))
    app.action(ActionId.OPT_OUT.value)(toggle_opt_out(ctx, opted_out=True))
    app.action(ActionId.OPT_IN.value)(toggle_opt_out(ctx, opted_out=False))
