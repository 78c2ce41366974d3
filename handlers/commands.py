"""/pulse: quick subcommands answer in the ack; slow ones ack at once and reply later."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks.replies import first_round_open_message, notice, story_summary_message, usage
from delivery.digests import close_and_post
from delivery.members import refresh_members
from handlers.action_modal import open_action_modal
from handlers.context import HandlerContext
from handlers.parsing import CommandProblem, ParsedCommand, parse_command
from handlers.review import review_command, review_export
from handlers.settings import open_settings
from jobs.tick import open_and_send
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
SLOW = frozenset({"summary", "send", "digest", "export", "review"})


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


def _quick_reply(
    ctx: HandlerContext, body: dict[str, Any], parsed: ParsedCommand
) -> dict[str, Any]:
    db, user, workspace = ctx.outbound.db, body["user_id"], body["team_id"]
    if parsed.name == "help":
        return usage(ctx.command)
    if parsed.name == "setup":
        if not _is_channel(body["channel_id"]):
            raise NotInAChannel("Run `/pulse setup` in the channel that should become the team.")
        result = team_service.setup_team(
            db=db,
            workspace_id=workspace,
            channel_id=body["channel_id"],
            user_id=user,
            now=ctx.outbound.clock(),
        )
        if result.created:
            return notice(
                "This channel is now a Partnership Pulse team, and you're its manager. "
                "The first pulse goes out at the next scheduled time (Tuesdays 10:00), "
                "or now with `/pulse send`. I've opened the team's settings for you to "
                f"change the day, time and more; `{ctx.command} settings` opens them again."
            )
        if result.adopted:
            return notice(
                "This channel is already a team, and it had no manager left: you're now its "
                f"manager. Its settings are open for you; `{ctx.command} settings` opens them "
                "again."
            )
        return notice(
            "This channel is already a team, and you're one of its managers. "
            f"Its settings are open for you; `{ctx.command} settings` opens them again."
        )
    if parsed.name in {"optout", "optin"}:
        out = parsed.name == "optout"
        team_service.set_opt_out(db=db, workspace_id=workspace, user_id=user, opted_out=out)
        return notice(
            "Your prompts are paused. `/pulse optin` resumes them."
            if out
            else "Welcome back: you'll get the next pulse."
        )
    if parsed.name == "forget-me":
        privacy_service.forget_member(
            db=db,
            workspace_id=workspace,
            user_id=user,
            marking_secret=ctx.outbound.marking_secret,
        )
        return notice(
            "Done: I've deleted everything that named you — your memberships, any manager "
            "role, your pause setting, the record of which pulses went to you and any answer "
            "to a pulse that is still open. Figures already published stay, because they "
            "never said who answered. If you're still in a team's channel, you'll be asked "
            "again at its next round; `/pulse optout` stops that."
        )
    if parsed.name == "target":
        assert parsed.target is not None
        channel = _team_channel(ctx, body, parsed)
        team_service.set_target(
            db=db, channel_id=channel, user_id=user, target=parsed.target, workspace_id=workspace
        )
        return notice(
            f"Target set: the digest will show how close the index is to {parsed.target:+.2f}."
        )
    channel = _team_channel(ctx, body, parsed)
    team_service.team_for_manager(db=db, channel_id=channel, user_id=user, workspace_id=workspace)
    if parsed.name == "settings":
        return notice(f"Opening the settings for <#{channel}>…")
    if parsed.name == "action":
        return notice(f"Opening a new agreed action for <#{channel}>…")
    if parsed.name == "review":
        doing = "Closing" if parsed.closing else "Starting"
        return notice(f"{doing} the partnership review for <#{channel}>…")
    return notice("On it…")


def acknowledge(ctx: HandlerContext) -> Callable[..., None]:
    """The ack-time listener: every reply that needs no Slack call is given right here."""

    def listener(ack: Callable[..., None], body: dict[str, Any]) -> None:
        try:
            parsed = parse_command(body.get("text", ""))
            reply = _quick_reply(ctx, body, parsed)
        except CommandProblem as problem:
            reply = usage(ctx.command, problem=str(problem))
        except PulseError as error:
            reply = notice(error.reply)
        ack(response_type="ephemeral", **reply)

    return listener


def _slow_reply(ctx: HandlerContext, body: dict[str, Any], parsed: ParsedCommand) -> dict[str, Any]:
    out, user = ctx.outbound, body["user_id"]
    channel = _team_channel(ctx, body, parsed)
    team = team_service.team_for_manager(
        db=out.db, channel_id=channel, user_id=user, workspace_id=body["team_id"]
    )
    if parsed.name == "summary":
        bundles = digest_service.recent_digests(db=out.db, channel_id=channel, weeks=parsed.weeks)
        latest_round = digest_service.latest_round(db=out.db, channel_id=channel)
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
    if parsed.name == "send":
        week = str(week_of(out.clock()))
        sent = open_and_send(out, channel_id=team.channel_id, week=week, scheduled=False)
        return notice(f"The pulse for {week} went to {sent} people who hadn't had it yet.")
    if parsed.name == "export":
        return _export(ctx, channel, user, body["team_id"])
    if parsed.name == "review":
        return review_command(ctx, parsed, channel=channel, user=user, workspace=body["team_id"])
    return _digest_now(ctx, channel)


def _export(ctx: HandlerContext, channel: str, user: str, workspace: str) -> dict[str, Any]:
    """DM the manager a CSV of what the team's digests have published, nothing more."""
    out = ctx.outbound
    digests = digest_service.published_digests(db=out.db, channel_id=channel)
    if not digests:
        return notice("Nothing is published yet: figures appear once a round has closed.")
    client = out.client_for(workspace)
    dm = client.conversations_open(users=user)["channel"]["id"]
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
    return notice(f"I've sent you the published figures for <#{channel}> ({len(digests)} weeks).")


def _digest_now(ctx: HandlerContext, channel: str) -> dict[str, Any]:
    """Post the latest round's digest. An open round is closed first: figures published
    while answers still arrive could be compared later to single someone out."""
    out = ctx.outbound
    latest = digest_service.latest_round(db=out.db, channel_id=channel)
    if latest is None:
        return notice("There's nothing to digest yet: `/pulse send` starts the first round.")
    if close_and_post(out, round_=latest):
        return notice(f"The {latest.week} round is now closed, and its digest is in <#{channel}>.")
    return notice(f"The digest for {latest.week} is in <#{channel}>.")


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
            reply = notice(
                "Slack didn't accept that just now (is the bot invited to the channel?). "
                "Nothing was published; please try again in a moment."
            )
        except Exception:
            # Said to the manager, never swallowed: "On it…" must not be the last word.
            log.exception("/pulse %s failed", parsed.name)
            reply = notice(
                "Something went wrong on our side and that didn't finish. "
                "Please try again in a moment."
            )
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
