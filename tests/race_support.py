"""Members clicking while a round closes (or a member is forgotten, or old answers are
purged): the trial, what each click was told, and what the database kept afterwards."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from services import digests as digest_service
from standin import StandInSlack, Workspace
from storage.models import Answer, PendingAnswer, Prompt, Round, Team
from surveys.weeks import week_words
from tests.pulse_flow import behaviour_of, button
from tests.support import MANAGER, TEAM_CHANNEL, RunningBot

CLICKERS = tuple(f"U0CLICK{i:02d}" for i in range(1, 11))
CLICKS_EACH = 4
GAP_MS = 30


def clicking_workspace() -> Workspace:
    """A team channel with a manager and ten members who will all be clicking."""
    workspace = Workspace()
    workspace.add_user(MANAGER, "manager", tz="Europe/London")
    for i, user in enumerate(CLICKERS):
        workspace.add_user(user, f"clicker{i}", tz="Europe/London")
    workspace.add_channel(TEAM_CHANNEL, "partnership", [MANAGER, *CLICKERS])
    return workspace


@dataclass
class Click:
    """One click as the member saw it: the HTTP status, and whether it was refused."""

    user: str
    behaviour: str
    point: int | None
    key: str
    status: int = 0


@dataclass
class Tally:
    """The promises broken over all trials."""

    trials: int = 0
    lost_closes: int = 0
    lost_answers: int = 0
    phantom_answers: int = 0
    linked_left: int = 0
    server_errors: int = 0
    over_invited: int = 0
    unequal_messages: int = 0
    notes: list[str] = field(default_factory=list)

    def broken(self) -> int:
        """How many promises were broken in all."""
        return (
            self.lost_closes
            + self.lost_answers
            + self.phantom_answers
            + self.linked_left
            + self.server_errors
            + self.over_invited
            + self.unequal_messages
        )

    def line(self, label: str) -> str:
        """The figures, one line."""
        return (
            f"{label}: {self.trials} trials, lost closes {self.lost_closes}, lost acknowledged "
            f"answers {self.lost_answers}, answers recorded but refused {self.phantom_answers}, "
            f"linked answers left {self.linked_left}, 5xx {self.server_errors}, "
            f"n > invited {self.over_invited}, rounds whose DMs differ after close "
            f"{self.unequal_messages}"
        )


def prompts_of_week(running: RunningBot, week: str) -> dict[str, Any]:
    """Each clicker's prompt DM for the week."""
    found: dict[str, Any] = {}
    for user in CLICKERS:
        for message in running.slack.dms_to(user):
            if week_words(week) in (message.text or "") and any(
                b["type"] == "actions" for b in message.blocks or []
            ):
                found[user] = message
    return found


def click_at_random(
    running: RunningBot, user: str, message: Any, rng: random.Random, out: list[Click]
) -> None:
    """A member clicks a few random points, 0-30 ms apart, each through signed HTTP."""
    questions = sum(
        1 for b in message.blocks if b["type"] == "actions" and b["block_id"].startswith("q:")
    )
    for n in range(CLICKS_EACH):
        time.sleep(rng.uniform(0, GAP_MS) / 1000)
        question = rng.randrange(questions)
        point = rng.choice([1, 2, 3, 4, 5, None])
        block_id, element = button(message, question, point)
        key = f"race-{user}-{time.monotonic_ns()}-{n}"
        click = Click(user, behaviour_of(message, question), point, key)
        reply = running.sender.block_action(
            user_id=user,
            action_id=element["action_id"],
            value=element["value"],
            block_id=block_id,
            channel_id=message.channel,
            message_ts=message.ts,
            response_url=running.slack.response_url(key),
            message_blocks=message.blocks,
        )
        click.status = reply.status
        out.append(click)


def run_together(jobs: list[Callable[[], None]]) -> None:
    """Start every job on its own thread and wait for all of them."""
    threads = [threading.Thread(target=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)


def settle(slack: StandInSlack) -> None:
    """Wait until the bot has stopped replying (ephemerals follow a click's ack)."""
    seen = -1
    while True:
        count = len(slack.responses) + len(slack.calls)
        if count == seen:
            return
        seen = count
        time.sleep(0.4)


def refused_keys(slack: StandInSlack) -> set[str]:
    """Clicks the bot answered with a reason they were not recorded."""
    return {r["key"] for r in slack.responses if r["key"].startswith("race-")}


def expected_answers(clicks: list[Click], refused: set[str], forgotten: str | None) -> Counter[Any]:
    """Each member's last acknowledged answer to each question they clicked."""
    last: dict[tuple[str, str], int | None] = {}
    for click in clicks:
        if click.status == 200 and click.key not in refused:
            last[(click.user, click.behaviour)] = click.point
    return Counter(
        (behaviour, point) for (user, behaviour), point in last.items() if user != forgotten
    )


def check_round(
    running: RunningBot,
    week: str,
    clicks: list[Click],
    tally: Tally,
    *,
    forgotten: str | None = None,
    prompts: dict[str, Any] | None = None,
) -> None:
    """Count, for one trial, every promise the closed round breaks."""
    tally.trials += 1
    if prompts is not None:
        shown = distinct_prompt_messages(running.slack, prompts, forgotten)
        if shown != 1:
            tally.unequal_messages += 1
            tally.notes.append(f"{week}: {shown} different prompt messages left after close")
    tally.server_errors += sum(1 for c in clicks if c.status >= 500)
    refused = refused_keys(running.slack)
    expected = expected_answers(clicks, refused, forgotten)
    with running.bot.db.transaction() as session:
        round_ = session.scalars(
            select(Round)
            .join(Team, Team.id == Round.team_id)
            .where(Team.channel_id == TEAM_CHANNEL, Round.week == week)
        ).one()
        if round_.closed_at is None:
            tally.lost_closes += 1
            tally.notes.append(f"{week}: round still open")
        actual = Counter(
            (b, p)
            for b, p in session.execute(
                select(Answer.behaviour_id, Answer.point).where(Answer.round_id == round_.id)
            )
        )
        respondents = session.scalar(
            select(func.count(func.distinct(Answer.respondent))).where(Answer.round_id == round_.id)
        )
        linked = session.scalar(
            select(func.count())
            .select_from(PendingAnswer)
            .join(Prompt, Prompt.id == PendingAnswer.prompt_id)
            .where(Prompt.round_id == round_.id)
        )
        invited = round_.invited
    lost = sum((expected - actual).values())
    phantom = sum((actual - expected).values())
    tally.lost_answers += lost
    tally.phantom_answers += phantom
    tally.linked_left += int(linked or 0)
    bundle = digest_service.build_digest(db=running.bot.db, channel_id=TEAM_CHANNEL, week=week)
    figures = [bundle.digest.index, *(b.figure for b in bundle.digest.asked)]
    most = max([f.n or 0 for f in figures] + [int(respondents or 0)])
    if most > invited:
        tally.over_invited += 1
    if lost or phantom or linked or most > invited:
        tally.notes.append(
            f"{week}: lost {lost}, phantom {phantom}, linked {linked}, n {most}/{invited}"
        )


def distinct_prompt_messages(
    slack: StandInSlack, prompts: dict[str, Any], forgotten: str | None
) -> int:
    """How many different messages the round's prompt DMs now show (one when every DM was
    redrawn alike), counting reminders still standing as different ones."""
    shown = set()
    for user, prompt in prompts.items():
        if user == forgotten:
            continue
        for message in slack.dms_to(user):
            if message.ts == prompt.ts:
                shown.add(repr((message.text, message.blocks)))
            elif "nudge" in repr(message.blocks):
                shown.add(repr(("reminder", user)))
    return len(shown)
