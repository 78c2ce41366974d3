"""Steps of the pulse loop as a member or manager takes them, through Slack's protocol:
signed HTTP (`RunningBot`) or Socket Mode (`tests.socket_support.SocketBot`)."""

from __future__ import annotations

from typing import Any, Protocol

from runtime.assembly import Bot
from services import digests as digest_service
from standin import SlackReply, StandInSlack
from surveys.digest_format import digest_to_dict
from tests.support import MANAGER, MEMBERS, TEAM_CHANNEL, responded, wait_for

SURVEYED = (MANAGER, *MEMBERS)


class Clicker(Protocol):
    """What sends a click: SlackRequestSender or SocketModeSender."""

    def block_action(
        self,
        *,
        user_id: str,
        action_id: str,
        value: str,
        block_id: str,
        channel_id: str,
        message_ts: str,
        response_url: str = "",
        message_blocks: list[dict[str, Any]] | None = None,
    ) -> SlackReply: ...


class Loop(Protocol):
    """A running bot the steps drive, and the stand-in Slack it talks to."""

    @property
    def bot(self) -> Bot: ...

    @property
    def slack(self) -> StandInSlack: ...

    @property
    def sender(self) -> Clicker: ...

    def command(self, text: str, *, user: str = MANAGER, channel: str = TEAM_CHANNEL) -> Any: ...


def setup_team(running: Loop) -> None:
    """/pulse setup in the team channel, by the manager."""
    reply = running.command("setup")
    assert reply.status == 200, reply.text


def send_round(running: Loop) -> None:
    """/pulse send, then wait until every surveyed person has their DM."""
    reply = running.command("send")
    assert reply.status == 200
    wait_for(lambda: all(running.slack.dms_to(u) for u in SURVEYED))


def latest_prompt(running: Loop, user: str) -> Any:
    """The newest DM holding pulse questions."""
    dms = [m for m in running.slack.dms_to(user) if _questions(m.blocks or [])]
    assert dms, f"{user} has no prompt"
    return dms[-1]


def _questions(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b for b in blocks if b["type"] == "actions" and b["block_id"].startswith("q:")]


def button(message: Any, question: int, point: int | None) -> tuple[str, dict[str, Any]]:
    """The block id and the button element for a point (None: "didn't come up")."""
    block = _questions(message.blocks)[question]
    action = f"answer-{'skip' if point is None else point}"
    element = next(e for e in block["elements"] if e["action_id"] == action)
    return block["block_id"], element


def behaviour_of(message: Any, question: int) -> str:
    """The behaviour id a question is about (from its block id)."""
    return _questions(message.blocks)[question]["block_id"].split(":", 2)[2]


def click(
    running: Loop,
    user: str,
    question: int,
    point: int | None,
    *,
    as_user: str | None = None,
    value: str | None = None,
) -> Any:
    """Click a point on the user's latest prompt (optionally as someone else, or forged)."""
    message = latest_prompt(running, user)
    block_id, element = button(message, question, point)
    return running.sender.block_action(
        user_id=as_user or user,
        action_id=element["action_id"],
        value=value if value is not None else element["value"],
        block_id=block_id,
        channel_id=message.channel,
        message_ts=message.ts,
        response_url=running.slack.response_url(
            f"click-{user}-{question}-{point}-{as_user}-{len(running.slack.calls)}"
        ),
        message_blocks=message.blocks,
    )


def everyone_answers(running: Loop, point: int, *, question: int = 0) -> None:
    """Every surveyed person answers, so a figure has enough people to show: all at ``point``
    but the first, one step away (a figure in which a handful all agree is withheld)."""
    for i, user in enumerate(SURVEYED):
        click(running, user, question, point if i else neighbour(point))


def neighbour(point: int) -> int:
    """The point one step from ``point`` towards the middle of the scale."""
    return point - 1 if point > 3 else point + 1


def close_round(running: Loop) -> None:
    """/pulse digest by the manager, then wait until the reply says the round is closed."""
    running.command("digest")
    wait_for(lambda: responded(running, "now closed"))


def digest_json(running: Loop, week: str) -> dict[str, Any]:
    """The digest exactly as `digest show --format json` prints it."""
    bundle = digest_service.build_digest(db=running.bot.db, channel_id=TEAM_CHANNEL, week=week)
    return digest_to_dict(bundle.digest)
