"""The partnership review in Slack: `/pulse review [close]` for managers, and the clicks of
members answering it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from blocks.ids import REVIEW_ACTION, BadActionValue, decode_review_value
from blocks.replies import notice
from blocks.review import closed_review_message, review_prompt_message
from blocks.text import local_time, team_mention
from delivery.members import refresh_members
from delivery.redraws import Redraws
from delivery.reviews import Reviewer, redraw_closed_reviews, send_review_prompts, who_is
from handlers.context import HandlerContext
from handlers.parsing import ParsedCommand
from handlers.payloads import ephemeral_response_url
from services import review_reach as reach_service
from services import reviews as review_service
from services import teams as team_service
from services.errors import InvalidAnswer, PulseError
from surveys.review_format import reviews_csv

log = logging.getLogger(__name__)
MAX_ROW_ID = 2**31 - 1


def review_command(
    ctx: HandlerContext, parsed: ParsedCommand, *, channel: str, user: str, workspace: str
) -> dict[str, Any]:
    """Start the team's review and send its DMs, or close it and redraw them."""
    out = ctx.outbound
    if parsed.peer_id is not None:
        return _invite(ctx, peer_id=parsed.peer_id, channel=channel, user=user, workspace=workspace)
    if parsed.closing:
        closed = review_service.close_review(
            db=out.db, workspace_id=workspace, channel_id=channel, user_id=user, now=out.clock()
        )
        redraw_closed_reviews(out)
        return notice(
            f"The {closed.quarter} partnership review of <#{channel}> is closed: "
            f"{closed.responded} of {closed.invited} people answered. Each question's answers "
            "are shown where enough people answered it (`python bot.py review show`), and "
            "are in `/pulse export`."
        )
    team = team_service.team_for_manager(
        db=out.db, channel_id=channel, user_id=user, workspace_id=workspace
    )
    refresh_members(out, team)  # asked as the channel is now, as a round's sending does
    started = review_service.start_review(
        db=out.db, workspace_id=workspace, channel_id=channel, user_id=user, now=out.clock()
    )
    send_review_prompts(out)
    return notice(
        f"The {started.quarter} partnership review went to {started.invited} people in "
        f"<#{channel}>. It stays open until {local_time(started.closes_at)}, or until "
        f"`{ctx.command} review close`."
    )


PEER_REFUSALS = {
    Reviewer.UNKNOWN: "Slack doesn't know that person, so nobody was invited.",
    Reviewer.BOT: "That's an app, not a person: a peer reviewer must be someone who can answer.",
    Reviewer.DEACTIVATED: "That person's account is deactivated, so nobody was invited.",
}


PEER_REACH = {
    ("sent", "dm"): "They have the review by DM",
    ("sent", "ephemeral"): "They have the review in the channel (Slack refused a DM)",
    ("unreachable", "unreachable"): (
        "Slack lets the bot reach them neither by DM nor in the channel, so they cannot "
        "answer unless their workspace's admins allow the app to message them"
    ),
    ("skipped", None): "Slack says they cannot be messaged, so they cannot answer",
}
"""What the manager is told of how the peer reviewer's prompt went."""


def _invite(
    ctx: HandlerContext, *, peer_id: str, channel: str, user: str, workspace: str
) -> dict[str, Any]:
    """Invite a peer reviewer to the open review, once Slack says who they are and the
    channel's members are current (a member is a partner, never a peer)."""
    out = ctx.outbound
    team = team_service.team_for_manager(
        db=out.db, channel_id=channel, user_id=user, workspace_id=workspace
    )
    refresh_members(out, team)
    who = who_is(out, workspace_id=team.workspace_id, user_id=peer_id)
    if who is not Reviewer.PERSON:
        return notice(PEER_REFUSALS[who])
    review = review_service.invite_peer(
        db=out.db,
        workspace_id=workspace,
        channel_id=channel,
        user_id=user,
        peer_id=peer_id,
        now=out.clock(),
    )
    send_review_prompts(out)
    prompt = review_service.peer_prompt(db=out.db, review_id=review.id, peer_id=peer_id)
    how = PEER_REACH.get(
        (prompt.state, prompt.route) if prompt else ("", None),
        "Slack would not take their DM yet; it is tried again each minute",
    )
    return notice(
        f"<@{peer_id}> is invited to the {review.quarter} partnership review of <#{channel}> "
        f"as its peer reviewer. {how}, told that their answers are shown as the peer "
        "reviewer's view, apart from the partners' and never added to them."
    )


def review_export(ctx: HandlerContext, client: WebClient, *, dm: str, channel: str) -> None:
    """With the export: a CSV of every closed review of the team, if it has had one."""
    reviews = review_service.team_reviews(db=ctx.outbound.db, channel_id=channel)
    if reviews:
        client.files_upload_v2(
            channel=dm,
            content=reviews_csv(reviews).encode(),
            filename=f"partnership-pulse-{channel}-reviews.csv",
            title=f"Partnership reviews for #{channel}",
        )


@dataclass(frozen=True)
class _Redraw:
    prompt_id: int
    user_id: str
    client: WebClient
    # The click's response_url: the only way to redraw an in-channel (ephemeral) prompt.
    response_url: str | None = None


def _click(body: dict[str, Any]) -> tuple[str, Any]:
    user = body.get("user") or {}
    actions = body.get("actions") or [{}]
    return str(user.get("id", "")), actions[0].get("value")


def _tell(respond: Callable[..., Any], text: str) -> None:
    try:
        respond(response_type="ephemeral", replace_original=False, **notice(text))
    except Exception:
        log.warning("could not post an ephemeral reply to a review click")


def record(ctx: HandlerContext, redraws: Redraws[_Redraw]) -> Callable[..., None]:
    """Record a review answer, or say plainly why not; the redraw runs after the ack."""

    def listener(
        ack: Callable[..., None],
        body: dict[str, Any],
        respond: Callable[..., Any],
        client: WebClient,
    ) -> None:
        user_id, raw = _click(body)
        try:
            value = decode_review_value(raw)
            if value.prompt_id > MAX_ROW_ID:
                raise BadActionValue("no such prompt")
            review_service.record_answer(
                db=ctx.outbound.db,
                prompt_id=value.prompt_id,
                user_id=user_id,
                question_id=value.question_id,
                level=value.level,
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
        job = _Redraw(value.prompt_id, user_id, client, ephemeral_response_url(body))
        redraws.submit(value.prompt_id, job)

    return listener


def redraw(ctx: HandlerContext) -> Callable[[_Redraw], None]:
    """Show the member what they chose (or that the review has closed)."""

    def draw(job: _Redraw) -> None:
        db = ctx.outbound.db
        state = review_service.prompt_state(db=db, prompt_id=job.prompt_id)
        if state is None or state.prompt.user_id != job.user_id:
            return
        prompt, review = state.prompt, state.review
        if prompt.channel_id is None or prompt.message_ts is None:
            return
        if prompt.route == "ephemeral":
            _redraw_in_channel(ctx, job, state)
            return
        team = team_mention(review.channel_id, review.channel_name)
        closed = closed_review_message(quarter=review.quarter, team=team)
        if review.closed:
            job.client.chat_update(channel=prompt.channel_id, ts=prompt.message_ts, **closed)
            return
        message = review_prompt_message(
            prompt_id=prompt.id,
            quarter=review.quarter,
            answers=state.answers,
            closes_at=review.closes_at,
            threshold=review.threshold,
            team=team,
            peer=prompt.peer,
        )
        job.client.chat_update(channel=prompt.channel_id, ts=prompt.message_ts, **message)
        # A close that committed meanwhile may have redrawn it first: draw it closed again.
        after = review_service.prompt_state(db=db, prompt_id=job.prompt_id)
        if after is None or after.review.closed:
            job.client.chat_update(channel=prompt.channel_id, ts=prompt.message_ts, **closed)

    return draw


def _redraw_in_channel(
    ctx: HandlerContext, job: _Redraw, state: review_service.PromptState
) -> None:
    """Show the member their answers on their in-channel review prompt through the click's
    response_url, kept first so that they are hidden again in 20 minutes or at close
    (`delivery.review_views`)."""
    if job.response_url is None:
        return
    review = state.review
    team = team_mention(review.channel_id, review.channel_name)
    if review.closed or review.closes_at <= ctx.outbound.clock():
        message = closed_review_message(quarter=review.quarter, team=team)
    else:
        reach_service.remember_view(
            db=ctx.outbound.db,
            prompt_id=state.prompt.id,
            response_url=job.response_url,
            now=ctx.outbound.clock(),
        )
        message = review_prompt_message(
            prompt_id=state.prompt.id,
            quarter=review.quarter,
            answers=state.answers,
            closes_at=review.closes_at,
            threshold=review.threshold,
            team=team,
            peer=state.prompt.peer,
        )
    reply = WebhookClient(job.response_url).send(replace_original=True, **message)
    if reply.status_code != 200:
        log.warning("an in-channel review prompt was not redrawn: Slack said %s", reply.status_code)


def register(app: App, ctx: HandlerContext) -> None:
    """Wire the review's buttons."""
    redraws: Redraws[_Redraw] = Redraws(redraw(ctx))
    app.action(REVIEW_ACTION)(record(ctx, redraws))
