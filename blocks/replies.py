"""Ephemeral replies to /pulse: usage, confirmations, refusals and summaries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from blocks.digest import organisation_blocks
from blocks.text import context, escape, local_time, section
from surveys.digest import Digest
from surveys.partner_words import PARTNERS_HEADING
from surveys.story import Story
from surveys.summary import Summary
from surveys.weeks import week_words

USAGE_LINES = (
    ("help", "show this help"),
    ("setup", "make this channel a team (you become its manager)"),
    ("settings [#channel]", "managers: the team's day, time, threshold, digest channel, managers"),
    ("summary [#channel] [weeks]", "managers: the team's story over recent weeks"),
    ("send", "managers: send this week's pulse now"),
    ("digest", "managers: post this week's digest to the channel now"),
    ("export [#channel]", "managers: a CSV of the team's published figures, by DM"),
    ("target <score>", "managers: set the team's target index, from -1 to +1"),
    ("action [#channel]", "managers: agree an action on a behaviour, its owner and review week"),
    ("review [#channel]", "managers: start the partnership review, open for a week"),
    ("review close [#channel]", "managers: close the team's open review now"),
    (
        "review invite @someone [#channel]",
        "managers: ask a peer reviewer from outside the partnership to answer the open review",
    ),
    ("report [YYYY-Qn] [#channel]", "managers: the quarter's board report (PDF), by DM"),
    ("optout", "pause your prompts"),
    ("forget-me", "delete everything that names you (published figures stay)"),
    ("optin", "resume your prompts"),
)


def usage_text(command: str = "/pulse") -> str:
    """The list of subcommands."""
    lines = [f"`{command} {name}` — {what}" for name, what in USAGE_LINES]
    return "*Partnership Pulse*\n" + "\n".join(lines)


def usage(command: str = "/pulse", *, problem: str | None = None) -> dict[str, Any]:
    """Usage, with the problem first when the command was not understood."""
    blocks = []
    if problem:
        blocks.append(section(f":warning: {escape(problem)}"))
    blocks.append(section(usage_text(command)))
    text = (problem + "\n\n" if problem else "") + usage_text(command)
    return {"text": text, "blocks": blocks}


def notice(text: str) -> dict[str, Any]:
    """A one-line ephemeral reply."""
    return {"text": text, "blocks": [section(text)]}


def _pooled_line(label: str, score: float | None, answers: int, weeks: int) -> str:
    if score is None:
        return f"• {label}: not enough answers to show"
    return f"• {label}: *{score:+.2f}* ({answers} answers over {weeks} week{'s' * (weeks != 1)})"


_TOLD = (
    "Where are we now",
    "Where did we start from",
    "Where are we going",
    PARTNERS_HEADING,
    "What do we need to do",
)


def story_summary_message(
    channel_id: str, digests: Sequence[Digest], story: Story | None
) -> dict[str, Any]:
    """A manager's summary: the latest digest's story, as the channel read it, with who
    took part each week; the same words the digest uses, never a second telling."""
    if not digests or story is None:
        return notice("No rounds yet for this team: `/pulse send` starts the first one.")
    first, last = week_words(digests[0].week), week_words(digests[-1].week)
    span = first if len(digests) == 1 else f"{first} to {last}"
    text = f"Summary for <#{channel_id}>, {span}"
    parts = {p.heading: p.text for p in story.parts}
    told = "\n".join(f"*{h}?* {escape(parts[h])}" for h in _TOLD if h in parts)
    taking_part = "; ".join(
        f"{week_words(d.week)}: {d.participation.responded} of {d.participation.invited}"
        for d in digests
    )
    blocks = [
        section(f"*{text}*"),
        section(told),
        *organisation_blocks(digests[-1]),
        section(f"*Who took part*\n{taking_part}"),
        context(
            "Figures show only when enough people answered to stay anonymous; changes are "
            "called only when they're bigger than the week-to-week noise."
        ),
    ]
    return {"text": text, "blocks": blocks}


def first_round_open_message(
    *, channel_id: str, week: str, closes_at: datetime, threshold: int
) -> dict[str, Any]:
    """A summary asked for while the team's first round is still open: there is nothing to
    pool yet, and saying when there will be is the useful answer."""
    return notice(
        f"<#{channel_id}>'s first round ({week_words(week)}) is still open, so there is nothing to "
        f"summarise yet. Its figures appear when it closes, {local_time(closes_at)}, "
        f"if at least {threshold} people answered."
    )


def summary_message(summary: Summary) -> dict[str, Any]:
    """A manager's pooled summary; suppressed weeks are simply not in it."""
    if not summary.weeks:
        return notice("No rounds yet for this team: `/pulse send` starts the first one.")
    span = f"{summary.weeks[0]} to {summary.weeks[-1]}"
    lines = [_pooled_line("Index", summary.index.score, summary.index.answers, summary.index.weeks)]
    lines += [
        _pooled_line(escape(b.favourable), f.score, f.answers, f.weeks)
        for b, f in summary.behaviours
        if f.answers
    ]
    text = f'Summary for <#{summary.team}>, {span} (−1 = all "them", +1 = all "us")'
    blocks = [
        section(f"*{text}*"),
        section("\n".join(lines)),
        context("Only weeks with enough answers to stay anonymous are pooled."),
    ]
    return {"text": text, "blocks": blocks}


# --- /pulse's confirmations: the words each subcommand answers with ------------------------


def team_set_up(command: str, *, created: bool, adopted: bool) -> dict[str, Any]:
    """`/pulse setup`: a new team, a team whose managers had all gone, or one already run."""
    if created:
        return notice(
            "This channel is now a Partnership Pulse team, and you're its manager. "
            "The first pulse goes out at the next scheduled time (Tuesdays 10:00), "
            "or now with `/pulse send`. I've opened the team's settings for you to "
            f"change the day, time and more; `{command} settings` opens them again."
        )
    if adopted:
        return notice(
            "This channel is already a team, and it had no manager left: you're now its "
            f"manager. Its settings are open for you; `{command} settings` opens them "
            "again."
        )
    return notice(
        "This channel is already a team, and you're one of its managers. "
        f"Its settings are open for you; `{command} settings` opens them again."
    )


def prompts_paused(opted_out: bool) -> dict[str, Any]:
    """`/pulse optout` and `/pulse optin`."""
    if opted_out:
        return notice("Your prompts are paused. `/pulse optin` resumes them.")
    return notice("Welcome back: you'll get the next pulse.")


def member_forgotten() -> dict[str, Any]:
    """`/pulse forget-me`: what went, and what stays because it never named anyone."""
    return notice(
        "Done: I've deleted everything that named you — your memberships, any manager "
        "role, your pause setting, the record of which pulses went to you and any answer "
        "to a pulse that is still open. Figures already published stay, because they "
        "never said who answered. If you're still in a team's channel, you'll be asked "
        "again at its next round; `/pulse optout` stops that."
    )


def target_set(target: float) -> dict[str, Any]:
    """`/pulse target`."""
    return notice(f"Target set: the digest will show how close the index is to {target:+.2f}.")


def opening_settings(channel_id: str) -> dict[str, Any]:
    """The ack of `/pulse settings`; the modal follows."""
    return notice(f"Opening the settings for <#{channel_id}>…")


def opening_review(channel: str, *, closing: bool, peer_id: str | None = None) -> dict[str, Any]:
    if peer_id is not None:
        return notice(f"Inviting <@{peer_id}> to the partnership review for <#{channel}>…")
    doing = "Closing" if closing else "Starting"
    return notice(f"{doing} the partnership review for <#{channel}>…")


def opening_action(channel_id: str) -> dict[str, Any]:
    """The ack of `/pulse action`; the modal follows."""
    return notice(f"Opening a new agreed action for <#{channel_id}>…")


def on_it() -> dict[str, Any]:
    """The ack of a slow subcommand; its answer follows through response_url."""
    return notice("On it…")


def pulse_sent(week: str, sent: int) -> dict[str, Any]:
    """`/pulse send`: how many people were newly asked."""
    return notice(f"The pulse for {week} went to {sent} people who hadn't had it yet.")


def nothing_published() -> dict[str, Any]:
    """`/pulse export` before any round has closed."""
    return notice("Nothing is published yet: figures appear once a round has closed.")


def export_sent(channel_id: str, weeks: int) -> dict[str, Any]:
    """`/pulse export`: the CSV is in the manager's DMs."""
    return notice(f"I've sent you the published figures for <#{channel_id}> ({weeks} weeks).")


def report_sent(channel_id: str, quarter: str, weeks: int) -> dict[str, Any]:
    """`/pulse report`: the PDF is in the manager's DMs."""
    published = f"{weeks} published week{'s' * (weeks != 1)}"
    return notice(
        f"I've sent you the board report for <#{channel_id}>, {quarter} ({published}), by DM."
    )


def nothing_to_digest() -> dict[str, Any]:
    """`/pulse digest` before the first round."""
    return notice("There's nothing to digest yet: `/pulse send` starts the first round.")


def digest_posted(channel_id: str, week: str, *, closed_now: bool) -> dict[str, Any]:
    """`/pulse digest`: where the digest is, and whether the round was closed for it."""
    if closed_now:
        return notice(f"The {week} round is now closed, and its digest is in <#{channel_id}>.")
    return notice(f"The digest for {week} is in <#{channel_id}>.")


def slack_refused() -> dict[str, Any]:
    """A slow subcommand Slack would not carry out."""
    return notice(
        "Slack didn't accept that just now (is the bot invited to the channel?). "
        "Nothing was published; please try again in a moment."
    )


def went_wrong() -> dict[str, Any]:
    """A slow subcommand that failed on our side: said, never swallowed."""
    return notice(
        "Something went wrong on our side and that didn't finish. Please try again in a moment."
    )


def unreachable_notice(*, team: str, members: Sequence[str]) -> dict[str, Any]:
    """A manager's one DM about members Slack lets the bot reach neither by DM nor in the
    team's channel: who, that they are counted as invited, and what would help."""
    names = ", ".join(f"<@{member}>" for member in members[:50])
    more = f" and {len(members) - 50} more" if len(members) > 50 else ""
    text = (
        f"The pulse for {team} could not reach {names}{more}: Slack allows the bot neither a "
        "direct message nor a message in the channel for them (often someone from another "
        "organisation's workspace). They are counted as invited but cannot answer. "
        "Their workspace's admins can allow the app to message them. "
        "You are told once about each person."
    )
    return notice(text)
