"""/pulse: quick subcommands answer in the ack; slow ones ack at once and reply later."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks.replies import (
    digest_posted,
    export_sent,
    first_round_open_message,
    member_forgotten,
    nothing_published,
    nothing_to_digest,
    notice,
    on_it,
    opening_action,
    opening_review,
    opening_settings,
    prompts_paused,
    pulse_sent,
    slack_refused,
    story_summary_message,
    target_set,
    team_set_up,
    usage,
    went_wrong,
)
from delivery.digests import close_and_post
from delivery.members import refresh_members
from delivery.rounds import open_and_send
from handlers.action_modal import open_action_modal
from handlers.context import HandlerContext
from handlers.parsing import CommandProblem, ParsedCommand, parse_command
from handlers.report import report_command
from handlers.review import review_command, review_export
from handlers.settings import open_settings
from services import actions as action_service
from services import digests as digest_service
from services import privacy as privacy_service
from services import teams as team_service
from services.errors import NotAManager, NotInAChannel, PulseError, TeamNotFound
from surveys.action_export import export_actions_csv
from surveys.export import export_csv
from surveys.story import tell_story
from surveys.weeks import week_of

log = logging.getLogger(__name__)
SLOW = frozenset({"summary", "send", "digest", "export", "review", "report"})
"""Subcommands that call Slack or build digests: acked at once, answered later."""


def _is_channel(channel_id: str) -> bool:
    return channel_id[:1] in {"C", "G"}


def _team_channel(ctx: HandlerContext, body: dict[str, Any], parsed: ParsedCommand) -> str:
    """The team a manager command is about: the named channel, else the current one, else
    the only team the caller manages."""
    if parsed.channel_id:
        return parsed.channel_id
    if _is_channel(body["channel_id"]):
        return str(body["channel_id"])
    managed = team_service.managed_teams(
        db=ctx.outbound.db, workspace_id=body["team_id"], user_id=body["user_id"]
    )
    if len(managed) == 1:
        return managed[0].channel_id
    raise NotInAChannel()


Reply = dict[str, Any]
Subcommand = Callable[[HandlerContext, dict[str, Any], ParsedCommand], Reply]
"""One subcommand: the context, the slash command's payload and its parsed text, to a reply."""


def _help(ctx: HandlerContext, body: dict[str, Any], parsed: ParsedCommand) -> Reply:
    return usage(ctx.command)


def _setup(ctx: HandlerContext, body: dict[str, Any], parsed: ParsedCommand) -> Reply:
    if not _is_channel(body["channel_id"]):
        raise NotInAChannel("Run `/pulse setup` in the channel that should become the team.")
    result = team_service.setup_team(
        db=ctx.outbound.db,
        workspace_id=body["team_id"],
        channel_id=body["channel_id"],
        user_id=body["user_id"],
        now=ctx.outbound.clock(),
    )
    return team_set_up(ctx.command, created=result.created, adopted=result.adopted)


def _opt(opted_out: bool) -> Subcommand:
    def reply(ctx: HandlerContext, body: dict[str, Any], parsed: ParsedCommand) -> Reply:
        team_service.set_opt_out(
            db=ctx.outbound.db,
            workspace_id=body["team_id"],
            user_id=body["user_id"],
            opted_out=opted_out,
        )
        return prompts_paused(opted_out)

    return reply


def _forget_me(ctx: HandlerContext, body: dict[str, Any], parsed: ParsedCommand) -> Reply:
    privacy_service.forget_member(
        db=ctx.outbound.db,
        workspace_id=body["team_id"],
        user_id=body["user_id"],
        marking_secret=ctx.outbound.marking_secret,
    )
    return member_forgotten()


def _target(ctx: HandlerContext, body: dict[str, Any], parsed: ParsedCommand) -> Reply:
    assert parsed.target is not None
    team_service.set_target(
        db=ctx.outbound.db,
        channel_id=_team_channel(ctx, body, parsed),
        user_id=body["user_id"],
        target=parsed.target,
        workspace_id=body["team_id"],
    )
    return target_set(parsed.target)


def _for_managers(reply: Callable[[str], Reply]) -> Subcommand:
    """A subcommand whose work comes after the ack: here only the caller is checked to manage
    the team, so a refusal is said at once."""

    def check(ctx: HandlerContext, body: dict[str, Any], parsed: ParsedCommand) -> Reply:
        channel = _team_channel(ctx, body, parsed)
        team_service.team_for_manager(
            db=ctx.outbound.db,
            channel_id=channel,
            user_id=body["user_id"],
            workspace_id=body["team_id"],
        )
        return reply(channel)

    return check


def _reviewing(ctx: HandlerContext, body: dict[str, Any], parsed: ParsedCommand) -> Reply:
    """Managers only, said at once; the review starts or closes after the ack."""
    return _for_managers(
        lambda channel: opening_review(channel, closing=parsed.closing, peer_id=parsed.peer_id)
    )(ctx, body, parsed)


QUICK: dict[str, Subcommand] = {
    "help": _help,
    "setup": _setup,
    "optout": _opt(True),
    "optin": _opt(False),
    "forget-me": _forget_me,
    "target": _target,
    "settings": _for_managers(opening_settings),
    "action": _for_managers(opening_action),
    **{name: _for_managers(lambda channel: on_it()) for name in SLOW},
    "review": _reviewing,
}
"""What each subcommand answers in the ack (every subcommand the parser knows is here)."""


def acknowledge(ctx: HandlerContext) -> Callable[..., None]:
    """The ack-time listener: every reply that needs no Slack call is given right here."""

    def listener(ack: Callable[..., None], body: dict[str, Any]) -> None:
        try:
            parsed = parse_command(body.get("text", ""))
            reply = QUICK[parsed.name](ctx, body, parsed)
        except CommandProblem as problem:
            reply = usage(ctx.command, problem=str(problem))
        except PulseError as error:
            reply = notice(error.reply)
        ack(response_type="ephemeral", **reply)

    return listener


def _summary(
    ctx: HandlerContext, channel: str, body: dict[str, Any], parsed: ParsedCommand
) -> Reply:
    db = ctx.outbound.db
    bundles = digest_service.recent_digests(db=db, channel_id=channel, weeks=parsed.weeks)
    latest_round = digest_service.latest_round(db=db, channel_id=channel)
    if not bundles and latest_round is not None and not latest_round.closed:
        return first_round_open_message(
            channel_id=channel,
            week=latest_round.week,
            closes_at=latest_round.closes_at,
            threshold=latest_round.threshold,
        )
    latest = bundles[-1] if bundles else None
    story = tell_story(latest.digest, target=latest.target) if latest else None
    return story_summary_message(channel, [b.digest for b in bundles], story)


def _send(ctx: HandlerContext, channel: str, body: dict[str, Any], parsed: ParsedCommand) -> Reply:
    week = str(week_of(ctx.outbound.clock()))
    sent = open_and_send(ctx.outbound, channel_id=channel, week=week, scheduled=False)
    return pulse_sent(week, sent)


def _export(
    ctx: HandlerContext, channel: str, body: dict[str, Any], parsed: ParsedCommand
) -> Reply:
    """DM the manager a CSV of what the team's digests have published, nothing more."""
    out = ctx.outbound
    digests = digest_service.published_digests(db=out.db, channel_id=channel)
    if not digests:
        return nothing_published()
    client = out.client_for(body["team_id"])
    dm = client.conversations_open(users=body["user_id"])["channel"]["id"]
    client.files_upload_v2(
        channel=dm,
        content=export_csv(digests).encode(),
        filename=f"partnership-pulse-{channel}.csv",
        title=f"Partnership pulse figures for #{channel}",
    )
    actions = action_service.team_actions(db=out.db, channel_id=channel)
    if actions:
        client.files_upload_v2(
            channel=dm,
            content=export_actions_csv(channel, actions).encode(),
            filename=f"partnership-pulse-{channel}-actions.csv",
            title=f"Agreed actions for #{channel}",
        )
    review_export(ctx, client, dm=dm, channel=channel)
    return export_sent(channel, len(digests))


def _digest_now(
    ctx: HandlerContext, channel: str, body: dict[str, Any], parsed: ParsedCommand
) -> Reply:
    """Post the latest round's digest. An open round is closed first: figures published
    while answers still arrive could be compared later to single someone out."""
    out = ctx.outbound
    latest = digest_service.latest_round(db=out.db, channel_id=channel)
    if latest is None:
        return nothing_to_digest()
    closed_now = close_and_post(out, round_=latest)
    return digest_posted(channel, latest.week, closed_now=closed_now)


def _review(
    ctx: HandlerContext, channel: str, body: dict[str, Any], parsed: ParsedCommand
) -> Reply:
    return review_command(
        ctx, parsed, channel=channel, user=body["user_id"], workspace=body["team_id"]
    )


SlowSubcommand = Callable[[HandlerContext, str, dict[str, Any], ParsedCommand], Reply]
SLOW_REPLIES: dict[str, SlowSubcommand] = {
    "summary": _summary,
    "send": _send,
    "export": _export,
    "digest": _digest_now,
    "review": _review,
    "report": report_command,
}
"""The subcommands answered after the ack, through response_url, given the team's channel."""


def _slow_reply(ctx: HandlerContext, body: dict[str, Any], parsed: ParsedCommand) -> Reply:
    channel = _team_channel(ctx, body, parsed)
    team = team_service.team_for_manager(
        db=ctx.outbound.db,
        channel_id=channel,
        user_id=body["user_id"],
        workspace_id=body["team_id"],
    )
    return SLOW_REPLIES[parsed.name](ctx, team.channel_id, body, parsed)


def _learn_members(ctx: HandlerContext, body: dict[str, Any]) -> None:
    """Read a new team's members and time zones at once, so its first pulse reaches each
    person at their own local time (nothing is sent)."""
    try:
        team = team_service.team_for_manager(
            db=ctx.outbound.db,
            channel_id=str(body["channel_id"]),
            user_id=body["user_id"],
            workspace_id=body["team_id"],
        )
    except PulseError:
        return  # the ack has told the caller why there is nothing to set up
    try:
        refresh_members(ctx.outbound, team)
    except Exception:
        log.warning("could not read the new team's members yet; the first round will")


def complete(ctx: HandlerContext) -> Callable[..., None]:
    """The lazy listener: summaries, sends and digests, answered through response_url."""

    def listener(body: dict[str, Any], respond: Callable[..., Any], client: WebClient) -> None:
        try:
            parsed = parse_command(body.get("text", ""))
        except CommandProblem:
            return
        if parsed.name == "settings" or (
            parsed.name == "setup" and _is_channel(body["channel_id"])
        ):
            _open_settings(ctx, body, parsed, client)
        if parsed.name == "action":
            _open_action(ctx, body, parsed, client)
        if parsed.name == "setup":
            _learn_members(ctx, body)
            return
        if parsed.name not in SLOW:
            return
        try:
            reply = _slow_reply(ctx, body, parsed)
        except (NotAManager, NotInAChannel, TeamNotFound):
            return  # the ack has already said so
        except PulseError as error:
            reply = notice(error.reply)
        except SlackApiError as error:
            log.warning(
                "Slack refused a /pulse %s step: %s", parsed.name, error.response.get("error")
            )
            reply = slack_refused()
        except Exception:
            # Said to the manager, never swallowed: "On it…" must not be the last word.
            log.exception("/pulse %s failed", parsed.name)
            reply = went_wrong()
        respond(response_type="ephemeral", replace_original=False, **reply)

    return listener


def _open_settings(
    ctx: HandlerContext, body: dict[str, Any], parsed: ParsedCommand, client: WebClient
) -> None:
    """After the ack: the settings modal, for a manager (the ack has told anyone else).

    It opens before anything slower runs: Slack's trigger_id expires after three seconds.
    """
    trigger_id = body.get("trigger_id")
    if not isinstance(trigger_id, str) or not trigger_id:
        return
    try:
        open_settings(
            ctx,
            client,
            trigger_id=trigger_id,
            workspace_id=body["team_id"],
            channel_id=_team_channel(ctx, body, parsed),
            user_id=body["user_id"],
        )
    except PulseError:
        return


def _open_action(
    ctx: HandlerContext, body: dict[str, Any], parsed: ParsedCommand, client: WebClient
) -> None:
    """After the ack: the agreed-action modal, for a manager (the ack has told anyone else)."""
    trigger_id = body.get("trigger_id")
    if not isinstance(trigger_id, str) or not trigger_id:
        return
    try:
        open_action_modal(
            ctx,
            client,
            trigger_id=trigger_id,
            workspace_id=body["team_id"],
            channel_id=_team_channel(ctx, body, parsed),
            user_id=body["user_id"],
        )
    except PulseError:
        return


def register(app: App, ctx: HandlerContext) -> None:
    """Wire /pulse."""
    app.command(ctx.command)(ack=acknowledge(ctx), lazy=[complete(ctx)])
