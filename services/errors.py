"""The domain's errors, each answered by a handler with a polite, specific reply."""

from __future__ import annotations


class PulseError(Exception):
    """Base of every error a member or manager can be told about."""

    reply = "Something went wrong."

    def __init__(self, reply: str | None = None) -> None:
        super().__init__(reply or self.reply)
        self.reply = reply or self.reply


class TeamNotFound(PulseError):
    reply = (
        "This channel is not a Partnership Pulse team yet: a manager can run `/pulse setup` here."
    )


class NotAManager(PulseError):
    reply = "Sorry, only a manager of this team can do that. Your own answers stay private."


class NotInAChannel(PulseError):
    reply = "Please run this in the team's channel (or name it: `/pulse summary #channel`)."


class PromptNotFound(PulseError):
    reply = "That pulse could not be found. It may have been withdrawn."


class NotYourPrompt(PulseError):
    reply = "That pulse was sent to someone else, so it can't take your answer."


class RoundClosed(PulseError):
    reply = "This pulse has closed, so your answer wasn't recorded. The next one comes soon."


class InvalidAnswer(PulseError):
    reply = "That answer doesn't fit this pulse, so nothing was recorded."


class BadArgument(PulseError):
    reply = "That didn't look right."


class WorkspaceNotInstalled(PulseError):
    reply = "Partnership Pulse is not installed in this workspace any more: reinstall it to go on."
