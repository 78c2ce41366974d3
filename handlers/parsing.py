"""Reading /pulse's text into a subcommand and its arguments, strictly."""

from __future__ import annotations

import re
from dataclasses import dataclass

SUBCOMMANDS = frozenset(
    {
        "help",
        "setup",
        "settings",
        "summary",
        "send",
        "digest",
        "export",
        "optout",
        "optin",
        "forget-me",
        "target",
        "action",
        "review",
        "report",
    }
)
_QUARTER = re.compile(r"^\d{4}-Q[1-4]$")
_USER = re.compile(r"^<@([UW][A-Z0-9]{2,30})(?:\|[^>]*)?>$")
_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]{2,30})(?:\|[^>]*)?>$")
MAX_SUMMARY_WEEKS = 52
DEFAULT_SUMMARY_WEEKS = 4
SHOWN_CHARS = 40


class CommandProblem(ValueError):
    """The text is not a command we know, or its arguments are wrong."""


@dataclass(frozen=True)
class ParsedCommand:
    """A subcommand with its optional channel and number."""

    name: str
    channel_id: str | None = None
    weeks: int = DEFAULT_SUMMARY_WEEKS
    target: float | None = None
    closing: bool = False
    quarter: str | None = None
    peer_id: str | None = None


def _shown(token: str) -> str:
    """A word of the caller's, short enough to quote back in a reply."""
    return token if len(token) <= SHOWN_CHARS else token[:SHOWN_CHARS] + "…"


def _channel(token: str) -> str:
    match = _CHANNEL.match(token)
    if match:
        return match.group(1)
    if token.startswith("#"):
        raise CommandProblem(
            f"I couldn't tell which channel {_shown(token)} is: pick it from the list as you type."
        )
    raise CommandProblem(f"{_shown(token)!r} is not a channel.")


def _summary(args: list[str]) -> ParsedCommand:
    channel_id = None
    weeks = DEFAULT_SUMMARY_WEEKS
    for token in args:
        if token.isascii() and token.isdigit():
            weeks = int(token) if len(token) <= 3 else 0
            if not 1 <= weeks <= MAX_SUMMARY_WEEKS:
                raise CommandProblem(f"Weeks must be between 1 and {MAX_SUMMARY_WEEKS}.")
        else:
            channel_id = _channel(token)
    return ParsedCommand("summary", channel_id=channel_id, weeks=weeks)


def _target(args: list[str]) -> ParsedCommand:
    if len(args) != 1:
        raise CommandProblem("Give one target score between -1 and +1, e.g. `target 0.4`.")
    try:
        value = float(args[0].replace("−", "-"))
    except ValueError:
        raise CommandProblem(f"{_shown(args[0])!r} is not a number between -1 and +1.") from None
    if not -1 <= value <= 1 or value != value:
        raise CommandProblem("The target must be between -1 and +1.")
    return ParsedCommand("target", target=value)


def _person(token: str) -> str:
    match = _USER.match(token)
    if match:
        return match.group(1)
    if token.startswith("@"):
        raise CommandProblem(
            f"I couldn't tell who {_shown(token)} is: pick them from the list as you type."
        )
    raise CommandProblem(
        f"{_shown(token)!r} is not a person: write `review invite @someone [#channel]`."
    )


def _review_invite(args: list[str]) -> ParsedCommand:
    """`review invite @someone [#channel]`."""
    if not 1 <= len(args) <= 2:
        raise CommandProblem("`review invite` takes one person and at most a channel.")
    channel_id = _channel(args[1]) if len(args) == 2 else None
    return ParsedCommand("review", channel_id=channel_id, peer_id=_person(args[0]))


def _review(args: list[str]) -> ParsedCommand:
    if args and args[0].lower() == "invite":
        return _review_invite(args[1:])
    closing = bool(args) and args[0].lower() == "close"
    rest = args[1:] if closing else args
    if len(rest) > 1:
        raise CommandProblem("`review` takes `close` or `invite @someone`, and at most a channel.")
    return ParsedCommand("review", channel_id=_channel(rest[0]) if rest else None, closing=closing)


def _report(args: list[str]) -> ParsedCommand:
    """`report [YYYY-Qn] [#channel]`, in either order."""
    channel_id = quarter = None
    for token in args:
        if _QUARTER.fullmatch(token.upper()) and quarter is None:
            quarter = token.upper()
        elif token.startswith(("<#", "#")) and channel_id is None:
            channel_id = _channel(token)
        else:
            raise CommandProblem(
                f"{_shown(token)!r} is not a quarter: `report` takes a quarter written YYYY-Qn "
                "(e.g. 2026-Q4) and at most a channel."
            )
    return ParsedCommand("report", channel_id=channel_id, quarter=quarter)


def parse_command(text: str) -> ParsedCommand:
    """Parse the text after /pulse; empty text means help."""
    words = text.split()
    if not words:
        return ParsedCommand("help")
    name, args = words[0].lower(), words[1:]
    if name not in SUBCOMMANDS:
        raise CommandProblem(f'I don\'t know the command "{_shown(words[0])}".')
    if name == "summary":
        return _summary(args)
    if name == "target":
        return _target(args)
    if name == "review":
        return _review(args)
    if name == "report":
        return _report(args)
    if name in {"send", "digest", "export", "settings", "action"} and args:
        if len(args) > 1:
            raise CommandProblem(f"`{name}` takes at most a channel.")
        return ParsedCommand(name, channel_id=_channel(args[0]))
    if args:
        raise CommandProblem(f"`{name}` takes no arguments.")
    return ParsedCommand(name)
