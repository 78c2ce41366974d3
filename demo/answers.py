"""The answerers: each member clicks through the pulse prompt they actually received.

Every click is a signed block_actions request built from the buttons of that prompt, as
Slack would send it: on a DM, or, for a member Slack will not let the bot DM (another
organisation's, through Slack Connect), on the ephemeral prompt in the team channel, carrying
their home workspace. What each person chooses comes from the seeded model in `people`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from demo.people import Person, choose_point
from demo.stage import CHANNEL_ID, Stage
from demo.transcript import Transcript
from standin.webapi import StandInSlack

WAIT_SECONDS = 10.0
HIDE_AFTER = timedelta(minutes=21)
"""When the scheduler's next pass after an in-channel answer finds the chosen points due
to be hidden (twenty minutes after the click, delivery/ephemeral_views.py); in a real
workspace it passes every minute, in the demo it is run then."""


@dataclass(frozen=True)
class Prompt:
    """A pulse prompt as its member sees it: a DM, or an ephemeral message in the channel."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] | None
    in_channel: bool = False


def prompts_to(slack: StandInSlack, user_id: str) -> list[Prompt]:
    """A member's prompts holding pulse questions: their DMs, then any in the channel."""
    dms = [Prompt(m.channel, m.ts, m.text, m.blocks) for m in slack.dms_to(user_id)]
    shown = [
        Prompt(e.channel, e.message_ts, e.text, e.blocks, in_channel=True)
        for e in slack.ephemerals_to(user_id)
        if e.channel == CHANNEL_ID
    ]
    return [p for p in (*dms, *shown) if question_blocks(p)]


@dataclass(frozen=True)
class Clicks:
    """Buttons clicked, and how many of them said "didn't come up"."""

    total: int = 0
    didnt_come_up: int = 0

    def __add__(self, other: Clicks) -> Clicks:
        return Clicks(self.total + other.total, self.didnt_come_up + other.didnt_come_up)


def question_blocks(message: Prompt) -> list[dict[str, Any]]:
    """The actions blocks of a pulse prompt: one per question, its scale buttons first."""
    blocks = message.blocks or []
    return [b for b in blocks if b.get("type") == "actions" and len(b.get("elements", [])) >= 5]


def behaviour_of(block: dict[str, Any]) -> str:
    """The behaviour a question is about, as its block id names it (q:<prompt>:<behaviour>)."""
    return str(block.get("block_id", "")).rsplit(":", 1)[-1]


def button_for(block: dict[str, Any], point: int | None) -> dict[str, Any]:
    """Point p is the p-th button; "didn't come up" is the button that says so."""
    elements = block["elements"]
    if point is not None:
        return dict(elements[point - 1])
    return next(e for e in elements[5:] if "come up" in e["text"]["text"].lower())


def wait_until(condition: Callable[[], bool], *, timeout: float = WAIT_SECONDS) -> bool:
    """Poll briefly: the bot redraws a clicked message after it has answered the click."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


class Answerers:
    """The members answering their DMs, and the check that each DM then shows their choices."""

    def __init__(self, stage: Stage, transcript: Transcript, rng: random.Random) -> None:
        self.stage = stage
        self.transcript = transcript
        self.rng = rng
        self.clicked: dict[tuple[str, str], int] = {}  # (member, message ts): questions
        self.refusals_seen = 0

    def answer(
        self,
        people: Sequence[Person],
        prompts: dict[str, Prompt],
        ready: dict[str, datetime],
        deadline: datetime,
        progress: float,
    ) -> Clicks:
        """Each person clicks through their prompt at a moment of their own before the
        deadline; the scheduler passes after in-channel answers, as it would every minute."""
        moments = []
        for person in people:
            start = ready[person.user_id] + timedelta(minutes=5)
            span = max(0.0, (deadline - start).total_seconds())
            moments.append((start + timedelta(seconds=self.rng.uniform(0, span)), person))
        clicks = Clicks()
        passes: list[datetime] = []
        for moment, person in sorted(moments, key=lambda pair: pair[0]):
            passes = self.scheduler_passes(passes, until=moment)
            self.stage.clock.set(moment)
            prompt = prompts[person.user_id]
            clicks += self.click_through(person, prompt, progress)
            if prompt.in_channel:
                self.await_redraws()  # within the click's response_url, before time moves on
                passes.append(moment + HIDE_AFTER)
        self.scheduler_passes(passes, until=None)
        self.await_redraws()
        return clicks

    def scheduler_passes(self, due: list[datetime], *, until: datetime | None) -> list[datetime]:
        """Run the scheduler at each due moment up to ``until`` (all when None); the rest."""
        for moment in sorted(due):
            if until is not None and moment > until:
                return [m for m in due if m > until]
            self.stage.tick(moment)
        return []

    def click_through(self, person: Person, message: Prompt, progress: float) -> Clicks:
        """Answer every question of the prompt by clicking its buttons, as Slack would send
        them."""
        clicks = Clicks()
        for block in question_blocks(message):
            point = choose_point(person, behaviour_of(block), progress, self.rng)
            self.click(person, message, block, point)
            clicks += Clicks(1, int(point is None))
        self.clicked[(person.user_id, message.ts)] = len(question_blocks(message))
        return clicks

    def click(
        self, person: Person, message: Prompt, block: dict[str, Any], point: int | None
    ) -> None:
        """One signed block_actions request for one button."""
        element = button_for(block, point)
        bound = {"channel_id": message.channel, "message_ts": message.ts, "user_id": person.user_id}
        kind = "channel-prompt" if message.in_channel else "click"
        reply = self.stage.sender.block_action(
            user_id=person.user_id,
            user_team_id=person.partner.workspace,
            action_id=element["action_id"],
            value=element["value"],
            block_id=block["block_id"],
            channel_id=message.channel,
            message_ts=message.ts,
            is_ephemeral=message.in_channel,
            response_url=self.stage.response_url(kind, ephemeral=message.in_channel, **bound),
            message_blocks=message.blocks,
            message_text=message.text,
        )
        if reply.status != 200:
            self.transcript.problem(f"a click got HTTP {reply.status}")

    def shows_every_choice(self, user_id: str, ts: str, questions: int) -> bool:
        """Whether the member's prompt now shows an answer to each question they clicked."""
        message = next((m for m in prompts_to(self.stage.slack, user_id) if m.ts == ts), None)
        shown = str(message.blocks if message else "")
        return shown.count("You chose") + shown.count("You said this didn't") >= questions

    def await_redraws(self) -> None:
        """Wait until the bot has updated every clicked DM to show the member's choices."""
        clicked, self.clicked = self.clicked, {}
        done = wait_until(
            lambda: all(self.shows_every_choice(u, ts, n) for (u, ts), n in clicked.items())
        )
        if not done:
            self.transcript.problem("some clicked messages were not updated to show the choice")
        refused = [r for r in self.stage.slack.responses if str(r.get("key", "")).startswith("cl")]
        fresh = refused[self.refusals_seen :]
        self.refusals_seen = len(refused)
        if fresh:
            self.transcript.problem(
                f"{len(fresh)} click(s) were refused: {fresh[0]['body'].get('text')}"
            )
